/*
 * NAME
 *   supervisor - start, watch and restart the inspraak processes
 *
 * SYNOPSIS
 *   supervisor [-l LOGDIR] PROCFILE
 *
 * DESCRIPTION
 *   PROCFILE holds "name: command args" lines ("#" comments, blank lines
 *   skipped). Each command runs as /bin/sh -c "exec command", so $VARS
 *   expand and the pid we see is the service's own. Processes start in file
 *   order, at once: services cope with Redis or a peer starting late.
 *   Pid files: $INSPRAAK_VAR/run/NAME.pid while a child runs, and
 *   run/supervisor.pid. A child that exits or is killed is started again
 *   after 250 ms, doubling up to 30 s, back to 250 ms once it had run 60 s
 *   (what systemd's Restart=always does in production, so a test that
 *   kill -9's a service sees production's recovery). INSPRAAK_RESTART_MAX_MS
 *   (250-30000) lowers the 30 s, for a test that kills one service many
 *   times and is about what follows the restart, not the back-off.
 *   SIGTERM/SIGINT/SIGHUP: SIGTERM to every child, 10 s grace, SIGKILL, exit 0.
 *   Ctrl-C sends SIGINT to the whole foreground process group. Children
 *   stay in our group but start with SIGINT ignored, so each gets exactly
 *   one stop signal: our SIGTERM, or the terminal's SIGINT for a child that
 *   installs its own SIGINT handler (Redis). If we die, the kernel sends
 *   them SIGTERM (PR_SET_PDEATHSIG): no orphans.
 *   -l LOGDIR (or INSPRAAK_LOG_DIR): each child's stdout and stderr are
 *   appended to LOGDIR/NAME.log; otherwise they share ours (the terminal).
 *
 * DIAGNOSTICS
 *   Structured lines on stderr (common/log.h). Exit 0 after a requested
 *   stop; 1 when it cannot start (bad Procfile, another supervisor on this
 *   INSPRAAK_VAR, run/ not writable); 2 on bad usage. See README.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "log.h"
#include "xalloc.h"

#define SV_MAX_CHILDREN 32
#define SV_MAX_LINE 4096
#define SV_DELAY_FIRST_MS 250
#define SV_DELAY_MAX_MS 30000
#define SV_STABLE_MS 60000 /* a child that ran this long starts over at the first delay */
#define SV_STOP_GRACE_MS 10000

typedef struct {
    char name[64];
    char pid_path[720];
    char *cmd;          /* "exec " + the Procfile command; owned */
    pid_t pid;          /* 0 when not running */
    int64_t started_ms;
    int64_t restart_at; /* when to start again; 0 = not scheduled */
    long delay_ms;      /* the next restart delay */
} sv_child_t;

typedef struct {
    sv_child_t kids[SV_MAX_CHILDREN];
    int n;
    char run_dir[600];
    char pid_path[720]; /* run/supervisor.pid */
    const char *log_dir; /* NULL: children share our stdout/stderr */
    sigset_t old_mask;   /* restored in children */
    pid_t self;
    long delay_max_ms; /* SV_DELAY_MAX_MS or INSPRAAK_RESTART_MAX_MS */
} supervisor_t;

/* Adds one "name: command" line; returns NULL or the reason it cannot. */
static const char *s_add_line(supervisor_t *sv, char *line)
{
    char *colon = strchr(line, ':');
    const char *why = NULL;
    if (!colon)
        colon = line; /* gives an empty name, rejected below */
    size_t nlen = (size_t)(colon - line);
    while (nlen && (line[nlen - 1] == ' ' || line[nlen - 1] == '\t'))
        nlen--;
    line[nlen] = '\0';
    char *cmd = colon + 1;
    while (*cmd == ' ' || *cmd == '\t')
        cmd++;
    static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
    if (nlen == 0 || nlen >= 64 || strspn(line, ok) != nlen || !strcmp(line, "supervisor"))
        why = "expected \"name: command\", name of letters, digits, - _ .";
    else if (!*cmd)
        why = "empty command";
    else if (sv->n == SV_MAX_CHILDREN)
        why = "too many processes";
    for (int i = 0; !why && i < sv->n; i++)
        if (strcmp(sv->kids[i].name, line) == 0)
            why = "process name used twice";
    if (why)
        return why;
    sv_child_t *k = &sv->kids[sv->n++];
    memset(k, 0, sizeof *k);
    memcpy(k->name, line, nlen + 1);
    char path[sizeof k->pid_path]; /* via a local: gcc's -Wrestrict sees one object */
    snprintf(path, sizeof path, "%s/%s.pid", sv->run_dir, k->name);
    memcpy(k->pid_path, path, sizeof path);
    k->cmd = xasprintf("exec %s", cmd);
    k->delay_ms = SV_DELAY_FIRST_MS;
    return NULL;
}

static int s_read_procfile(supervisor_t *sv, const char *path)
{
    FILE *f = fopen(path, "r");
    char q[600], e[240], line[SV_MAX_LINE + 2];
    const char *why = f ? NULL : strerror(errno);
    int lineno = 0;
    while (!why && fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len > SV_MAX_LINE) {
            why = "line longer than 4096 bytes";
            break;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        char *p = line + strspn(line, " \t");
        if (*p != '\0' && *p != '#')
            why = s_add_line(sv, p);
    }
    if (f)
        fclose(f);
    if (!why && sv->n == 0)
        why = "no processes";
    if (why)
        log_error("msg=\"bad procfile\" path=%s line=%d err=%s", log_quote(q, sizeof q, path),
                  lineno, log_quote(e, sizeof e, why));
    return why ? -1 : 0;
}

/* Written to a temporary name and renamed, so a reader (kill9 in a test,
 * `inspraak.sh stop`) never sees half a number. */
static void s_write_pid(const char *path, const char *name, pid_t pid)
{
    char tmp[740], e[200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f || fprintf(f, "%ld\n", (long)pid) < 0 || fclose(f) != 0 || rename(tmp, path) < 0)
        log_warn("msg=\"cannot write pid file\" child=%s err=%s", name,
                 log_quote(e, sizeof e, strerror(errno)));
}

/* In the child: between fork and exec, only async-signal-safe calls. */
static void s_child_exec(const supervisor_t *sv, const sv_child_t *k)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != sv->self)
        _exit(0); /* the supervisor died before prctl took effect */
    signal(SIGINT, SIG_IGN); /* Ctrl-C reaches the supervisor; it sends SIGTERM */
    sigprocmask(SIG_SETMASK, &sv->old_mask, NULL);
    int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (in >= 0)
        dup2(in, STDIN_FILENO); /* dup2 clears O_CLOEXEC on the copy */
    char path[700];
    snprintf(path, sizeof path, "%s/%s.log", sv->log_dir ? sv->log_dir : ".", k->name);
    int fd = sv->log_dir ? open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640) : -1;
    if (fd >= 0 && dup2(fd, STDOUT_FILENO) >= 0)
        dup2(fd, STDERR_FILENO);
    execl("/bin/sh", "sh", "-c", k->cmd, (char *)NULL);
    _exit(127);
}

static void s_spawn(supervisor_t *sv, sv_child_t *k)
{
    char e[200];
    pid_t pid = fork();
    k->restart_at = 0;
    if (pid < 0) {
        log_error("msg=\"fork failed\" child=%s err=%s", k->name,
                  log_quote(e, sizeof e, strerror(errno)));
        k->restart_at = clock_mono_ms() + sv->delay_max_ms;
        return;
    }
    if (pid == 0)
        s_child_exec(sv, k);
    k->pid = pid;
    k->started_ms = clock_mono_ms();
    s_write_pid(k->pid_path, k->name, pid);
    log_info("msg=\"child started\" child=%s pid=%ld", k->name, (long)pid);
}

/* Collects every exited child; schedules a restart unless stopping. */
static void s_reap(supervisor_t *sv, bool stopping)
{
    int st;
    pid_t pid;
    while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
        sv_child_t *k = NULL;
        for (int i = 0; i < sv->n && !k; i++)
            k = sv->kids[i].pid == pid ? &sv->kids[i] : NULL;
        if (!k)
            continue;
        int64_t now = clock_mono_ms();
        int64_t ran = now - k->started_ms;
        char how[32];
        if (WIFSIGNALED(st))
            snprintf(how, sizeof how, "signal:%d", WTERMSIG(st));
        else
            snprintf(how, sizeof how, "exit:%d", WEXITSTATUS(st));
        k->pid = 0;
        unlink(k->pid_path);
        log_line(stopping ? LOG_INFO : LOG_WARN,
                 "msg=\"child exited\" child=%s pid=%ld status=%s ran_ms=%lld", k->name,
                 (long)pid, how, (long long)ran);
        if (stopping)
            continue;
        if (ran >= SV_STABLE_MS)
            k->delay_ms = SV_DELAY_FIRST_MS;
        k->restart_at = now + k->delay_ms;
        log_info("msg=\"restart scheduled\" child=%s delay_ms=%ld", k->name, k->delay_ms);
        k->delay_ms = k->delay_ms * 2 > sv->delay_max_ms ? sv->delay_max_ms : k->delay_ms * 2;
    }
}

/* 1 when the process ignores SIGINT (as children start), from /proc. */
static int s_ignores_sigint(pid_t pid)
{
    char path[64], line[128];
    unsigned long long ign = ~0ULL; /* unknown: treat as ignoring */
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f) && sscanf(line, "SigIgn: %llx", &ign) != 1)
        ;
    if (f)
        fclose(f);
    return (ign >> (SIGINT - 1)) & 1;
}

/* Sends sig (0: none) to every running child; returns how many run. With
 * only_deaf, skips children that handle SIGINT themselves: after a Ctrl-C
 * the terminal already gave them one, and a second stop signal makes Redis
 * give up its clean shutdown ("You insist... exiting now"). */
static int s_signal_all(const supervisor_t *sv, int sig, bool only_deaf)
{
    int n = 0;
    for (int i = 0; i < sv->n; i++) {
        pid_t pid = sv->kids[i].pid;
        if (pid > 0 && ++n && sig && (!only_deaf || s_ignores_sigint(pid)))
            kill(pid, sig);
    }
    return n;
}

/* Milliseconds until the earliest scheduled restart, or -1 for none. */
static int s_next_timeout(const supervisor_t *sv, int64_t now)
{
    int64_t best = -1;
    for (int i = 0; i < sv->n; i++) {
        const sv_child_t *k = &sv->kids[i];
        int64_t d = k->restart_at > now ? k->restart_at - now : 0;
        if (k->pid == 0 && k->restart_at > 0 && (best < 0 || d < best))
            best = d;
    }
    return (int)best;
}

static void s_read_line(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f || !fgets(buf, (int)size, f))
        buf[0] = '\0';
    if (f)
        fclose(f);
}

/* Refuses to run beside a live supervisor on the same INSPRAAK_VAR; a pid
 * file left by one that was killed is simply replaced. */
static int s_claim_pidfile(supervisor_t *sv)
{
    char path[64], line[64];
    s_read_line(sv->pid_path, line, sizeof line);
    long old = atol(line);
    snprintf(path, sizeof path, "/proc/%ld/stat", old);
    s_read_line(path, line, sizeof line); /* "pid (comm) S ...": a zombie is dead */
    if (old > 0 && old != (long)sv->self && strstr(line, "(supervisor) ") &&
        !strstr(line, ") Z ")) {
        log_error("msg=\"another supervisor runs on this state folder\" pid=%ld", old);
        return -1;
    }
    s_write_pid(sv->pid_path, "supervisor", sv->self);
    return 0;
}

static int s_setup(supervisor_t *sv, int argc, char **argv, int *sigfd)
{
    int opt;
    sv->log_dir = config_str("INSPRAAK_LOG_DIR", NULL);
    while ((opt = getopt(argc, argv, "l:")) != -1) {
        if (opt != 'l')
            return -1;
        sv->log_dir = optarg;
    }
    if (optind != argc - 1)
        return -1;
    char e[200], why[160];
    if (config_long("INSPRAAK_RESTART_MAX_MS", SV_DELAY_MAX_MS, SV_DELAY_FIRST_MS, SV_DELAY_MAX_MS,
                    &sv->delay_max_ms, why, sizeof why) < 0) {
        log_error("msg=\"bad setting\" err=%s", log_quote(e, sizeof e, why));
        exit(1);
    }
    config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    snprintf(cfg.var_dir, sizeof cfg.var_dir, "%s", config_str("INSPRAAK_VAR", "./var"));
    if (config_var_path(&cfg, "run", sv->run_dir, sizeof sv->run_dir) < 0)
        log_fatal("msg=\"cannot make run folder\" err=%s", log_quote(e, sizeof e, strerror(errno)));
    snprintf(sv->pid_path, sizeof sv->pid_path, "%s/supervisor.pid", sv->run_dir);
    if (s_read_procfile(sv, argv[optind]) < 0)
        exit(1);
    if (sv->log_dir && mkdir(sv->log_dir, 0750) < 0 && errno != EEXIST)
        log_fatal("msg=\"cannot make log folder\" err=%s", log_quote(e, sizeof e, strerror(errno)));
    sigset_t mask;
    static const int sigs[] = {SIGCHLD, SIGTERM, SIGINT, SIGHUP};
    sigemptyset(&mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(&mask, sigs[i]);
    sigprocmask(SIG_BLOCK, &mask, &sv->old_mask);
    *sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    if (*sigfd < 0)
        log_fatal("msg=\"signalfd failed\" err=%s", log_quote(e, sizeof e, strerror(errno)));
    if (s_claim_pidfile(sv) < 0)
        exit(1);
    return 0;
}

int main(int argc, char **argv)
{
    static supervisor_t sv;
    int sigfd = -1;
    log_init("supervisor");
    sv.self = getpid();
    if (s_setup(&sv, argc, argv, &sigfd) < 0) {
        fprintf(stderr, "usage: supervisor [-l LOGDIR] PROCFILE\n");
        return 2;
    }
    log_info("msg=\"supervisor started\" pid=%ld processes=%d", (long)sv.self, sv.n);
    for (int i = 0; i < sv.n; i++)
        s_spawn(&sv, &sv.kids[i]);

    bool stopping = false;
    int64_t kill_at = 0;
    for (;;) {
        int64_t now = clock_mono_ms();
        int timeout =
            stopping ? (int)(kill_at > now ? kill_at - now : 0) : s_next_timeout(&sv, now);
        struct pollfd pfd = {.fd = sigfd, .events = POLLIN};
        int rc = poll(&pfd, 1, timeout);
        if (rc < 0 && errno != EINTR)
            log_fatal("msg=\"poll failed\"");
        struct signalfd_siginfo si;
        while (rc > 0 && read(sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
            if (si.ssi_signo == SIGCHLD || stopping)
                continue;
            stopping = true;
            kill_at = clock_mono_ms() + SV_STOP_GRACE_MS;
            log_info("msg=\"stopping\" signal=%u children=%d", si.ssi_signo, s_signal_all(&sv, 0, false));
            /* SI_KERNEL: Ctrl-C on the terminal, sent to our whole group */
            s_signal_all(&sv, SIGTERM, si.ssi_signo == SIGINT && si.ssi_code == SI_KERNEL);
        }
        s_reap(&sv, stopping);
        if (stopping) {
            if (s_signal_all(&sv, 0, false) == 0)
                break;
            if (clock_mono_ms() >= kill_at) {
                int n = s_signal_all(&sv, SIGKILL, false);
                log_warn("msg=\"children ignored sigterm, killed\" children=%d", n);
                kill_at = clock_mono_ms() + 60000; /* SIGKILL cannot be ignored; just reap */
            }
            continue;
        }
        now = clock_mono_ms();
        for (int i = 0; i < sv.n; i++)
            if (sv.kids[i].pid == 0 && sv.kids[i].restart_at > 0 && sv.kids[i].restart_at <= now)
                s_spawn(&sv, &sv.kids[i]);
    }
    unlink(sv.pid_path);
    for (int i = 0; i < sv.n; i++)
        free(sv.kids[i].cmd);
    log_info("msg=\"supervisor stopped\"");
    return 0;
}
