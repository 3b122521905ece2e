/*
 * NAME
 *   report_pdf - /report?format=pdf: headless Chromium prints the report
 *
 * DESCRIPTION
 *   Chromium (INSPRAAK_CHROMIUM, default /usr/bin/chromium) is started
 *   with --headless --print-to-pdf against this dashboard's own
 *   http://127.0.0.1:<port>/report?token=<one-time token> (report.c), with a
 *   fresh profile folder under $INSPRAAK_VAR/tmp that is removed afterwards.
 *   It gets S_TIMEOUT_S seconds; then it is killed and the answer is 504.
 *   The PDF is tagged (Chromium's default: headings, lists, tables and
 *   the page language for a screen reader) and has bookmarks made from
 *   the headings.
 *   Without Chromium the answer is 503 with a Dutch message: the HTML
 *   report still works and can be printed from any browser.
 */
#define _GNU_SOURCE /* vasprintf, nftw */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dashboard.h"
#include "file.h"
#include "log.h"
#include "xalloc.h"

#define S_TIMEOUT_S 60
#define S_MAX_PDF ((size_t)64 * 1024 * 1024)

extern char **environ;

static int s_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

/* Runs chromium; 0 when it exited 0 in time, -1 otherwise. */
static int s_run(const char *chromium, const char *profile, const char *out, const char *url)
{
    char *a_profile = xasprintf("--user-data-dir=%s", profile);
    char *a_out = xasprintf("--print-to-pdf=%s", out);
    char *argv[] = {(char *)chromium,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--no-pdf-header-footer",
                    /* bookmarks from the headings, to go to a chapter */
                    "--generate-pdf-document-outline",
                    a_profile,
                    a_out,
                    (char *)url,
                    NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    /* The dashboard blocks SIGTERM/SIGINT for sigwait(); Chromium must not
     * inherit that mask, or it could not be stopped politely. */
    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
    pid_t pid;
    int rc = posix_spawn(&pid, chromium, &fa, &at, argv, environ);
    posix_spawnattr_destroy(&at);
    posix_spawn_file_actions_destroy(&fa);
    free(a_profile);
    free(a_out);
    if (rc != 0) {
        log_error("msg=\"cannot start chromium\" err=\"%s\"", strerror(rc));
        return -1;
    }
    int status = 0;
    for (int i = 0; i < S_TIMEOUT_S * 10; i++) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
        struct timespec ts = {0, 100000000L};
        nanosleep(&ts, NULL);
    }
    log_error("msg=\"chromium timed out; killed\"");
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

void report_pdf(dash_t *d, rstore_t *rs, http_res_t *res)
{
    if (access(d->chromium, X_OK) != 0) {
        page_message(res, 503, "PDF niet beschikbaar",
                     "Op deze server kan nu geen PDF worden gemaakt (Chromium ontbreekt). "
                     "Open het verslag in de browser en kies Afdrukken.");
        return;
    }
    unsigned char rnd[32], h[32];
    char token[65], hex[65], tmp[512];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(token, sizeof token, rnd, sizeof rnd);
    crypto_generichash(h, sizeof h, (const unsigned char *)token, 64, NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    redisReply *r = rstore_cmd(rs, "SET " DASH_KEY_PREFIX "report-token:%s 1 EX 120", hex);
    if (!r) {
        dash_unavailable_page(res, rs);
        return;
    }
    freeReplyObject(r);
    if (config_var_path(&d->cfg, "tmp", tmp, sizeof tmp) < 0) {
        page_message(res, 500, "Fout", "Er kon geen tijdelijke map worden gemaakt.");
        return;
    }
    char *dir = xasprintf("%s/report-XXXXXX", tmp);
    if (!mkdtemp(dir)) {
        free(dir);
        page_message(res, 500, "Fout", "Er kon geen tijdelijke map worden gemaakt.");
        return;
    }
    char *profile = xasprintf("%s/profile", dir), *out = xasprintf("%s/verslag.pdf", dir);
    char *url = xasprintf("http://127.0.0.1:%d/report?token=%s", d->cfg.http_port, token);
    size_t len = 0;
    /* A PDF over S_MAX_PDF is refused (file_read: EFBIG), never served cut off. */
    char *pdf =
        s_run(d->chromium, profile, out, url) == 0 ? file_read(out, S_MAX_PDF, &len) : NULL;
    nftw(dir, s_rm, 16, FTW_DEPTH | FTW_PHYS);
    if (!pdf || len < 5 || memcmp(pdf, "%PDF", 4) != 0) {
        free(pdf);
        page_message(res, 504, "PDF mislukt",
                     "Het maken van de PDF is niet gelukt. Probeer het opnieuw, of druk het "
                     "verslag af vanuit de browser.");
    } else {
        http_res_take(res, 200, "application/pdf", pdf, len);
        http_res_header(res, "Content-Disposition",
                        "attachment; filename=\"participatieverslag.pdf\"");
        http_res_header(res, "Cache-Control", "no-store");
    }
    free(dir);
    free(profile);
    free(out);
    free(url);
}
