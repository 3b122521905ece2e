/*
 * NAME
 *   log - structured log lines on stderr (see log.h)
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static char s_service[64] = "inspraak";
static log_level_t s_level = LOG_INFO;
static const char *s_names[] = {"debug", "info", "warn", "error", "fatal"};

void log_init(const char *service)
{
    snprintf(s_service, sizeof s_service, "%s", service ? service : "inspraak");
    s_level = LOG_INFO;
    const char *lv = getenv("INSPRAAK_LOG_LEVEL");
    if (!lv)
        return;
    for (int i = LOG_DEBUG; i <= LOG_ERROR; i++)
        if (strcasecmp(lv, s_names[i]) == 0) {
            s_level = (log_level_t)i;
            return;
        }
    /* A typo would otherwise hide debug lines (or flood the log) without
     * a word; the operator learns it from the first line the service logs. */
    char q[80];
    log_warn("msg=\"unknown INSPRAAK_LOG_LEVEL, using info\" value=%s"
             " accepted=\"debug|info|warn|error\"",
             log_quote(q, sizeof q, lv));
}

int log_enabled(log_level_t level)
{
    return level >= s_level;
}

static void s_vlog(log_level_t level, const char *fmt, va_list ap)
{
    char line[4096];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof line, "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s svc=%s ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, ts.tv_nsec / 1000000, s_names[level], s_service);
    if (n < 0 || (size_t)n >= sizeof line)
        n = 0;
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    if (m < 0)
        m = 0;
    size_t len = (size_t)n + (size_t)m;
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}

void log_line(log_level_t level, const char *fmt, ...)
{
    if (level < s_level)
        return;
    va_list ap;
    va_start(ap, fmt);
    s_vlog(level, fmt, ap);
    va_end(ap);
}

void log_fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    s_vlog(LOG_FATAL, fmt, ap);
    va_end(ap);
    exit(1);
}

const char *log_quote(char *buf, size_t size, const char *s)
{
    size_t o = 0;
    if (size < 3) {
        if (size)
            buf[0] = '\0';
        return buf;
    }
    buf[o++] = '"';
    for (; s && *s && o + 3 < size; s++) {
        char c = *s;
        if (c == '"' || c == '\\') {
            buf[o++] = '\\';
            buf[o++] = c;
        } else if (c == '\n' || c == '\r') {
            buf[o++] = '\\';
            buf[o++] = c == '\n' ? 'n' : 'r';
        } else if ((unsigned char)c < 0x20) {
            buf[o++] = ' ';
        } else {
            buf[o++] = c;
        }
    }
    buf[o++] = '"';
    buf[o] = '\0';
    return buf;
}
