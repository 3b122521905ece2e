/*
 * NAME
 *   log - structured log lines on stderr
 *
 * DESCRIPTION
 *   One line per event, logfmt style, lowercase:
 *
 *     ts=2026-11-28T10:00:00.123Z level=warn svc=storage msg="redis down" err="..."
 *
 *   The caller writes the key=value pairs after svc= itself, always starting
 *   with msg="...". Values that come from outside (ids, file names, error
 *   texts) go through log_quote() so that a quote or newline cannot forge a
 *   second line. Level comes from INSPRAAK_LOG_LEVEL (debug|info|warn|error,
 *   any case, default info; any other value logs one warning and keeps info). log_fatal() logs and exits with status 1.
 *   Thread-safe: each line is written with a single write(2).
 */
#ifndef INSPRAAK_LOG_H
#define INSPRAAK_LOG_H

#include <stddef.h>

typedef enum { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_FATAL } log_level_t;

/* Sets the svc= name (e.g. "storage.0") and reads INSPRAAK_LOG_LEVEL. */
void log_init(const char *service);
void log_line(log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
int log_enabled(log_level_t level);

/* Writes s into buf as a double-quoted logfmt value ("..." with \" \\ \n
 * escaped, truncated to fit). Returns buf, for use inside log_line(). */
const char *log_quote(char *buf, size_t size, const char *s);

#define log_debug(...) log_line(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_line(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_line(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_line(LOG_ERROR, __VA_ARGS__)

#endif
