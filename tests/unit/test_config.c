/*
 * NAME
 *   test_config - defaults, overrides, range errors and port offsets
 *
 * DESCRIPTION
 *   Every test clears the INSPRAAK_* variables first, so the result does
 *   not depend on the shell the test runs in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

static const char *s_vars[] = {
    "INSPRAAK_VAR",       "INSPRAAK_PORT_BASE",    "INSPRAAK_INSTANCE",  "INSPRAAK_DATA",
    "INSPRAAK_REDIS_URL", "INSPRAAK_BUS_CLASSIFY", "INSPRAAK_BUS_STORE", "INSPRAAK_BUS_EVENTS",
    "INSPRAAK_HTTP_PORT", "INSPRAAK_HTTP_THREADS", "INSPRAAK_MAX_BODY",  "INSPRAAK_RESEND_MS",
    "INSPRAAK_REDIS_PASSWORD_FILE",
};

static int s_clear(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof s_vars / sizeof s_vars[0]; i++)
        unsetenv(s_vars[i]);
    return 0;
}

static void test_defaults(void **state)
{
    (void)state;
    config_t c;
    char err[256] = "";
    assert_int_equal(config_load(&c, "storage", PORT_OFF_STORAGE, err, sizeof err), 0);
    assert_string_equal(c.service, "storage");
    assert_string_equal(c.name, "storage.0");
    assert_int_equal(c.instance, 0);
    assert_int_equal(c.port_base, 8080);
    assert_int_equal(c.http_port, 8085);
    assert_int_equal(c.http_threads, 0);
    assert_int_equal(c.max_body, 1048576);
    assert_int_equal(c.resend_ms, 3000);
    assert_string_equal(c.var_dir, "./var");
    assert_string_equal(c.data_dir, "./data");
    assert_string_equal(c.redis_url, "redis://127.0.0.1:6390");
    assert_string_equal(c.bus_classify, "tcp://127.0.0.1:8091");
    assert_string_equal(c.bus_store, "tcp://127.0.0.1:8092");
    assert_string_equal(c.bus_events, "tcp://127.0.0.1:8093");
}

static void test_port_offsets(void **state)
{
    (void)state;
    config_t c;
    char err[256] = "";
    setenv("INSPRAAK_PORT_BASE", "22100", 1);
    assert_int_equal(config_load(&c, "intake-form", PORT_OFF_FORM, err, sizeof err), 0);
    assert_int_equal(c.http_port, 22100);
    assert_string_equal(c.redis_url, "redis://127.0.0.1:20410");
    assert_string_equal(c.bus_store, "tcp://127.0.0.1:22112");
    assert_int_equal(config_load(&c, "dashboard", PORT_OFF_DASHBOARD, err, sizeof err), 0);
    assert_int_equal(c.http_port, 22110);
    /* Instance 2 of the field intake: 20 ports further per instance. */
    setenv("INSPRAAK_INSTANCE", "2", 1);
    assert_int_equal(config_load(&c, "intake-field", PORT_OFF_FIELD, err, sizeof err), 0);
    assert_int_equal(c.http_port, 22100 + 3 + 40);
    assert_string_equal(c.name, "intake-field.2");
    assert_int_equal(config_port(PORT_OFF_REDIS), 22100 - 1690);
    assert_int_equal(config_port(PORT_OFF_BUS_EVENTS), 22113);
}

static void test_overrides(void **state)
{
    (void)state;
    config_t c;
    char err[256] = "";
    setenv("INSPRAAK_HTTP_PORT", "22050", 1);
    setenv("INSPRAAK_HTTP_THREADS", "8", 1);
    setenv("INSPRAAK_MAX_BODY", "2048", 1);
    setenv("INSPRAAK_RESEND_MS", "50", 1);
    setenv("INSPRAAK_VAR", "/tmp/x", 1);
    setenv("INSPRAAK_REDIS_URL", "redis://:pw@10.0.0.1:6379/2", 1);
    setenv("INSPRAAK_BUS_STORE", "tcp://a:1,tcp://b:2", 1);
    setenv("INSPRAAK_DATA", "", 1); /* empty means unset */
    assert_int_equal(config_load(&c, "notify", PORT_OFF_NOTIFY, err, sizeof err), 0);
    assert_int_equal(c.http_port, 22050);
    assert_int_equal(c.http_threads, 8);
    assert_int_equal(c.max_body, 2048);
    assert_int_equal(c.resend_ms, 50);
    assert_string_equal(c.var_dir, "/tmp/x");
    assert_string_equal(c.redis_url, "redis://:pw@10.0.0.1:6379/2");
    assert_string_equal(c.bus_store, "tcp://a:1,tcp://b:2");
    assert_string_equal(c.data_dir, "./data");
    assert_string_equal(config_str("INSPRAAK_VAR", "d"), "/tmp/x");
    assert_string_equal(config_str("INSPRAAK_DATA", "d"), "d");
}

static void s_write(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

/* INSPRAAK_REDIS_PASSWORD_FILE: the password ends up in redis_url,
 * percent-encoded; a file others can read, or a second password, is an error. */
static void test_redis_password_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_config.XXXXXX", path[64], err[256] = "";
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/pw", dir);
    s_write(path, "ge@heim/%:x\n", 0600);
    setenv("INSPRAAK_REDIS_PASSWORD_FILE", path, 1);
    config_t c;
    setenv("INSPRAAK_REDIS_URL", "redis://10.0.0.1:6379/2", 1);
    assert_int_equal(config_load(&c, "storage", PORT_OFF_STORAGE, err, sizeof err), 0);
    assert_string_equal(c.redis_url, "redis://:ge%40heim%2F%25%3Ax@10.0.0.1:6379/2");
    setenv("INSPRAAK_REDIS_URL", "redis://inspraak-storage@10.0.0.1", 1);
    assert_int_equal(config_load(&c, "storage", PORT_OFF_STORAGE, err, sizeof err), 0);
    assert_string_equal(c.redis_url, "redis://inspraak-storage:ge%40heim%2F%25%3Ax@10.0.0.1");
    setenv("INSPRAAK_REDIS_URL", "redis-sentinel://s1:26379,s2:26379/mymaster?db=1", 1);
    assert_int_equal(config_load(&c, "storage", PORT_OFF_STORAGE, err, sizeof err), 0);
    assert_string_equal(c.redis_url,
                        "redis-sentinel://:ge%40heim%2F%25%3Ax@s1:26379,s2:26379/mymaster?db=1");

    setenv("INSPRAAK_REDIS_URL", "redis://:other@10.0.0.1", 1);
    assert_int_equal(config_load(&c, "storage", PORT_OFF_STORAGE, err, sizeof err), -1);
    assert_non_null(strstr(err, "INSPRAAK_REDIS_PASSWORD_FILE"));
    unsetenv("INSPRAAK_REDIS_URL");
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(config_load(&c, "storage", PORT_OFF_STORAGE, err, sizeof err), -1);
    assert_non_null(strstr(err, "mode 0640"));
    s_write(path, "\n", 0600); /* empty */
    assert_int_equal(config_load(&c, "storage", PORT_OFF_STORAGE, err, sizeof err), -1);
    unlink(path);
    assert_int_equal(config_load(&c, "storage", PORT_OFF_STORAGE, err, sizeof err), -1);
    assert_non_null(strstr(err, "INSPRAAK_REDIS_PASSWORD_FILE"));
    unsetenv("INSPRAAK_REDIS_PASSWORD_FILE");
    rmdir(dir);
}

/* A systemd credential (LoadCredential=, INSPRAAK_REDIS_PASSWORD_FILE=%d/x)
 * that systemd made readable for the unit's user with an ACL shows mode
 * 0440 (the ACL mask in the group bits): it is read. Anything else
 * group-readable, or a credential others or the group may write, is not. */
static void test_redis_password_credential(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_config.XXXXXX", path[64], sub[64], sibling[80], err[256] = "";
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/redis-password", dir);
    snprintf(sub, sizeof sub, "%s/d", dir);
    snprintf(sibling, sizeof sibling, "%s-other/redis-password", dir);
    s_write(path, "pw\n", 0440);
    setenv("INSPRAAK_REDIS_PASSWORD_FILE", path, 1);
    setenv("INSPRAAK_REDIS_URL", "redis://inspraak-storage@127.0.0.1:6390", 1);
    config_t c;
    assert_int_equal(config_load(&c, "storage", PORT_OFF_STORAGE, err, sizeof err), -1);
    assert_non_null(strstr(err, "mode 0440")); /* no credentials folder: refused */
    setenv("CREDENTIALS_DIRECTORY", dir, 1);
    assert_int_equal(config_load(&c, "storage", PORT_OFF_STORAGE, err, sizeof err), 0);
    assert_string_equal(c.redis_url, "redis://inspraak-storage:pw@127.0.0.1:6390");
    assert_int_equal(chmod(path, 0444), 0);
    assert_int_equal(config_load(&c, "storage", PORT_OFF_STORAGE, err, sizeof err), -1);
    assert_non_null(strstr(err, "mode 0444"));
    assert_int_equal(chmod(path, 0460), 0);
    assert_int_equal(config_load(&c, "storage", PORT_OFF_STORAGE, err, sizeof err), -1);
    /* only files directly in the folder named by CREDENTIALS_DIRECTORY */
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(path, sizeof path, "%s/d/pw", dir);
    s_write(path, "pw\n", 0440);
    setenv("INSPRAAK_REDIS_PASSWORD_FILE", path, 1);
    assert_int_equal(config_load(&c, "storage", PORT_OFF_STORAGE, err, sizeof err), -1);
    unlink(path);
    rmdir(sub);
    setenv("INSPRAAK_REDIS_PASSWORD_FILE", sibling, 1); /* "/tmp/x-other" is not in "/tmp/x" */
    char odir[80];
    snprintf(odir, sizeof odir, "%s-other", dir);
    assert_int_equal(mkdir(odir, 0700), 0);
    s_write(sibling, "pw\n", 0440);
    assert_int_equal(config_load(&c, "storage", PORT_OFF_STORAGE, err, sizeof err), -1);
    assert_non_null(strstr(err, "mode 0440"));
    unlink(sibling);
    rmdir(odir);
    snprintf(path, sizeof path, "%s/redis-password", dir);
    unlink(path);
    unsetenv("CREDENTIALS_DIRECTORY");
    unsetenv("INSPRAAK_REDIS_URL");
    unsetenv("INSPRAAK_REDIS_PASSWORD_FILE");
    rmdir(dir);
}

static void test_range_errors(void **state)
{
    (void)state;
    static const struct {
        const char *var, *value;
    } bad[] = {
        {"INSPRAAK_PORT_BASE", "80"},
        {"INSPRAAK_PORT_BASE", "65001"},
        {"INSPRAAK_PORT_BASE", "8080x"},
        {"INSPRAAK_PORT_BASE", "acht"},
        {"INSPRAAK_INSTANCE", "-1"},
        {"INSPRAAK_INSTANCE", "100"},
        {"INSPRAAK_HTTP_PORT", "70000"},
        {"INSPRAAK_HTTP_THREADS", "1025"},
        {"INSPRAAK_MAX_BODY", "1023"},
        {"INSPRAAK_MAX_BODY", "999999999999"},
        {"INSPRAAK_RESEND_MS", "5"},
        {"INSPRAAK_RESEND_MS", "100ms"},
        {"INSPRAAK_HTTP_PORT", "99999999999999999999999"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        s_clear(NULL);
        setenv(bad[i].var, bad[i].value, 1);
        config_t c;
        char err[256] = "";
        if (config_load(&c, "storage", PORT_OFF_STORAGE, err, sizeof err) != -1)
            fail_msg("%s=%s accepted", bad[i].var, bad[i].value);
        /* The message names the variable so an operator can fix it. */
        if (!strstr(err, bad[i].var))
            fail_msg("error for %s does not name it: %s", bad[i].var, err);
    }
    long v = 0;
    char err[128];
    setenv("INSPRAAK_X_TEST", "12", 1);
    assert_int_equal(config_long("INSPRAAK_X_TEST", 5, 0, 10, &v, err, sizeof err), -1);
    assert_int_equal(v, 5);
    assert_int_equal(config_long("INSPRAAK_X_TEST", 5, 0, 20, &v, err, sizeof err), 0);
    assert_int_equal(v, 12);
    unsetenv("INSPRAAK_X_TEST");
    assert_int_equal(config_long("INSPRAAK_X_TEST", 5, 0, 20, &v, err, sizeof err), 0);
    assert_int_equal(v, 5);
}

static void test_too_long(void **state)
{
    (void)state;
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    setenv("INSPRAAK_VAR", big, 1);
    config_t c;
    char err[256] = "";
    assert_int_equal(config_load(&c, "storage", PORT_OFF_STORAGE, err, sizeof err), -1);
    assert_non_null(strstr(err, "INSPRAAK_VAR"));
}

static void test_var_path(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/test_config_XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char var[256];
    snprintf(var, sizeof var, "%s/deep/var", tmpl);
    setenv("INSPRAAK_VAR", var, 1);
    config_t c;
    char err[256] = "", path[512];
    assert_int_equal(config_load(&c, "storage", PORT_OFF_STORAGE, err, sizeof err), 0);
    assert_int_equal(config_var_path(&c, "spool/storage.0", path, sizeof path), 0);
    char want[512];
    snprintf(want, sizeof want, "%s/spool/storage.0", var);
    assert_string_equal(path, want);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    /* Again: the folder exists already, still fine. */
    assert_int_equal(config_var_path(&c, "spool/storage.0", path, sizeof path), 0);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_defaults, s_clear),
        cmocka_unit_test_setup(test_port_offsets, s_clear),
        cmocka_unit_test_setup(test_overrides, s_clear),
        cmocka_unit_test_setup(test_range_errors, s_clear),
        cmocka_unit_test_setup(test_redis_password_file, s_clear),
        cmocka_unit_test_setup(test_redis_password_credential, s_clear),
        cmocka_unit_test_setup(test_too_long, s_clear),
        cmocka_unit_test_setup(test_var_path, s_clear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
