/*
 * NAME
 *   turns - speakers, merging of cues into statements, interviewer turns
 *   (transcript.h)
 *
 * DESCRIPTION
 *   Hand-written: the rules are ours (see transcript.h). Speaker names are
 *   compared after g_utf8_casefold(), so "CAMJO", "camjo" and "Camjo" are
 *   one person.
 */
#include <ctype.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "transcript.h"
#include "validate.h"
#include "xalloc.h"

/* Whether the word at w (up to a space or ':') may be a later word of a
 * name: it starts with a capital or a digit ("Jan Wit", "Spreker 8"), or is
 * a particle of a Dutch, German or French name ("Jan de Wit", "van der").
 * "Mijn moeder zei altijd" and "Het probleem is" are a resident's words. */
static bool s_name_word(const char *w)
{
    static const char *const particles[] = {"de", "den", "der", "van", "het", "'t",  "te",
                                            "ten", "ter", "in", "op", "von", "zu", "du",
                                            "la",  "le",  "d'", NULL};
    size_t n = strcspn(w, " :");
    gunichar c = g_utf8_get_char_validated(w, (gssize)n);
    if (c != (gunichar)-1 && c != (gunichar)-2 && (g_unichar_isupper(c) || g_unichar_isdigit(c)))
        return true;
    for (int i = 0; particles[i]; i++)
        if (strlen(particles[i]) == n && strncmp(w, particles[i], n) == 0)
            return true;
    return false;
}

/* Whether name (as written before the colon) is a Dutch discourse word
 * that opens a resident's sentence ("Kortom: we willen meer groen", "Let
 * op: ...") rather than a speaker's name; compared case folded, so "OKÉ"
 * is "oké". */
static bool s_discourse_word(const char *name, size_t n)
{
    static const char *const words[] = {
        "kortom",     "dus",        "maar",       "nou",       "ja",           "nee",
        "oké",        "oke",        "ok",         "okay",      "tja",          "nou ja",
        "ja maar",    "ja hoor",    "nee hoor",   "goed",      "kijk",         "luister",
        "zeg",        "enfin",      "trouwens",   "overigens", "bijvoorbeeld", "samengevat",
        "daarom",     "oftewel",    "ofwel",      "eigenlijk", "inderdaad",    "precies",
        "sowieso",    "tot slot",   "let op",     "let wel",   "kort gezegd",  "eerlijk gezegd",
        "ten eerste", "ten tweede", "ten slotte", "nogmaals",  "verder",       "ook",
        NULL};
    if (n > 20 || !g_utf8_validate(name, (gssize)n, NULL))
        return false;
    gchar *folded = g_utf8_casefold(name, (gssize)n);
    bool found = value_allowed(folded, words);
    g_free(folded);
    return found;
}

char *transcript_prefix_speaker(const char *text, const char **rest)
{
    const char *p = text;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '-' || *p == '>') /* "- NAAM:" and ">> NAAM:" in captions */
        while (*p == '-' || *p == '>' || *p == ' ')
            p++;
    const char *name = p;
    int words = 1;
    if (!(isalpha((unsigned char)*p) || (unsigned char)*p >= 0x80))
        return NULL;
    while (*p && *p != ':') {
        unsigned char c = (unsigned char)*p;
        if (c == ' ') {
            words++;
            if (p[1] != ' ' && p[1] != ':' && !s_name_word(p + 1))
                return NULL;
        } else if (!(isalnum(c) || c >= 0x80 || c == '.' || c == '-' || c == '\'' || c == '_'))
            return NULL;
        if (words > 4 || p - name >= TRANSCRIPT_MAX_SPEAKER)
            return NULL;
        p++;
    }
    if (*p != ':' || (p[1] && p[1] != ' ' && p[1] != '\t' && p[1] != '\n'))
        return NULL;
    const char *end = p;
    while (end > name && end[-1] == ' ')
        end--;
    if (end == name || s_discourse_word(name, (size_t)(end - name)))
        return NULL;
    p++;
    while (*p == ' ' || *p == '\t' || *p == '\n')
        p++;
    *rest = p;
    return xstrndup(name, (size_t)(end - name));
}

static bool s_is_interviewer(const char *speaker, const char *interviewers)
{
    if (!speaker || !interviewers)
        return false;
    gchar *who = g_utf8_casefold(speaker, -1);
    gchar **names = g_strsplit(interviewers, ",", -1);
    bool found = false;
    for (int i = 0; names[i] && !found; i++) {
        gchar *n = g_utf8_casefold(g_strstrip(names[i]), -1);
        found = *n && strcmp(n, who) == 0;
        g_free(n);
    }
    g_strfreev(names);
    g_free(who);
    return found;
}

void statement_list_clear(statement_list_t *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].text);
        free(l->items[i].context);
    }
    free(l->items);
    memset(l, 0, sizeof *l);
}

/* The statement being built. */
typedef struct {
    char *speaker; /* as written; NULL when unknown */
    GString *text;
    size_t chars; /* characters in text */
    bool open, has_times;
    bool part; /* a later part of a turn cut at TEXT_MAX_CHARS */
    int64_t start, end;
} s_turn_t;

static void s_close(s_turn_t *t, const char *interviewers, char **question, statement_list_t *out)
{
    if (!t->open)
        return;
    t->open = false;
    /* the same clean-up as every intake: control characters out, white
     * space trimmed (an SRT read as Windows-1252 may hold stray C0 bytes) */
    char *text = text_normalise(t->text->str, t->text->len);
    if (s_is_interviewer(t->speaker, interviewers)) {
        out->skipped_interviewer++;
        free(*question);
        *question = *text ? xstrdup(text) : NULL;
    } else if (*text) {
        if (out->n == out->cap) {
            out->cap = out->cap ? out->cap * 2 : 16;
            out->items = xrealloc(out->items, out->cap * sizeof *out->items);
        }
        /* The question stays until the interviewer asks the next one:
         * every resident answering it gets it, not only the first. */
        char *context = *question && !t->part ? xstrdup(*question) : NULL;
        out->items[out->n++] = (statement_t){.has_times = t->has_times,
                                             .start_ms = t->start,
                                             .end_ms = t->end,
                                             .text = xstrdup(text),
                                             .context = context};
    }
    free(text);
    g_string_truncate(t->text, 0);
    t->chars = 0;
}

static bool s_same_speaker(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    gchar *x = g_utf8_casefold(a, -1), *y = g_utf8_casefold(b, -1);
    bool same = strcmp(x, y) == 0;
    g_free(x);
    g_free(y);
    return same;
}

/* The line at s (up to '\n'), trimmed: its start in *line, its length. */
static size_t s_trimmed_line(const char *s, const char **line)
{
    size_t n = strcspn(s, "\n");
    while (n && g_ascii_isspace(*s))
        s++, n--;
    while (n && g_ascii_isspace(s[n - 1]))
        n--;
    *line = s;
    return n;
}

/* Rolling captions (YouTube's automatic ones, and live captioning): a cue
 * of two or more lines repeats the last line of the cue before above its
 * own new words, and a short cue holds that line alone above a blank one.
 * Read as they are, every sentence reached staff in two or three ideas.
 * The first line of such a cue is dropped when it is the previous cue's
 * last non-blank line (trimmed); a cue of one line is never touched, so a
 * resident saying "Ja." twice keeps both. *last is then set to plain's own
 * last non-blank line (malloc'd). */
static void s_unroll(char *plain, char **last)
{
    const char *first, *line, *own = NULL;
    size_t n = s_trimmed_line(plain, &first), own_n = 0;
    char *nl = strchr(plain, '\n');
    for (const char *p = plain; p; p = strchr(p, '\n')) {
        p += *p == '\n';
        size_t m = s_trimmed_line(p, &line);
        if (m) {
            own = line;
            own_n = m;
        }
    }
    char *mine = own ? xstrndup(own, own_n) : NULL; /* before plain is moved */
    char *prev = *last;
    if (nl && prev && n && strlen(prev) == n && memcmp(first, prev, n) == 0)
        memmove(plain, nl + 1, strlen(nl + 1) + 1);
    free(prev);
    *last = mine;
}

/* The speaker of one cue and its plain text all (from s_unroll) without
 * the name, in *plain. */
static char *s_cue_speaker(const cue_t *cue, const char *all, char **plain)
{
    char *speaker = webvtt_cue_voice(cue->text);
    const char *rest = all;
    char *prefix = transcript_prefix_speaker(all, &rest);
    if (!speaker) {
        speaker = prefix;
    } else {
        /* "<v Bob>Bob: ..." : drop the repeated name too; but "<v Bob>Mijn
         * moeder zei altijd: ..." is what Bob said, kept whole */
        gchar *a = g_utf8_casefold(speaker, -1), *b = prefix ? g_utf8_casefold(prefix, -1) : NULL;
        if (!b || strcmp(a, b) != 0)
            rest = all;
        g_free(a);
        g_free(b);
        free(prefix);
    }
    if (!speaker)
        rest = all;
    *plain = xstrdup(rest);
    for (char *c = *plain; *c; c++)
        if (*c == '\n' || *c == '\t')
            *c = ' ';
    return speaker;
}

/* A cue's place in the video: its start, then its place in the file. */
typedef struct {
    int64_t start;
    size_t i;
} s_place_t;

static int s_place_cmp(const void *a, const void *b)
{
    const s_place_t *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* The cues in the order they are heard: by start time, cues that start
 * together in file order. Subtitle tools may write a cue out of order (a
 * correction appended at the end); read in file order, its words joined
 * the wrong turn and its idea pointed at the wrong moment. Turns without
 * times (text) keep their order. */
static size_t *s_time_order(const cue_list_t *cues)
{
    s_place_t *p = xmalloc((cues->n ? cues->n : 1) * sizeof *p);
    for (size_t i = 0; i < cues->n; i++)
        p[i] = (s_place_t){.start = cues->items[i].has_times ? cues->items[i].start_ms : 0, .i = i};
    qsort(p, cues->n, sizeof *p, s_place_cmp);
    size_t *order = xmalloc((cues->n ? cues->n : 1) * sizeof *order);
    for (size_t i = 0; i < cues->n; i++)
        order[i] = p[i].i;
    free(p);
    return order;
}

void statements_build(const cue_list_t *cues, const char *interviewers, statement_list_t *out)
{
    memset(out, 0, sizeof *out);
    s_turn_t t = {.text = g_string_new("")};
    char *question = NULL;
    size_t *order = s_time_order(cues);
    char *last_line = NULL; /* of the cue before, for s_unroll() */
    for (size_t i = 0; i < cues->n; i++) {
        const cue_t *c = &cues->items[order[i]];
        char *all = webvtt_cue_plain(c->text);
        s_unroll(all, &last_line);
        char *plain;
        char *speaker = s_cue_speaker(c, all, &plain);
        free(all);
        /* a cue without a name goes on with the known speaker; with no
         * speaker known at all, each cue stands alone */
        bool cont = t.open && (speaker ? s_same_speaker(speaker, t.speaker) : t.speaker != NULL);
        /* An idea holds at most TEXT_MAX_CHARS characters, as on the form
         * and in the field app: a speaker who goes on longer is cut at the
         * cue that would pass it, each part an idea with its own times. */
        size_t n = utf8_chars(plain, strlen(plain));
        bool full = cont && t.chars + 1 + n > TEXT_MAX_CHARS;
        if (!cont || full) {
            s_close(&t, interviewers, &question, out);
            if (!cont) {
                free(t.speaker);
                t.speaker = speaker ? xstrdup(speaker) : NULL;
            }
            t.open = true;
            t.part = cont && full;
            t.has_times = c->has_times;
            t.start = c->start_ms;
        }
        t.end = c->end_ms > t.end || !cont || full ? c->end_ms : t.end;
        if (t.end < t.start) /* a cue that ends before it starts: a typo in its times */
            t.end = t.start;
        if (t.text->len && *plain) {
            g_string_append_c(t.text, ' ');
            t.chars++;
        }
        g_string_append(t.text, plain);
        t.chars += n;
        free(plain);
        free(speaker);
    }
    s_close(&t, interviewers, &question, out);
    free(order);
    free(last_line);
    free(t.speaker);
    free(question);
    g_string_free(t.text, TRUE);
}
