/*
 * NAME
 *   test_unsubscribe - the unsubscribe key file and signed links
 *
 * DESCRIPTION
 *   unsubscribe_key_load() makes the key file on first start; every
 *   process that signs or checks a link (notify, the dashboard) must end
 *   up with the same key, also when they start at the same moment, and a
 *   start that is killed half-way must not leave a file that stops every
 *   later start. Owner: notify (services/notify/README.md).
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
#include <unistd.h>

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

static void test_key_is_made_once_and_kept(void **state)
{
    (void)state;
    char *dir = s_tmpdir();
    config_t cfg;
    s_cfg(&cfg, dir);
    unsigned char a[UNSUBSCRIBE_KEY_BYTES], b[UNSUBSCRIBE_KEY_BYTES];
    char err[256];
    assert_int_equal(unsubscribe_key_load(&cfg, a, err, sizeof err), 0);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_is_made_once_and_kept),
        cmocka_unit_test(test_processes_starting_together_agree),
        cmocka_unit_test(test_a_killed_first_start_leaves_no_broken_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
