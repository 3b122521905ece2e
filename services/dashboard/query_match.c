/*
 * NAME
 *   query_match - which ideas a parsed query lets through (see query.h):
 *   the cursor's place in the order, the equality filters, the dates and
 *   the search text
 *
 * DESCRIPTION
 *   Pure, no I/O. Reading the query from the parameters is query.c.
 *   The search text is compared as a reader compares words: case folded
 *   and without accents (GLib's Unicode tables).
 */
#include "query.h"

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

bool query_after_cursor(const query_t *q, int64_t score, const char *id, size_t id_len)
{
    if (!q->has_cursor)
        return true;
    bool old = q->sort == QUERY_SORT_OLD;
    if (score != q->cursor_score)
        return old ? score > q->cursor_score : score < q->cursor_score;
    /* Equal scores: Redis orders members bytewise; newest first = descending. */
    size_t cl = strlen(q->cursor_id);
    int c = memcmp(id, q->cursor_id, id_len < cl ? id_len : cl);
    if (c == 0)
        return old ? id_len > cl : id_len < cl;
    return old ? c > 0 : c < 0;
}

static bool s_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return false;
    return true;
}

/* The plain letters for letters that Unicode does not decompose but a
 * reader types without their stroke or dot: Polish "ł", Turkish dotless
 * "ı", Danish/Norwegian "ø", "đ", and the ligatures "æ", "œ" (after case
 * folding, so only lower case). Never longer than the letter it replaces,
 * so s_fold can rewrite in place. NULL when c is not one of them.
 * Hand-written: GLib's g_str_to_ascii makes "ı" a "?", and NFD keeps them. */
static const char *s_plain_letter(gunichar c)
{
    switch (c) {
    case 0x0142:
        return "l"; /* ł */
    case 0x0131:
        return "i"; /* ı */
    case 0x00F8:
        return "o"; /* ø */
    case 0x0111:
        return "d"; /* đ */
    case 0x00E6:
        return "ae"; /* æ */
    case 0x0153:
        return "oe"; /* œ */
    default:
        return NULL;
    }
}

/* s as a reader compares words: case folded, decomposed (NFD) and without
 * combining marks, so "CAFÉ", "café" and "cafe" are the same, and the
 * letters of s_plain_letter as their plain ones ("pomysł" is "pomysl");
 * GLib's Unicode tables. NULL for text that is not UTF-8. Caller g_free()s. */
static char *s_fold(const char *s)
{
    if (!g_utf8_validate(s, -1, NULL))
        return NULL;
    char *cf = g_utf8_casefold(s, -1);
    char *nfd = g_utf8_normalize(cf, -1, G_NORMALIZE_NFD);
    g_free(cf);
    if (!nfd)
        return NULL;
    char *w = nfd;
    for (const char *r = nfd; *r;) {
        const char *next = g_utf8_next_char(r);
        gunichar c = g_utf8_get_char(r);
        const char *plain = s_plain_letter(c);
        if (plain) {
            size_t n = strlen(plain);
            memcpy(w, plain, n);
            w += n;
        } else if (!g_unichar_ismark(c)) {
            memmove(w, r, (size_t)(next - r));
            w += next - r;
        }
        r = next;
    }
    *w = '\0';
    return nfd;
}

static bool s_contains_ascii(const char *hay, const char *needle)
{
    for (; *hay; hay++) {
        size_t i = 0;
        for (; needle[i]; i++) {
            char c = hay[i];
            if (!c)
                return false;
            if (c >= 'A' && c <= 'Z')
                c = (char)(c + 32);
            if (c != needle[i])
                break;
        }
        if (!needle[i])
            return true;
    }
    return false;
}

bool query_contains_ci(const char *hay, const char *needle)
{
    if (!*needle)
        return true;
    if (!hay)
        return false;
    if (s_ascii(hay) && s_ascii(needle))
        return s_contains_ascii(hay, needle);
    /* an accent on either side: compare the folded texts (stored text is
     * UTF-8; a broken record gets the plain comparison). A needle of only
     * combining marks folds to nothing and finds nothing: as "" it would
     * be found in every text. */
    char *h = s_fold(hay), *n = h ? s_fold(needle) : NULL;
    bool found = n ? *n && strstr(h, n) != NULL : s_contains_ascii(hay, needle);
    g_free(h);
    g_free(n);
    return found;
}

/* An empty field is "none" in the indexes; match the same way. */
static bool s_eq(const char *want, const char *have)
{
    if (!have || !*have)
        return strcmp(want, "none") == 0;
    return strcmp(want, have) == 0;
}

bool query_filtered(const query_t *q)
{
    return q->n_eq > 0 || q->q[0] || q->has_from || q->has_to;
}

bool query_match(const query_t *q, const idea_t *idea)
{
    const char *fields[QUERY_NDIMS] = {idea->wijk,      idea->themes[0], idea->channel,
                                       idea->sentiment, idea->question,  idea->target_group,
                                       idea->status,    idea->activity};
    for (int i = 0; i < QUERY_NDIMS; i++) {
        if (!q->eq[i][0])
            continue;
        if (i == QUERY_THEME) {
            bool found = idea->n_themes == 0 && strcmp(q->eq[i], "none") == 0;
            for (int t = 0; t < idea->n_themes && !found; t++)
                found = strcmp(q->eq[i], idea->themes[t]) == 0;
            if (!found)
                return false;
        } else if (i == QUERY_STATUS && (!idea->status || !*idea->status)) {
            if (strcmp(q->eq[i], "new") != 0) /* storage stores a missing status as "new" */
                return false;
        } else if (!s_eq(q->eq[i], fields[i])) {
            return false;
        }
    }
    if (q->has_from && idea->received_at < q->from_ms)
        return false;
    if (q->has_to && idea->received_at > q->to_ms)
        return false;
    /* source.context is searched too: it holds the activity name of a
     * field idea ("omgevingsvisietour Hoensbroek 12 mei"), so staff find
     * the ideas of one activity, and a transcript's interviewer question. */
    if (q->q[0] && !query_contains_ci(idea->text, q->q) && !query_contains_ci(idea->title, q->q) &&
        !query_contains_ci(idea->source.context, q->q) &&
        !(q->text_fn && (q->text_fn(q, idea->text) || q->text_fn(q, idea->title))))
        return false;
    return true;
}
