/*
 * NAME
 *   test_transcript_inbox - the drop folder of intake-transcript and its log
 *
 * DESCRIPTION
 *   services/intake-transcript/inbox.c (with ingest and the parsers),
 *   included as source, run on a temporary folder. What an operator would
 *   check: a file is logged by its file_ref (the first 12 hex digits of the
 *   SHA-256 of its name, as sha256sum gives them), never by its name (often
 *   the interviewee's), so a name with spaces, quotes or a newline can
 *   neither be read in the log nor cut the line or forge a second one
 *   (log.h); the file still ends in failed/ with its .why, which ends with
 *   the same file_ref. What the street-interview team checks: a name used
 *   again (interview.vtt every week) keeps the earlier file; leeg.vtt and
 *   leeg.srt each keep their own reason (leeg.vtt.why, leeg.srt.why); an
 *   empty file is failed as empty and one without a resident's statement
 *   saying so; a sidecar still being written holds its transcript back.
 *   No intake is needed: the files here fail before anything is spooled.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utime.h>

/* inbox.c and webvtt.c each have a static s_fail() */
#define s_fail s_inbox_fail
#include "../../services/intake-transcript/inbox.c"
#undef s_fail
#include "../../services/intake-transcript/ingest.c"
#include "../../services/intake-transcript/plaintext.c"
#include "../../services/intake-transcript/repeat.c"
#include "../../services/intake-transcript/seen.c"
#include "../../services/intake-transcript/srt.c"
#include "../../services/intake-transcript/trim.c"
#include "../../services/intake-transcript/turns.c"
#include "../../services/intake-transcript/webvtt.c"

/* A fresh transcripts folder with inbox/ (caller removes it: s_rmdir). */
static char *s_mkdir_tmp(void)
{
    char *dir = xstrdup("/tmp/test_transcript_inbox.XXXXXX");
    assert_non_null(mkdtemp(dir));
    char *in = xasprintf("%s/inbox", dir);
    assert_int_equal(mkdir(in, 0750), 0);
    free(in);
    return dir;
}

static void s_rmdir(char *dir)
{
    char *cmd = xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(dir);
}

/* Writes dir/sub/name holding body, last modified age seconds ago
 * (negative: in the future, as a file still being written). */
static void s_put(const char *dir, const char *sub, const char *name, const char *body, int age)
{
    char *path = xasprintf("%s/%s/%s", dir, sub, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(body, f);
    assert_int_equal(fclose(f), 0);
    struct utimbuf t = {.actime = time(NULL) - age, .modtime = time(NULL) - age};
    assert_int_equal(utime(path, &t), 0);
    free(path);
}

/* Drops name into inbox/ (written two seconds ago) and waits until the
 * running inbox moved it out. The inbox looks every second; a generous
 * bound, not a threshold. */
static void s_drop_and_wait(const char *dir, const char *name, const char *body)
{
    s_put(dir, "inbox", name, body, 2);
    char *path = xasprintf("%s/inbox/%s", dir, name);
    for (int i = 0; i < 6000 && access(path, F_OK) == 0; i++)
        usleep(10000);
    assert_int_not_equal(access(path, F_OK), 0);
    free(path);
}

/* dir/sub/name, or NULL when there is none (caller frees). */
static char *s_get(const char *dir, const char *sub, const char *name)
{
    char *path = xasprintf("%s/%s/%s", dir, sub, name);
    size_t len;
    char *s = file_read(path, 1 << 20, &len);
    free(path);
    return s;
}

static bool s_exists(const char *dir, const char *sub, const char *name)
{
    char *path = xasprintf("%s/%s/%s", dir, sub, name);
    bool there = access(path, F_OK) == 0;
    free(path);
    return there;
}

/* How many files in dir/sub hold exactly body. */
static int s_count_holding(const char *dir, const char *sub, const char *body)
{
    char *path = xasprintf("%s/%s", dir, sub);
    DIR *d = opendir(path);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *s = e->d_name[0] == '.' ? NULL : s_get(dir, sub, e->d_name);
        n += s && strcmp(s, body) == 0;
        free(s);
    }
    closedir(d);
    free(path);
    return n;
}

static inbox_t *s_start(const char *dir)
{
    static ingest_t ing = {.intake = NULL, .geo = NULL, .interviewers = "Interviewer"};
    char err[256];
    inbox_t *ib = inbox_start(&ing, dir, NULL, NULL, err, sizeof err);
    assert_non_null(ib);
    return ib;
}

/* A fresh folder after a running inbox read files[i] = {name, body}, one
 * after the other (caller removes it: s_rmdir). */
static char *s_read_all(const char *const files[][2], size_t n)
{
    char *dir = s_mkdir_tmp();
    inbox_t *ib = s_start(dir);
    for (size_t i = 0; i < n; i++)
        s_drop_and_wait(dir, files[i][0], files[i][1]);
    inbox_stop(&ib);
    return dir;
}

/* Drops name (unreadable bytes, written two seconds ago) into a fresh
 * inbox, waits until the inbox moved it to failed/, and returns what was
 * logged meanwhile (caller frees). */
static char *s_fail_and_log(const char *name)
{
    char dir[] = "/tmp/test_transcript_inbox.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *in = xasprintf("%s/inbox", dir);
    assert_int_equal(mkdir(in, 0750), 0);
    char *path = xasprintf("%s/%s", in, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("\x01\x02\x03 geen tekst", f);
    fclose(f);
    struct utimbuf old = {.actime = time(NULL) - 2, .modtime = time(NULL) - 2};
    assert_int_equal(utime(path, &old), 0);

    char logpath[] = "/tmp/test_transcript_inbox.log.XXXXXX";
    int logfd = mkstemp(logpath);
    assert_true(logfd >= 0);
    int saved = dup(STDERR_FILENO);
    dup2(logfd, STDERR_FILENO);

    ingest_t ing = {.intake = NULL, .geo = NULL, .interviewers = "Interviewer"};
    char err[256];
    inbox_t *ib = inbox_start(&ing, dir, NULL, NULL, err, sizeof err);
    assert_non_null(ib);
    char *failed = xasprintf("%s/failed/%s", dir, name);
    /* The inbox looks every second; a generous bound, not a threshold. */
    for (int i = 0; i < 6000 && access(failed, F_OK) != 0; i++)
        usleep(10000);
    assert_int_equal(access(failed, F_OK), 0);
    inbox_stop(&ib);

    dup2(saved, STDERR_FILENO);
    close(saved);
    size_t len;
    char *log = file_read(logpath, 1 << 20, &len);
    assert_non_null(log);
    close(logfd);
    unlink(logpath);
    char *cmd = xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(failed);
    free(path);
    free(in);
    return log;
}

static void test_file_logged_by_ref_not_name(void **state)
{
    (void)state;
    const char *name = "Gesprek met Anna\nts=x level=error msg=\"forged\".txt";
    char *log = s_fail_and_log(name);
    /* one line, and it is the service's own */
    size_t lines = 0;
    for (char *p = log; *p; p++)
        lines += *p == '\n';
    if (lines != 1 || strncmp(log, "ts=", 3) != 0 || !strstr(log, "msg=\"transcript failed\""))
        fail_msg("want one 'transcript failed' line, got:\n%s", log);
    if (strstr(log, "Anna") || strstr(log, "forged"))
        fail_msg("the file name is in the log:\n%s", log);
    /* printf %s "$name" | sha256sum | cut -c1-12 */
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[2 * crypto_hash_sha256_BYTES + 1], want[64];
    crypto_hash_sha256(h, (const unsigned char *)name, strlen(name));
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(want, sizeof want, "file_ref=%.12s", hex);
    if (!strstr(log, want))
        fail_msg("want %s in the log line, got:\n%s", want, log);
    free(log);
}

/* A name used again ("interview.vtt" every week) for another file: the
 * earlier file in failed/ is kept beside the new one, never replaced. */
static void test_same_name_again_keeps_both(void **state)
{
    (void)state;
    const char *week1 = "\x01\x02\x03 week 1", *week2 = "\x01\x02\x03 week 2";
    const char *const files[][2] = {{"interview.vtt", week1}, {"interview.vtt", week2}};
    char *dir = s_read_all(files, 2);
    assert_int_equal(s_count_holding(dir, "failed", week1), 1);
    assert_int_equal(s_count_holding(dir, "failed", week2), 1);
    s_rmdir(dir);
}

/* leeg.vtt and leeg.srt both fail: each keeps its own reason, in a .why
 * named after its whole name, next to it. */
static void test_why_named_after_the_whole_name(void **state)
{
    (void)state;
    const char *const files[][2] = {{"leeg.vtt", "geen ondertitels\n"},
                                    {"leeg.srt", "geen ondertitels\n"}};
    char *dir = s_read_all(files, 2);
    char *vtt = s_get(dir, "failed", "leeg.vtt.why"), *srt = s_get(dir, "failed", "leeg.srt.why");
    if (!vtt || !srt || !strstr(vtt, "WebVTT") || !strstr(srt, "SRT"))
        fail_msg("want failed/leeg.vtt.why (WebVTT) and failed/leeg.srt.why (SRT), got %s, %s",
                 vtt ? vtt : "none", srt ? srt : "none");
    assert_true(s_exists(dir, "failed", "leeg.vtt"));
    assert_true(s_exists(dir, "failed", "leeg.srt"));
    free(vtt);
    free(srt);
    s_rmdir(dir);
}

/* An empty file is failed as empty; a file without a resident's statement
 * (only the WEBVTT header, or only the interviewer) is failed saying so,
 * not put in done/ with 0 ideas and no word to staff. */
static void test_empty_or_no_statement_is_told(void **state)
{
    (void)state;
    const char *const files[][2] = {
        {"leeg.vtt", ""},
        {"kop.vtt", "WEBVTT\n"},
        {"vraag.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Interviewer>Wat mist u?\n"}};
    char *dir = s_read_all(files, 3);
    const char *want[][2] = {{"leeg.vtt.why", "Het bestand is leeg."},
                             {"kop.vtt.why", "geen uitspraak"},
                             {"vraag.vtt.why", "geen uitspraak"}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char *why = s_get(dir, "failed", want[i][0]);
        if (!why || !strstr(why, want[i][1]))
            fail_msg("want failed/%s saying \"%s\", got %s", want[i][0], want[i][1],
                     why ? why : "none");
        free(why);
    }
    assert_false(s_exists(dir, "done", "kop.vtt"));
    s_rmdir(dir);
}

/* A sidecar still being written (changed just now) holds its transcript
 * back until it has settled too; then the file is read with its fields,
 * not failed as having an invalid sidecar. */
static void test_sidecar_being_written_is_waited_for(void **state)
{
    (void)state;
    char *dir = s_mkdir_tmp();
    s_put(dir, "inbox", "interview.vtt", "WEBVTT\n", 2);
    /* half written; changed "now" for as long as the test needs */
    s_put(dir, "inbox", "interview.json", "{\"video_id\": \"plein-", -3600);
    inbox_t *ib = s_start(dir);
    /* Two later files read: the look that read the first had begun
     * before, and has ended by the second, so it saw interview.vtt. */
    s_drop_and_wait(dir, "een.txt", "\x01\x02\x03");
    s_drop_and_wait(dir, "twee.txt", "\x01\x02\x03");
    assert_false(s_exists(dir, "failed", "interview.vtt"));
    assert_true(s_exists(dir, "inbox", "interview.vtt"));
    s_drop_and_wait(dir, "interview.json", "{\"video_id\": \"plein-2026\"}");
    char *path = xasprintf("%s/inbox/interview.vtt", dir);
    for (int i = 0; i < 6000 && access(path, F_OK) == 0; i++)
        usleep(10000);
    free(path);
    inbox_stop(&ib);
    char *why = s_get(dir, "failed", "interview.vtt.why");
    if (!why || !strstr(why, "geen uitspraak")) /* the sidecar was read whole */
        fail_msg("want failed/interview.vtt.why saying no statement, got %s", why ? why : "none");
    free(why);
    s_rmdir(dir);
}

/* A share or FAT disk keeps file times in whole seconds: a file written
 * at 12:00:00.900 says 12:00:00. Read as exact, it looked settled at
 * 12:00:01.000, 0.1 s after its last write, and a copy still running
 * would be read half. Such a time counts as the end of its second. */
static void test_whole_second_file_time_waits_the_full_settle(void **state)
{
    (void)state;
    inbox_t ib;
    memset(&ib, 0, sizeof ib);
    ib.settle_ms = 1000;
    struct stat st;
    memset(&st, 0, sizeof st);
    st.st_mtim.tv_sec = 1700000000; /* whole seconds: tv_nsec 0 */
    assert_false(s_settled(&ib, &st, 1700000000LL * 1000 + 1500));
    assert_true(s_settled(&ib, &st, 1700000000LL * 1000 + 2000));
    st.st_mtim.tv_nsec = 500 * 1000000L; /* a disk that keeps more */
    assert_true(s_settled(&ib, &st, 1700000000LL * 1000 + 1500));
    assert_false(s_settled(&ib, &st, 1700000000LL * 1000 + 1400));
}

/* A done/ that cannot be listed (here: a file where the folder should be)
 * starts no trim pass: every old entry would look as if its done/ copy
 * were gone, and a repeat still in done/ would be read again. The step
 * asks Redis nothing (rs NULL would crash it) and is tried again later.
 * No done/ at all is no error: it holds nothing. */
static void test_trim_waits_while_done_cannot_be_listed(void **state)
{
    (void)state;
    char *dir = s_mkdir_tmp();
    trim_t *t = trim_new(dir, 1);
    assert_int_equal(s_list_done(t), 0); /* no done/ yet */
    s_put(dir, ".", "done", "not a folder", 0);
    assert_int_equal(trim_step(t, NULL), 0);
    assert_false(t->in_pass);
    assert_true(t->next_pass > clock_mono_ms());
    trim_destroy(&t);
    s_rmdir(dir);
}

int main(void)
{
    log_init("intake-transcript");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_logged_by_ref_not_name),
        cmocka_unit_test(test_same_name_again_keeps_both),
        cmocka_unit_test(test_why_named_after_the_whole_name),
        cmocka_unit_test(test_empty_or_no_statement_is_told),
        cmocka_unit_test(test_sidecar_being_written_is_waited_for),
        cmocka_unit_test(test_trim_waits_while_done_cannot_be_listed),
        cmocka_unit_test(test_whole_second_file_time_waits_the_full_settle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
