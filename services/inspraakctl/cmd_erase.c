/*
 * NAME
 *   cmd_erase - erasing one person everywhere (participant erase) and the
 *   retention job (inspraakctl retention run [--before DATE])
 *
 * DESCRIPTION
 *   ctl_erase_person() removes a participant's personal data from every
 *   place inspraak keeps it (docs/privacy.md):
 *     ideas   first, storage cuts the person's address and name out of the
 *             texts of their ideas (cmd_erase_ideas.c, over the bus); if it
 *             does not answer, nothing below happens;
 *     Redis   in one script, given the ids step 1 handled, which deletes
 *             nothing (RETRY) when the set holds an idea storage wrote
 *             after step 1 read it: step 1 then cuts the new ones and the
 *             script runs again (ERASE_ROUNDS in all, then CTL_ERR);
 *             inspraak:participant:<pid> (name, email,
 *             consent), the email index key, inspraak:participant-ideas:<pid>,
 *             notify's inspraak:notify:receipt-pending:<pid> and
 *             receipt-inflight:<pid>, the pid in inspraak:unsubscribed,
 *             inspraak:notify:receipt-due and inspraak:notify:bounced, the
 *             pid in inspraak:people:pids (the person stays counted on
 *             /resultaten as "erased", common/people.h) and the
 *             dashboard's former inspraak:reach:pids; then
 *             by SCAN every inspraak:notify:sent:<pid>:* marker and the pid
 *             in every inspraak:campaign:*:todo; every entry of
 *             inspraak:deadletter whose text or raw bytes (raw_base64)
 *             hold the address;
 *     files   every regular file under $INSPRAAK_VAR/mail/ (outbox, inbox,
 *             skipped, failed: copies of mails to or from the person) whose
 *             bytes contain the address (ASCII case-insensitive; with an
 *             internationalised domain also its ASCII form, as mail
 *             headers carry it: jan@xn--bcher-kva.nl for jan@bücher.nl;
 *             the same for dead letters) is deleted.
 *   The ideas stay, carrying only the pid, which now points to nothing,
 *   and "[weggehaald]" where the address or name was typed in them.
 *   Spools: an intake's spool segment is deleted once every record in it
 *   is acknowledged (common/spool.h), so an idea already stored leaves no
 *   copy there; a record still pending (storage down) is stored first and
 *   can be erased after that (docs/privacy.md says so).
 *
 *   ctl_held_elsewhere() finds the same dead letters and mail files
 *   without deleting anything, for participant export.
 *
 *   ctl_aof_rewrite() then runs BGREWRITEAOF and waits until Redis reports
 *   no rewrite in progress or scheduled, so the old values are gone from
 *   the append-only file on disk too (an RDB snapshot, when configured,
 *   is rewritten by BGSAVE the same way).
 *
 *   retention run: erases every participant whose created_at is before
 *   DATE (--before YYYY-MM-DD, else INSPRAAK_RETENTION_DATE; without
 *   either: every participant), prints one JSON object per person, deletes
 *   the files kept after processing that were last modified before DATE
 *   (and before the run began; cmd_retention_files.c), the dead letters and
 *   skipped-mail entries written before it (cmd_retention_lists.c), rewrites the AOF
 *   once, and prints a summary line with the counts.
 */
#define _GNU_SOURCE /* asprintf */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "ctl.h"
#include "email_idn.h"
#include "people.h"
#include "xalloc.h"

#define ERASE_MAX_FILE (64L * 1024 * 1024) /* larger files are not mails of ours */
#define ERASE_MAX_DEPTH 6

#define ERASE_ROUNDS 5 /* step 1 and the script, when new ideas keep coming */

/* Step 2. KEYS as kv in ctl_erase_person(); ARGV[1] the pid, ARGV[2..] the
 * ids step 1 handled. When the participant-ideas set holds an idea step 1
 * did not cut (storage wrote it meanwhile), it deletes nothing and answers
 * the status RETRY; else {p, e, n, i, q}. A member with a NUL byte is no
 * id storage wrote (step 1 skips it too). */
static const char s_erase_lua[] =
    "local done = {}\n"
    "for k = 2, #ARGV do done[ARGV[k]] = true end\n"
    "for _, id in ipairs(redis.call('SMEMBERS', KEYS[3])) do\n"
    "  if not done[id] and not string.find(id, '\\0', 1, true) then\n"
    "    return redis.status_reply('RETRY')\n"
    "  end\n"
    "end\n"
    "local n = redis.call('SCARD', KEYS[3])\n"
    "local p = redis.call('DEL', KEYS[1])\n"
    "local e = redis.call('DEL', KEYS[2])\n"
    "local i = redis.call('DEL', KEYS[3])\n"
    "local q = redis.call('DEL', KEYS[4], KEYS[5])\n"
    "q = q + redis.call('SREM', KEYS[6], ARGV[1])\n"
    "q = q + redis.call('ZREM', KEYS[7], ARGV[1])\n"
    "q = q + redis.call('HDEL', KEYS[8], ARGV[1])\n"
    "local pid = ARGV[1]\n" PEOPLE_ERASE_LUA "return {p, e, n, i, q}\n";

/* Runs s_erase_lua with the 8 keys and the pid of kv and the ids in done.
 * The reply (status RETRY, or the array), or NULL (message printed). */
static redisReply *s_erase_keys(ctl_t *ctl, const char *const kv[9], json_t *done)
{
    size_t argc = 0, max = 12 + json_object_size(done);
    const char **argv = xcalloc(max, sizeof *argv);
    size_t *lens = xcalloc(max, sizeof *lens);
    argv[argc++] = "EVAL";
    argv[argc++] = s_erase_lua;
    argv[argc++] = "8";
    for (int k = 0; k < 9; k++)
        argv[argc++] = kv[k];
    const char *id;
    json_t *v;
    json_object_foreach(done, id, v) argv[argc++] = id;
    for (size_t k = 0; k < argc; k++)
        lens[k] = strlen(argv[k]);
    redisReply *r = rstore_cmdargv(ctl->rs, (int)argc, argv, lens);
    free(argv), free(lens);
    if (!r)
        ctl_redis_err(ctl, "participant erase");
    return r;
}

int ctl_scan(ctl_t *ctl, const char *pattern, int (*fn)(ctl_t *, const char *, void *), void *arg)
{
    char cursor[32] = "0";
    do {
        redisReply *r = rstore_cmd(ctl->rs, "SCAN %s MATCH %s COUNT 1000", cursor, pattern);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
            if (r)
                freeReplyObject(r);
            return CTL_ERR;
        }
        snprintf(cursor, sizeof cursor, "%s", r->element[0]->str);
        const redisReply *keys = r->element[1];
        for (size_t i = 0; i < keys->elements; i++)
            if (fn(ctl, keys->element[i]->str, arg) != CTL_OK) {
                freeReplyObject(r);
                return CTL_ERR;
            }
        freeReplyObject(r);
    } while (strcmp(cursor, "0") != 0);
    return CTL_OK;
}

typedef struct {
    const char *member; /* NULL: delete the key */
    long changed;
} s_apply_t;

static int s_apply_one(ctl_t *ctl, const char *key, void *arg)
{
    s_apply_t *a = arg;
    redisReply *d = a->member ? rstore_cmd(ctl->rs, "ZREM %s %s", key, a->member)
                              : rstore_cmd(ctl->rs, "DEL %s", key);
    if (!d)
        return CTL_ERR;
    a->changed += d->type == REDIS_REPLY_INTEGER && d->integer > 0;
    freeReplyObject(d);
    return CTL_OK;
}

/* SCAN for pattern; for every key: DEL it (member NULL) or remove member
 * from it. Returns how many keys changed, or -1. */
static long s_scan_apply(ctl_t *ctl, const char *pattern, const char *member)
{
    s_apply_t a = {member, 0};
    return ctl_scan(ctl, pattern, s_apply_one, &a) == CTL_OK ? a.changed : -1;
}

/* 1 when buf holds needle (lowercase ASCII), ignoring ASCII case. The
 * needle's bytes compared unsigned, as tolower() answers: a UTF-8 byte
 * ("ü" of "jan@bücher.nl") as a negative char never matched. */
static int s_mem_has(const char *buf, size_t len, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; m && i + m <= len; i++) {
        size_t j = 0;
        while (j < m && tolower((unsigned char)buf[i + j]) == (unsigned char)needle[j])
            j++;
        if (j == m)
            return 1;
    }
    return 0;
}

/* 1 when buf holds the address (lowercase), ignoring ASCII case: as
 * stored ("jan@bücher.nl") or, for an internationalised domain, in the
 * ASCII form mail headers and raw bytes carry ("jan@xn--bcher-kva.nl"). */
static int s_mem_has_address(const char *buf, size_t len, const char *email)
{
    if (s_mem_has(buf, len, email))
        return 1;
    char *ascii = email_idn_ascii(email);
    int hit = ascii && strcmp(ascii, email) != 0 && s_mem_has(buf, len, ascii);
    free(ascii);
    return hit;
}

/* 1 when the file's bytes hold the address (s_mem_has_address). */
static int s_file_has(const char *path, const char *needle)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return 0;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > ERASE_MAX_FILE) {
        close(fd);
        return 0;
    }
    size_t n = (size_t)st.st_size, got = 0;
    char *buf = xmalloc(n + 1);
    while (got < n) {
        ssize_t k = read(fd, buf + got, n - got);
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    int found = s_mem_has_address(buf, got, needle);
    free(buf);
    return found;
}

/* Files under dir holding the address: their paths go to out; with
 * remove, they are deleted (a path goes to out only once it is gone). */
static void s_mail_files(const char *dir, const char *email, json_t *out, int remove, int depth)
{
    DIR *d = depth > ERASE_MAX_DEPTH ? NULL : opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *path = xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                s_mail_files(path, email, out, remove, depth + 1);
            else if (S_ISREG(st.st_mode) && s_file_has(path, email)) {
                if (!remove || unlink(path) == 0)
                    json_array_append_new(out, json_string(path));
                else
                    ctl_err("cannot delete %s: %s", path, strerror(errno));
            }
        }
        free(path);
    }
    closedir(d);
}

/* The dead letters whose raw bytes (base64 in the JSON entry) or text
 * hold the address: with remove they are deleted, else each is added to
 * found (the entry's JSON, or its text when it is not JSON). Returns how
 * many, or -1 on a Redis error. */
typedef struct {
    const char *email; /* lowercase */
    json_t *found;     /* non-NULL: the entries holding it are added here */
} s_holds_t;

/* 1 when the dead letter's text or its raw bytes (raw_base64) hold the
 * address; adds the entry to found when asked to. */
static int s_holds_address(const char *entry, size_t len, void *arg)
{
    s_holds_t *h = arg;
    int hit = s_mem_has_address(entry, len, h->email);
    json_t *j = hit ? NULL : json_loadb(entry, len, 0, NULL);
    const char *b64 = json_string_value(json_object_get(j, "raw_base64"));
    if (b64) {
        size_t blen = strlen(b64), rawlen = 0;
        unsigned char *raw = xmalloc(blen + 1);
        if (sodium_base642bin(raw, blen + 1, b64, blen, NULL, &rawlen, NULL,
                              sodium_base64_VARIANT_ORIGINAL) == 0)
            hit = s_mem_has_address((const char *)raw, rawlen, h->email);
        free(raw);
    }
    if (hit && h->found) {
        json_t *e = j ? json_incref(j) : json_loadb(entry, len, 0, NULL);
        json_array_append_new(h->found, e ? e : json_stringn(entry, len));
    }
    json_decref(j);
    return hit;
}

/* The dead letters holding the address: removed (remove), or counted and
 * added to found. Returns how many, or -1 when Redis failed. */
static long s_deadletters(ctl_t *ctl, const char *email, json_t *found, int remove)
{
    s_holds_t h = {email, remove ? NULL : found};
    return ctl_list_remove_if(ctl, "deadletter", s_holds_address, &h, remove);
}

int ctl_erase_person(ctl_t *ctl, const char *pid, const char *email, const char *email_key,
                     json_t *out)
{
    char pkey[192], ikey[192], pend[192], infl[192], pat[256];
    snprintf(pkey, sizeof pkey, CTL_PREFIX "participant:%s", pid);
    snprintf(ikey, sizeof ikey, CTL_PREFIX "participant-ideas:%s", pid);
    snprintf(pend, sizeof pend, CTL_PREFIX "notify:receipt-pending:%s", pid);
    snprintf(infl, sizeof infl, CTL_PREFIX "notify:receipt-inflight:%s", pid);
    const char *kv[] = {pkey,
                        email_key,
                        ikey,
                        pend,
                        infl,
                        CTL_PREFIX "unsubscribed",
                        CTL_PREFIX "notify:receipt-due",
                        CTL_PREFIX "notify:bounced",
                        pid};
    /* First the ideas' texts, while the set and the name still exist: if
     * storage does not answer, nothing is deleted and erase can run again.
     * An idea storage writes meanwhile makes the script refuse: step 1
     * runs again for it (ERASE_ROUNDS in all). */
    json_t *done = json_object();
    redisReply *r = NULL;
    for (int round = 0; round < ERASE_ROUNDS && !r; round++) {
        if (ctl_erase_ideas(ctl, pid, email, done, out) != CTL_OK) {
            json_decref(done);
            return CTL_ERR;
        }
        r = s_erase_keys(ctl, kv, done);
        if (!r) {
            json_decref(done);
            return CTL_ERR;
        }
        if (r->type == REDIS_REPLY_STATUS && strcmp(r->str, "RETRY") == 0) {
            freeReplyObject(r);
            r = NULL;
        }
    }
    json_decref(done);
    if (!r) {
        ctl_err("participant erase: storage kept writing new ideas of participant %s while their "
                "name and address were cut from them (%d rounds); the ideas seen so far are cut, "
                "nothing else was deleted. Run the command again",
                pid, ERASE_ROUNDS);
        return CTL_ERR;
    }
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 5) {
        freeReplyObject(r);
        ctl_err("participant erase: unexpected reply from redis");
        return CTL_ERR;
    }
    long long p = r->element[0]->integer, e = r->element[1]->integer, n = r->element[2]->integer,
              i = r->element[3]->integer, q = r->element[4]->integer;
    freeReplyObject(r);
    snprintf(pat, sizeof pat, CTL_PREFIX "notify:sent:%s:*", pid);
    long sent = s_scan_apply(ctl, pat, NULL);
    long todo = s_scan_apply(ctl, CTL_PREFIX "campaign:*:todo", pid);
    long dead = email && *email ? s_deadletters(ctl, email, NULL, 1) : 0;
    if (sent < 0 || todo < 0 || dead < 0)
        return ctl_redis_err(ctl, "scan of notify keys and dead letters");
    json_t *files = json_array();
    char *mail = xasprintf("%s/mail", config_str("INSPRAAK_VAR", "./var"));
    if (email && *email)
        s_mail_files(mail, email, files, 1, 0);
    free(mail);
    json_object_set_new(out, "participant_id", json_string(pid));
    json_object_set_new(out, "removed",
                        json_pack("{s:b, s:b, s:b, s:I, s:I, s:o}", "participant", p > 0,
                                  "email_index", e > 0, "idea_index", i > 0, "notify_keys",
                                  (json_int_t)(q + sent + todo), "dead_letters", (json_int_t)dead,
                                  "mail_files", files));
    json_object_set_new(out, "ideas_kept_anonymous", json_integer(n));
    return CTL_OK;
}

int ctl_erase_address(ctl_t *ctl, const char *email, json_t *out, long *dead)
{
    *dead = s_deadletters(ctl, email, NULL, 1);
    if (*dead < 0)
        return ctl_redis_err(ctl, "scan of dead letters");
    json_t *files = json_array();
    char *mail = xasprintf("%s/mail", config_str("INSPRAAK_VAR", "./var"));
    s_mail_files(mail, email, files, 1, 0);
    free(mail);
    json_object_set_new(out, "participant_id", json_null());
    json_object_set_new(out, "removed",
                        json_pack("{s:b, s:b, s:b, s:I, s:I, s:o}", "participant", 0, "email_index",
                                  0, "idea_index", 0, "notify_keys", (json_int_t)0, "dead_letters",
                                  (json_int_t)*dead, "mail_files", files));
    json_object_set_new(out, "ideas_kept_anonymous", json_integer(0));
    return CTL_OK;
}

int ctl_held_elsewhere(ctl_t *ctl, const char *email, json_t *out)
{
    json_t *files = json_array(), *dead = json_array();
    if (email && *email && s_deadletters(ctl, email, dead, 0) < 0) {
        json_decref(files);
        json_decref(dead);
        return ctl_redis_err(ctl, "scan of dead letters");
    }
    char *mail = xasprintf("%s/mail", config_str("INSPRAAK_VAR", "./var"));
    if (email && *email)
        s_mail_files(mail, email, files, 0, 0);
    free(mail);
    json_object_set_new(out, "mail_files", files);
    json_object_set_new(out, "dead_letters", dead);
    return CTL_OK;
}

/* BGREWRITEAOF: 0 started (or scheduled), 1 refused because a rewrite
 * is already running (storage starts one after each redaction), -1 error. */
static int s_bgrewrite(ctl_t *ctl)
{
    redisReply *r = rstore_cmd(ctl->rs, "BGREWRITEAOF");
    if (r) {
        freeReplyObject(r);
        return 0;
    }
    const char *e = rstore_error(ctl->rs);
    return e && strstr(e, "already in progress") ? 1 : -1;
}

/* Waits (10 min at most) until Redis reports no rewrite in progress or
 * scheduled. CTL_OK or CTL_ERR. */
static int s_aof_wait(ctl_t *ctl, int note_no_aof)
{
    for (int tries = 0; tries < 6000; tries++) {
        redisReply *info = rstore_cmd(ctl->rs, "INFO persistence");
        if (!info)
            return ctl_redis_err(ctl, "INFO persistence");
        int busy =
            info->type == REDIS_REPLY_STRING && (strstr(info->str, "aof_rewrite_in_progress:1") ||
                                                 strstr(info->str, "aof_rewrite_scheduled:1"));
        int aof_on = info->type == REDIS_REPLY_STRING && strstr(info->str, "aof_enabled:1");
        freeReplyObject(info);
        if (!aof_on && note_no_aof && tries == 0)
            ctl_err("note: redis has no AOF; nothing to rewrite");
        if (!busy)
            return CTL_OK;
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return CTL_OK;
}

int ctl_aof_rewrite(ctl_t *ctl)
{
    /* "already in progress" is fine: that rewrite may have forked before
     * the erase, so we wait for it and ask again until ours is accepted. */
    for (int round = 0; round < 20; round++) {
        int rc = s_bgrewrite(ctl);
        if (rc < 0)
            return ctl_redis_err(ctl, "BGREWRITEAOF");
        if (s_aof_wait(ctl, round == 0) != CTL_OK)
            return CTL_ERR;
        if (rc == 0)
            return CTL_OK;
    }
    ctl_err("BGREWRITEAOF: redis kept rewriting; run the command again");
    return CTL_ERR;
}

/* Erases one participant hash found by the retention scan. */
static int s_retain_one(ctl_t *ctl, const char *key, int64_t before, long *erased)
{
    const char *pid = key + strlen(CTL_PREFIX "participant:");
    redisReply *h = rstore_cmd(ctl->rs, "HMGET %s created_at email", key);
    if (!h)
        return ctl_redis_err(ctl, "participant");
    long long created = h->type == REDIS_REPLY_ARRAY && h->element[0]->str
                            ? strtoll(h->element[0]->str, NULL, 10)
                            : 0;
    char *email = h->type == REDIS_REPLY_ARRAY && h->element[1]->str ? xstrdup(h->element[1]->str)
                                                                     : xstrdup("");
    freeReplyObject(h);
    int rc = CTL_OK;
    if (before < 0 || created < before) {
        char ekey[CTL_EMAIL_KEY_MAX] = CTL_PREFIX "participant-email:none";
        if (*email) { /* the email index key, as storage and s_find() make it; the
                       * hash holds the address as storage stored it (trimmed,
                       * ASCII lowercased), lowered again for an older record */
            for (char *c = email; *c; c++)
                *c = (*c >= 'A' && *c <= 'Z') ? (char)(*c - 'A' + 'a') : *c;
            ctl_email_key(email, ekey);
        }
        json_t *out = json_object();
        rc = ctl_erase_person(ctl, pid, email, ekey, out);
        if (rc == CTL_OK) {
            char *text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
            printf("%s\n", text ? text : "{}");
            free(text);
            (*erased)++;
        }
        json_decref(out);
    }
    free(email);
    return rc;
}

int cmd_retention(ctl_t *ctl, int argc, char **argv)
{
    if (strcmp(argv[0], "run") != 0 || (argc != 1 && argc != 3) ||
        (argc == 3 && strcmp(argv[1], "--before") != 0))
        return CTL_USAGE;
    const char *date = argc == 3 ? argv[2] : getenv("INSPRAAK_RETENTION_DATE");
    int64_t before = -1;
    /* An empty --before (a script's unset variable) is an error, never
     * "no date": that would erase everyone. */
    if (date && (*date || argc == 3) && (before = ctl_date_ms(date)) < 0) {
        ctl_err("not a date (YYYY-MM-DD): \"%s\"", date);
        return CTL_ERR;
    }
    char cursor[32] = "0";
    long erased = 0;
    int64_t started = clock_wall_ms();
    do {
        redisReply *r =
            rstore_cmd(ctl->rs, "SCAN %s MATCH " CTL_PREFIX "participant:* COUNT 1000", cursor);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
            if (r)
                freeReplyObject(r);
            return ctl_redis_err(ctl, "scan of participants");
        }
        snprintf(cursor, sizeof cursor, "%s", r->element[0]->str);
        for (size_t i = 0; i < r->element[1]->elements; i++) {
            if (s_retain_one(ctl, r->element[1]->element[i]->str, before, &erased) != CTL_OK) {
                freeReplyObject(r);
                return CTL_ERR;
            }
        }
        freeReplyObject(r);
    } while (strcmp(cursor, "0") != 0);
    fflush(stdout);
    /* The files kept after processing: those last modified before the date,
     * and never one changed since this run began (cmd_retention_files.c);
     * the dead letters and skipped-mail entries written before it
     * (cmd_retention_lists.c). */
    int64_t cutoff = before < 0 || before > started ? started : before;
    json_t *files = json_object();
    long undeleted = ctl_retention_files(cutoff, files), undated = 0, skipped_undated = 0;
    long dead = ctl_retention_list(ctl, "deadletter", cutoff, &undated);
    long skipped =
        dead < 0 ? -1 : ctl_retention_list(ctl, "mail:skipped", cutoff, &skipped_undated);
    if (dead < 0 || skipped < 0 || ctl_aof_rewrite(ctl) != CTL_OK) {
        json_decref(files);
        return CTL_ERR;
    }
    if (undated)
        ctl_err("note: %ld dead letter(s) without a time kept; see inspraak:deadletter", undated);
    if (skipped_undated)
        ctl_err("note: %ld skipped mail(s) without a time kept; see inspraak:mail:skipped",
                skipped_undated);
    json_t *sum = json_pack("{s:{s:o, s:I, s:o, s:I, s:I}}", "retention", "before",
                            before < 0 ? json_null() : json_string(date), "participants_erased",
                            (json_int_t)erased, "files_removed", files, "dead_letters_removed",
                            (json_int_t)dead, "skipped_mails_removed", (json_int_t)skipped);
    char *text = json_dumps(sum, JSON_COMPACT);
    printf("%s\n", text ? text : "{}");
    free(text);
    json_decref(sum);
    fflush(stdout);
    if (undeleted) {
        ctl_err("retention: %ld file(s) could not be deleted (see above); run it again", undeleted);
        return CTL_ERR;
    }
    return CTL_OK;
}
