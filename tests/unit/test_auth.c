/*
 * NAME
 *   test_auth - tokens and account records as inspraakctl and the
 *   dashboard's /beheer page write them, and as the services check them
 *
 * DESCRIPTION
 *   The pure parts (name rule, token shape, the hash against a BLAKE2b-256
 *   vector) need nothing. The rest runs against a real redis-server
 *   (tests/unit/test_redis_util.h) on INSPRAAK_TEST_PORTS' first port + 97
 *   (else 26097): a device written by auth_device_add_lua is accepted by
 *   auth_device_check() with its token and no other, and refused once
 *   auth_device_revoke_lua ran; a staff token kept under its hash passes
 *   auth_token_check(); a user is never overwritten.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "rstore.h"
#include "test_redis_util.h"

static int s_port;
static pid_t s_pid;
static char s_dir[64];
static rstore_t *s_rs;

static int s_group_setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    const char *range = getenv("INSPRAAK_TEST_PORTS");
    s_port = (range && atoi(range) > 0 ? atoi(range) : 26000) + 97;
    snprintf(s_dir, sizeof s_dir, "/tmp/test_auth_XXXXXX");
    if (!mkdtemp(s_dir))
        return -1;
    s_pid = test_redis_start(s_port, s_dir, NULL);
    if (s_pid <= 0)
        return -1;
    char url[64], err[256];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d", s_port);
    s_rs = rstore_new(url, err, sizeof err);
    return s_rs ? 0 : -1;
}

static int s_group_teardown(void **state)
{
    (void)state;
    rstore_destroy(&s_rs);
    test_redis_stop(&s_pid);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* EVAL of one of the record scripts with kv[0..n) (nkeys keys, then the
 * arguments); the integer it returned, or -1. */
static long long s_eval(const char *script, int nkeys, const char **kv, int n)
{
    const char *argv[8] = {"EVAL", script, nkeys == 1 ? "1" : "2"};
    for (int i = 0; i < n; i++)
        argv[3 + i] = kv[i];
    redisReply *r = rstore_cmdargv(s_rs, 3 + n, argv, NULL);
    long long v = r && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
    if (!r)
        print_error("redis: %s\n", rstore_error(s_rs));
    if (r)
        freeReplyObject(r);
    return v;
}

static void test_valid_name(void **state)
{
    (void)state;
    char longest[AUTH_NAME_MAX + 2];
    memset(longest, 'a', sizeof longest);
    longest[AUTH_NAME_MAX] = '\0';
    assert_true(auth_valid_name("wijkteam.noord_2@heerlen-nl"));
    assert_true(auth_valid_name(longest));
    longest[AUTH_NAME_MAX] = 'a';
    longest[AUTH_NAME_MAX + 1] = '\0';
    assert_false(auth_valid_name(longest));
    assert_false(auth_valid_name(""));
    assert_false(auth_valid_name("twee woorden"));
    assert_false(auth_valid_name("caf\xc3\xa9"));
    assert_false(auth_valid_name("a/b"));
    assert_false(auth_valid_name("a:b"));
}

static void test_token_shape(void **state)
{
    (void)state;
    char a[AUTH_TOKEN_SIZE], b[AUTH_TOKEN_SIZE];
    auth_token_new("isd_", a);
    auth_token_new("isk_", b);
    assert_int_equal(strlen(a), 4 + 43);
    assert_int_equal(strlen(b), 4 + 43);
    assert_memory_equal(a, "isd_", 4);
    assert_memory_equal(b, "isk_", 4);
    assert_int_equal(
        strspn(a + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 43);
    assert_string_not_equal(a + 4, b + 4);
}

static void test_hash_is_blake2b_256_hex(void **state)
{
    (void)state;
    char hex[AUTH_HASH_HEX];
    auth_token_hash("abc", hex);
    /* RFC 7693's BLAKE2b test input, 32-byte digest (Python hashlib agrees). */
    assert_string_equal(hex, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
}

static void test_device_add_check_revoke(void **state)
{
    (void)state;
    char token[AUTH_TOKEN_SIZE], other[AUTH_TOKEN_SIZE], hash[AUTH_HASH_HEX],
        name[AUTH_NAME_MAX + 1];
    auth_token_new("isd_", token);
    auth_token_new("isd_", other);
    auth_token_hash(token, hash);
    char tkey[AUTH_HASH_HEX + 32];
    snprintf(tkey, sizeof tkey, AUTH_DEVICE_TOKEN_PREFIX "%s", hash);
    const char *add[] = {AUTH_DEVICE_PREFIX "tablet-1", tkey, hash, "1764320000000", "tablet-1"};
    assert_int_equal(s_eval(auth_device_add_lua, 2, add, 5), 1);
    assert_int_equal(auth_device_check(s_rs, token, name, sizeof name), 1);
    assert_string_equal(name, "tablet-1");
    assert_int_equal(auth_device_check(s_rs, other, name, sizeof name), 0);
    assert_string_equal(name, "");
    /* A live device is left alone. */
    assert_int_equal(s_eval(auth_device_add_lua, 2, add, 5), 0);

    const char *rev[] = {AUTH_DEVICE_PREFIX "tablet-1", "1764320001000", AUTH_DEVICE_TOKEN_PREFIX};
    assert_int_equal(s_eval(auth_device_revoke_lua, 1, rev, 3), 1);
    assert_int_equal(auth_device_check(s_rs, token, name, sizeof name), 0);
    assert_int_equal(s_eval(auth_device_revoke_lua, 1, rev, 3), 2);
    const char *unknown[] = {AUTH_DEVICE_PREFIX "nope", "1764320001000", AUTH_DEVICE_TOKEN_PREFIX};
    assert_int_equal(s_eval(auth_device_revoke_lua, 1, unknown, 3), 0);
}

static void test_staff_token_and_user(void **state)
{
    (void)state;
    char token[AUTH_TOKEN_SIZE], hash[AUTH_HASH_HEX];
    auth_token_new("isk_", token);
    assert_int_equal(auth_token_check(s_rs, token), 0);
    auth_token_hash(token, hash);
    redisReply *r = rstore_cmd(s_rs, "HSET " AUTH_KEY_PREFIX "%s name t role staff", hash);
    assert_non_null(r);
    freeReplyObject(r);
    assert_int_equal(auth_token_check(s_rs, token), 1);
    assert_int_equal(auth_token_check(s_rs, ""), 0);
    assert_int_equal(auth_token_check(s_rs, NULL), 0);

    const char *first[] = {"inspraak:user:anna", "pw1", "staff", "1"};
    const char *again[] = {"inspraak:user:anna", "pw2", "admin", "2"};
    assert_int_equal(s_eval(auth_user_add_lua, 1, first, 4), 1);
    assert_int_equal(s_eval(auth_user_add_lua, 1, again, 4), 0);
    r = rstore_cmd(s_rs, "HGET inspraak:user:anna role");
    assert_non_null(r);
    assert_string_equal(r->str, "staff");
    freeReplyObject(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_name),
        cmocka_unit_test(test_token_shape),
        cmocka_unit_test(test_hash_is_blake2b_256_hex),
        cmocka_unit_test(test_device_add_check_revoke),
        cmocka_unit_test(test_staff_token_and_user),
    };
    return cmocka_run_group_tests(tests, s_group_setup, s_group_teardown);
}
