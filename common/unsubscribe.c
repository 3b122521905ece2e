/*
 * NAME
 *   unsubscribe - signed one-click unsubscribe links (see unsubscribe.h)
 *
 * DESCRIPTION
 *   The key is written to a file of its own (mkstemp beside the key
 *   file), synced, and then link()ed to the key file's name: link()
 *   never replaces a file, so two processes starting at once agree on
 *   one key (the loser reads the winner's file), and the key file is
 *   never there half-written. Before, it was created with O_EXCL and
 *   written after: a process killed in between left an empty file that
 *   stopped every later start, and a process starting at the same
 *   moment could read it empty (tests/unit/test_unsubscribe.c). A
 *   process killed before its link() leaves its own file behind
 *   (secret.tmp-XXXXXX, mode 0600, no personal data); it is never read,
 *   and every later start deletes such files once nothing has touched
 *   them for LEFTOVER_AGE_S (younger ones may be another process's,
 *   starting at this moment). Before, they stayed for good.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "unsubscribe.h"

#define TMP_INFIX ".tmp-"        /* path + TMP_INFIX + XXXXXX: s_make_key's file */
#define LEFTOVER_AGE_S (10 * 60) /* far beyond one write, fsync and link() */

/* The folder of path ("." when it has no slash) into dir. */
static void s_dir_of(const char *path, char *dir, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(dir, size, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    else
        snprintf(dir, size, ".");
}

/* Deletes the files s_make_key() of a process killed before its unlink()
 * left beside path, once they are LEFTOVER_AGE_S old. Best effort. */
static void s_remove_leftovers(const char *path)
{
    char dir[700], prefix[700];
    s_dir_of(path, dir, sizeof dir);
    const char *slash = strrchr(path, '/');
    snprintf(prefix, sizeof prefix, "%s" TMP_INFIX, slash ? slash + 1 : path);
    size_t plen = strlen(prefix);
    DIR *d = opendir(dir);
    if (!d)
        return;
    time_t now = time(NULL);
    for (struct dirent *e; (e = readdir(d));) {
        if (strncmp(e->d_name, prefix, plen) != 0 || strlen(e->d_name) != plen + 6)
            continue;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
            st.st_mtime < now - LEFTOVER_AGE_S)
            unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
}

static int s_read_key(const char *path, unsigned char *key, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, key, UNSUBSCRIBE_KEY_BYTES);
    close(fd);
    if (n != UNSUBSCRIBE_KEY_BYTES) {
        snprintf(err, errlen, "%s: shorter than %d bytes", path, UNSUBSCRIBE_KEY_BYTES);
        return -2;
    }
    return 0;
}

/* A new random key in a file of its own beside path, linked to path.
 * Returns 0 (made, or someone else's is there now: read it), or -1 with
 * errno. */
static int s_make_key(const char *path)
{
    char tmp[700];
    snprintf(tmp, sizeof tmp, "%s" TMP_INFIX "XXXXXX", path);
    int fd = mkstemp(tmp); /* mode 0600 */
    if (fd < 0)
        return -1;
    unsigned char k[UNSUBSCRIBE_KEY_BYTES];
    randombytes_buf(k, sizeof k);
    int ok = write(fd, k, sizeof k) == (ssize_t)sizeof k && fsync(fd) == 0;
    sodium_memzero(k, sizeof k);
    close(fd);
    if (ok && link(tmp, path) != 0 && errno != EEXIST)
        ok = 0;
    int saved = errno;
    unlink(tmp);
    if (!ok) {
        errno = saved;
        return -1;
    }
    /* the new name survives a power cut: sync the folder */
    char dir[700];
    s_dir_of(path, dir, sizeof dir);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

int unsubscribe_key_load(const config_t *cfg, unsigned char key[UNSUBSCRIBE_KEY_BYTES], char *err,
                         size_t errlen)
{
    char def[600];
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium cannot start");
        return -1;
    }
    snprintf(def, sizeof def, "%s/secret", cfg->var_dir);
    const char *path = config_str("INSPRAAK_SECRET_FILE", def);
    s_remove_leftovers(path);
    for (int attempt = 0; attempt < 2; attempt++) {
        int r = s_read_key(path, key, err, errlen);
        if (r == 0)
            return 0;
        if (r == -2)
            return -1;
        if (errno != ENOENT)
            break;
        mkdir(cfg->var_dir, 0700);
        if (s_make_key(path) != 0)
            break;
    }
    snprintf(err, errlen, "secret file %s: %s", path, strerror(errno));
    return -1;
}

void unsubscribe_sign(const unsigned char key[UNSUBSCRIBE_KEY_BYTES], const char *pid,
                      char out[UNSUBSCRIBE_SIG_SIZE])
{
    unsigned char mac[crypto_auth_BYTES];
    crypto_auth(mac, (const unsigned char *)pid, strlen(pid), key);
    sodium_bin2base64(out, UNSUBSCRIBE_SIG_SIZE, mac, sizeof mac,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* A pid is "p-" + 16 hex (docs/redis.md); refusing anything else keeps
 * odd bytes out of Redis keys and logs before the MAC is even checked. */
static int s_pid_ok(const char *pid)
{
    if (!pid || strncmp(pid, "p-", 2) != 0 || strlen(pid) != 18)
        return 0;
    for (const char *p = pid + 2; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    return 1;
}

int unsubscribe_verify(const unsigned char key[UNSUBSCRIBE_KEY_BYTES], const char *pid,
                       const char *sig)
{
    unsigned char mac[crypto_auth_BYTES];
    size_t n = 0;
    if (!s_pid_ok(pid) || !sig || strlen(sig) > 64)
        return 0;
    if (sodium_base642bin(mac, sizeof mac, sig, strlen(sig), NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        n != sizeof mac)
        return 0;
    return crypto_auth_verify(mac, (const unsigned char *)pid, strlen(pid), key) == 0;
}

int unsubscribe_apply(rstore_t *rs, const char *pid, long long now_ms)
{
    static const char script[] =
        "redis.call('SADD', 'inspraak:unsubscribed', ARGV[1])\n"
        "if redis.call('EXISTS', KEYS[1]) == 1 then\n"
        "  redis.call('HSET', KEYS[1], 'consent_feedback', '0', 'unsubscribed_at', ARGV[2])\n"
        "end\n"
        "return 1\n";
    char key[128], now[32];
    snprintf(key, sizeof key, "inspraak:participant:%s", pid);
    snprintf(now, sizeof now, "%lld", now_ms);
    redisReply *r = rstore_cmd(rs, "EVAL %s 1 %s %s %s", script, key, pid, now);
    if (!r)
        return -1;
    freeReplyObject(r);
    return 0;
}

int unsubscribe_is(rstore_t *rs, const char *pid)
{
    redisReply *r = rstore_cmd(rs, "SISMEMBER inspraak:unsubscribed %s", pid);
    if (!r)
        return -1;
    int v = r->type == REDIS_REPLY_INTEGER && r->integer == 1;
    freeReplyObject(r);
    return v;
}
