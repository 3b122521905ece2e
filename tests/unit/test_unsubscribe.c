/*
 * NAME
 *   test_unsubscribe - the unsubscribe key file and signed links
 *
 * DESCRIPTION
 *   unsubscribe_key_load() makes the key file on first start; every
 *   process that signs or checks a link (notify, the dashboard) must end
 *   up with the same key, also when they start at the same moment, and a
 *   start that is killed half-way must not leave a file that stops every
 *   later start, and the temporary file such a start leaves beside the key
 *   is deleted by a later start once it is old (a young one may be another
 *   process's, starting at this moment). Owner: notify
 *   (services/notify/README.md).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include <cmocka.h>

#include "config.h"
#include "file.h"
#include "unsubscribe.h"

static void s_cfg(config_t *cfg, const char *dir)
{
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->var_dir, sizeof cfg->var_dir, "%s", dir);
}

static char *s_tmpdir(void)
{
    char tmpl[] = "/tmp/test-unsubscribe-XXXXXX";
    char *dir = mkdtemp(tmpl);
    assert_non_null(dir);
    return strdup(dir);
}

static void s_rmdir(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* Files in dir other than "secret". */
static int s_strays(const char *dir)
{
    char cmd[600], line[64] = "";
    snprintf(cmd, sizeof cmd, "ls -A '%s' | grep -vx secret | wc -l", dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(line, sizeof line, p));
    pclose(p);
    return atoi(line);
}

/* A fresh folder (caller frees) whose key was made and loaded into key. */
static char *s_first_start(config_t *cfg, unsigned char key[UNSUBSCRIBE_KEY_BYTES])
{
    char *dir = s_tmpdir();
    char err[256];
    s_cfg(cfg, dir);
    assert_int_equal(unsubscribe_key_load(cfg, key, err, sizeof err), 0);
    return dir;
}

static void test_key_is_made_once_and_kept(void **state)
{
    (void)state;
    config_t cfg;
    unsigned char a[UNSUBSCRIBE_KEY_BYTES], b[UNSUBSCRIBE_KEY_BYTES];
    char *dir = s_first_start(&cfg, a), err[256];
    assert_int_equal(unsubscribe_key_load(&cfg, b, err, sizeof err), 0);
    assert_memory_equal(a, b, sizeof a);

    char path[600];
    struct stat st;
    snprintf(path, sizeof path, "%s/secret", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, UNSUBSCRIBE_KEY_BYTES);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(s_strays(dir), 0);

    /* a link signed with the key checks out, another pid's does not */
    char sig[UNSUBSCRIBE_SIG_SIZE];
    unsubscribe_sign(a, "p-0123456789abcdef", sig);
    assert_int_equal(unsubscribe_verify(b, "p-0123456789abcdef", sig), 1);
    assert_int_equal(unsubscribe_verify(b, "p-0123456789abcdee", sig), 0);
    s_rmdir(dir);
    free(dir);
}

/* Processes that start at the same moment on a fresh folder (notify and
 * the dashboard after an install): each must get a key, and the same
 * one. Before, the one that lost the O_EXCL race could read the file
 * before the winner had written it, and stopped with "shorter than 32
 * bytes". Many rounds, as the window is short. */
#define RACERS 6
#define ROUNDS 60

static void test_processes_starting_together_agree(void **state)
{
    (void)state;
    int failed = 0, differ = 0;
    for (int round = 0; round < ROUNDS; round++) {
        char *dir = s_tmpdir();
        config_t cfg;
        s_cfg(&cfg, dir);
        int fds[RACERS][2];
        pid_t pid[RACERS];
        for (int i = 0; i < RACERS; i++) {
            assert_int_equal(pipe(fds[i]), 0);
            pid[i] = fork();
            assert_true(pid[i] >= 0);
            if (pid[i] == 0) {
                unsigned char k[UNSUBSCRIBE_KEY_BYTES];
                char err[256];
                int r = unsubscribe_key_load(&cfg, k, err, sizeof err);
                if (r == 0 && write(fds[i][1], k, sizeof k) != (ssize_t)sizeof k)
                    r = -1;
                _exit(r == 0 ? 0 : 1);
            }
            close(fds[i][1]);
        }
        unsigned char first[UNSUBSCRIBE_KEY_BYTES];
        for (int i = 0; i < RACERS; i++) {
            unsigned char k[UNSUBSCRIBE_KEY_BYTES];
            int status = 0;
            ssize_t n = read(fds[i][0], k, sizeof k);
            close(fds[i][0]);
            assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || n != (ssize_t)sizeof k) {
                failed++;
                continue;
            }
            if (i == 0)
                memcpy(first, k, sizeof k);
            else if (memcmp(first, k, sizeof k) != 0)
                differ++;
        }
        assert_int_equal(s_strays(dir), 0);
        s_rmdir(dir);
        free(dir);
    }
    assert_int_equal(failed, 0);
    assert_int_equal(differ, 0);
}

/* A start killed between making the file and writing the key used to
 * leave an empty "secret", and every later start then failed. The key
 * is now written to a file of its own and linked into place whole, so
 * "secret" is never there half-written: a process stopped at any point
 * of the first start leaves either no key file or a whole one. Stopped
 * here by SIGKILL from itself at random moments (a child that sends
 * itself SIGKILL after a random few microseconds). */
static void test_a_killed_first_start_leaves_no_broken_key(void **state)
{
    (void)state;
    int broken = 0;
    for (int round = 0; round < 200; round++) {
        char *dir = s_tmpdir();
        config_t cfg;
        s_cfg(&cfg, dir);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            unsigned char k[UNSUBSCRIBE_KEY_BYTES];
            char err[256];
            unsubscribe_key_load(&cfg, k, err, sizeof err);
            _exit(0);
        }
        usleep((useconds_t)(round % 40) * 5);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        unsigned char k[UNSUBSCRIBE_KEY_BYTES];
        char err[256];
        if (unsubscribe_key_load(&cfg, k, err, sizeof err) != 0) {
            print_error("round %d: %s\n", round, err);
            broken++;
        }
        s_rmdir(dir);
        free(dir);
    }
    assert_int_equal(broken, 0);
}

static void s_touch(const char *dir, const char *name, time_t age_s)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("0123456789abcdef0123456789abcdef", f);
    fclose(f);
    struct utimbuf t = {.actime = time(NULL) - age_s, .modtime = time(NULL) - age_s};
    assert_int_equal(utime(path, &t), 0);
}

static int s_exists(const char *dir, const char *name)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

static void test_a_crash_leftover_is_removed_at_a_later_start(void **state)
{
    (void)state;
    config_t cfg;
    unsigned char k1[UNSUBSCRIBE_KEY_BYTES], k2[UNSUBSCRIBE_KEY_BYTES];
    char *dir = s_first_start(&cfg, k1), err[256];
    /* what a start killed between mkstemp() and unlink() left a day ago,
     * one being written right now, and an operator's copy of the key */
    s_touch(dir, "secret.tmp-Ab3dEf", 86400);
    s_touch(dir, "secret.tmp-Zz9Yy8", 0);
    s_touch(dir, "secret.backup", 86400);
    assert_int_equal(unsubscribe_key_load(&cfg, k2, err, sizeof err), 0);
    assert_memory_equal(k1, k2, sizeof k1);
    assert_false(s_exists(dir, "secret.tmp-Ab3dEf"));
    assert_true(s_exists(dir, "secret.tmp-Zz9Yy8"));
    assert_true(s_exists(dir, "secret.backup"));
    s_rmdir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_is_made_once_and_kept),
        cmocka_unit_test(test_processes_starting_together_agree),
        cmocka_unit_test(test_a_killed_first_start_leaves_no_broken_key),
        cmocka_unit_test(test_a_crash_leftover_is_removed_at_a_later_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
