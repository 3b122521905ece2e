/*
 * NAME
 *   mail_text - quote, signature and disclaimer removal (see mail_text.h)
 *
 * DESCRIPTION
 *   Works on lines. Hand-written: the rules are about how Dutch and English
 *   mail clients format replies, which no library in our set knows. Every
 *   rule errs towards keeping text: a greeting is only treated as the start
 *   of a signature when at most a few short lines follow it, and an opening
 *   salutation is only dropped when it is the first line, alone on it.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail_text.h"
#include "xalloc.h"

#define SIG_MAX_LINES 7  /* non-empty lines after a greeting that still look like a signature */
#define SIG_MAX_WIDTH 72 /* ... each at most this long */

typedef struct {
    char **line; /* each a copy, trailing white space removed */
    int n;
    bool *drop;
} s_lines_t;

static void s_split(s_lines_t *l, const char *body)
{
    int cap = 16;
    l->line = xmalloc(sizeof *l->line * (size_t)cap);
    l->n = 0;
    const char *p = body;
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r'))
            len--;
        if (l->n == cap) {
            cap *= 2;
            l->line = xrealloc(l->line, sizeof *l->line * (size_t)cap);
        }
        l->line[l->n++] = xstrndup(p, len);
        if (!nl)
            break;
        p = nl + 1;
    }
    l->drop = xcalloc((size_t)l->n, sizeof *l->drop);
}

static void s_free(s_lines_t *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->line[i]);
    free(l->line);
    free(l->drop);
}

static const char *s_skipws(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static bool s_starts(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static bool s_blank(const char *s)
{
    return *s_skipws(s) == '\0';
}

static bool s_quoted(const char *s)
{
    return *s_skipws(s) == '>';
}

static bool s_ends_colon(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && s[n - 1] == ':';
}

/* "Op di 3 jan 2026 om 10:00 schreef Jan <jan@x.nl>:" or "On ... wrote:",
 * possibly wrapped over two lines. Returns how many lines it spans, 0 if
 * it is not one. */
static int s_attribution(const s_lines_t *l, int i)
{
    const char *s = s_skipws(l->line[i]);
    if (!s_starts(s, "Op ") && !s_starts(s, "On ") && !s_starts(s, "Am "))
        return 0;
    for (int span = 1; span <= 2 && i + span - 1 < l->n; span++) {
        const char *last = l->line[i + span - 1];
        bool verb = false;
        for (int k = i; k < i + span; k++)
            verb = verb || strcasestr(l->line[k], "schreef") || strcasestr(l->line[k], "wrote") ||
                   strcasestr(l->line[k], "schrieb");
        if (verb && s_ends_colon(last))
            return span;
    }
    return 0;
}

static bool s_original_marker(const char *s)
{
    s = s_skipws(s);
    if (strncmp(s, "-----", 5) != 0 && strncmp(s, "_____", 5) != 0)
        return false;
    return strcasestr(s, "original message") || strcasestr(s, "oorspronkelijk bericht") ||
           strcasestr(s, "origineel bericht");
}

/* An Outlook header block: "Van:"/"From:" followed within a few lines by
 * at least two of Verzonden/Sent/Datum/Date, Aan/To, Onderwerp/Subject. */
static bool s_outlook_block(const s_lines_t *l, int i)
{
    const char *s = s_skipws(l->line[i]);
    if (*s == '*')
        s++; /* "*Van:*" from HTML bold */
    if (!s_starts(s, "Van:") && !s_starts(s, "From:"))
        return false;
    int hits = 0;
    for (int k = i + 1; k < l->n && k <= i + 6; k++) {
        const char *t = s_skipws(l->line[k]);
        if (*t == '*')
            t++;
        if (s_starts(t, "Verzonden:") || s_starts(t, "Sent:") || s_starts(t, "Datum:") ||
            s_starts(t, "Date:") || s_starts(t, "Aan:") || s_starts(t, "To:") ||
            s_starts(t, "Onderwerp:") || s_starts(t, "Subject:") || s_starts(t, "CC:"))
            hits++;
    }
    return hits >= 2;
}

/* A closing greeting line: "Met vriendelijke groet(en)", "Groet(en)",
 * "Mvg", "Groetjes", "Hartelijke groet", "Kind regards" (with optional
 * punctuation and a name on the same line). */
static bool s_greeting(const char *s)
{
    static const char *const words[] = {
        "met vriendelijke groet", "vriendelijke groet", "met hartelijke groet", "hartelijke groet",
        "met groet", "groetjes", "groeten", "groet", "mvg", "m.v.g.", "kind regards",
        "best regards", "regards", "vr. gr.", "vr.gr.",
        /* residents who write in their own language */
        "mit freundlichen grüßen", "mit freundlichen grüssen", "viele grüße", "liebe grüße",
        "cordialement", "bien cordialement", "saludos", "atentamente", "pozdrawiam", "z poważaniem",
        "z wyrazami szacunku", "serdeczne pozdrowienia", "saygılarımla", "selamlar", "مع التحية",
        "مع تحياتي", "مع خالص التحية", "تحياتي", NULL};
    s = s_skipws(s);
    for (int i = 0; words[i]; i++) {
        size_t n = strlen(words[i]);
        if (strncasecmp(s, words[i], n) == 0) {
            const char *r = s + n;
            if (*r == '\0' || *r == ',' || *r == '.' || *r == '!' || *r == ' ' ||
                (words[i][n - 1] == 't' && (*r == 'e' || *r == 'E')))
                return strlen(s) <= 60; /* a sentence that starts like this is text */
        }
    }
    return false;
}

/* The line a phone or mail app adds below the text: "Verzonden vanaf mijn
 * iPhone", "Verstuurd vanaf mijn Samsung Galaxy-smartphone.", "Sent from
 * my iPad", "Get Outlook for Android". Short, or it is a sentence. */
static bool s_device_line(const char *s)
{
    static const char *const starts[] = {"verzonden vanaf mijn ",
                                         "verzonden met mijn ",
                                         "verzonden via mijn ",
                                         "verstuurd vanaf mijn ",
                                         "verstuurd met mijn ",
                                         "verstuurd via mijn ",
                                         "sent from my ",
                                         "sent with my ",
                                         "von meinem ",
                                         "envoyé de mon ",
                                         "get outlook for ",
                                         "outlook voor ios",
                                         "outlook voor android",
                                         "download outlook voor ",
                                         "gesendet von meinem ",
                                         "enviado desde mi ",
                                         "wysłane z ",
                                         "wysłano z ",
                                         "أرسلت من ",
                                         "أُرسلت من ",
                                         NULL};
    s = s_skipws(s);
    for (int i = 0; starts[i]; i++)
        if (strncasecmp(s, starts[i], strlen(starts[i])) == 0)
            return strlen(s) <= 60 && !strchr(s, ',');
    return false;
}

/* Is everything after line i short enough to be a signature? */
static bool s_signature_after(const s_lines_t *l, int i)
{
    int count = 0;
    for (int k = i + 1; k < l->n; k++) {
        if (l->drop[k] || s_blank(l->line[k]))
            continue;
        if (++count > SIG_MAX_LINES || strlen(l->line[k]) > SIG_MAX_WIDTH)
            return false;
    }
    return true;
}

static void s_drop_from(s_lines_t *l, int i)
{
    for (; i < l->n; i++)
        l->drop[i] = true;
}

/* Does unquoted, non-blank text follow line i (an interleaved reply)? */
static bool s_text_after_quotes(const s_lines_t *l, int i)
{
    bool seen_quote = false;
    for (int k = i; k < l->n; k++) {
        if (s_blank(l->line[k]))
            continue;
        if (s_quoted(l->line[k]))
            seen_quote = true;
        else if (seen_quote)
            return !(strcmp(l->line[k], "--") == 0 || strcmp(l->line[k], "-- ") == 0);
        else
            return false;
    }
    return false;
}

/* "---------- Forwarded message ---------" (Gmail), "---------- Doorgestuurd
 * bericht ---------", "Begin forwarded message:" / "Begin doorgestuurd
 * bericht:" (Apple Mail). */
static bool s_forward_marker(const char *s)
{
    s = s_skipws(s);
    if (strncmp(s, "-----", 5) == 0)
        return strcasestr(s, "forwarded message") || strcasestr(s, "doorgestuurd bericht");
    return s_starts(s, "begin forwarded message:") || s_starts(s, "begin doorgestuurd bericht:");
}

static bool s_forward_header(const char *s)
{
    static const char *const names[] = {
        "Van:", "From:", "Datum:", "Date:", "Verzonden:",    "Sent:",     "Onderwerp:", "Subject:",
        "Aan:", "To:",   "Cc:",    "Bcc:",  "Beantwoorden:", "Reply-To:", NULL};
    s = s_skipws(s);
    if (*s == '*')
        s++; /* "*Van:*" from HTML bold */
    for (int i = 0; names[i]; i++)
        if (s_starts(s, names[i]))
            return true;
    return false;
}

/* A forwarded mail is the point of the mail, not an old thread: its
 * marker and header block (the first sender's name and address) go, its
 * text stays, unquoted when Apple Mail quoted it. fwd (the subject says
 * "Fwd:") also takes an Outlook header block for the start. */
static void s_unwrap_forward(s_lines_t *l, bool fwd)
{
    int i = 0;
    for (; i < l->n && !s_quoted(l->line[i]); i++) {
        if (s_forward_marker(l->line[i]))
            break;
        if (fwd && s_outlook_block(l, i))
            break;
        if (fwd && strncmp(l->line[i], "__________", 10) == 0 && i + 1 < l->n &&
            s_outlook_block(l, i + 1))
            break;
    }
    if (i >= l->n || s_quoted(l->line[i]))
        return;
    if (!s_forward_header(l->line[i]))
        l->drop[i++] = true;
    int k = i;
    while (k < l->n && s_blank(l->line[k]))
        k++;
    if (k < l->n && s_quoted(l->line[k]))
        for (int q = i; q < l->n && (s_quoted(l->line[q]) || s_blank(l->line[q])); q++) {
            char *s = (char *)s_skipws(l->line[q]);
            if (*s == '>')
                s += s[1] == ' ' ? 2 : 1;
            memmove(l->line[q], s, strlen(s) + 1);
        }
    for (; i < l->n && (s_blank(l->line[i]) || s_forward_header(l->line[i])); i++)
        l->drop[i] = true;
}

static void s_cut_replies(s_lines_t *l)
{
    for (int i = 0; i < l->n; i++) {
        if (l->drop[i])
            continue;
        int span = s_attribution(l, i);
        if (span > 0) {
            if (s_text_after_quotes(l, i + span)) {
                for (int k = i; k < i + span; k++)
                    l->drop[k] = true;
                continue;
            }
            return s_drop_from(l, i);
        }
        if (s_original_marker(l->line[i]) || s_outlook_block(l, i))
            return s_drop_from(l, i);
        /* An underscore rule that opens an Outlook block goes with it. */
        if (strncmp(l->line[i], "__________", 10) == 0 && i + 1 < l->n && s_outlook_block(l, i + 1))
            return s_drop_from(l, i);
        if (s_quoted(l->line[i]))
            l->drop[i] = true;
    }
}

/* A farewell word alone on its line: "Dag,", "Doei!", Limburgish "Doag,"
 * (Dutch "Dag"), "Houdoe", "Tschüss". Unlike a greeting it counts only
 * after some text: "Dag," on the first line opens the mail, and "Dag in
 * dag uit ..." says more than the word. */
static bool s_farewell(const char *s)
{
    static const char *const words[] = {"dag",  "doei",      "doeg",    "doag",   "houdoe",
                                        "ciao", "tot ziens", "tschüss", "tschüs", NULL};
    s = s_skipws(s);
    size_t n = strlen(s);
    while (n > 0 && strchr(" ,.!", s[n - 1]))
        n--;
    for (int i = 0; words[i]; i++)
        if (n == strlen(words[i]) && strncasecmp(s, words[i], n) == 0)
            return true;
    return false;
}

static void s_cut_signature(s_lines_t *l)
{
    bool text_before = false;
    for (int i = 0; i < l->n; i++) {
        if (l->drop[i])
            continue;
        if (strcmp(l->line[i], "--") == 0)
            return s_drop_from(l, i); /* "-- " with its space trimmed by s_split */
        if ((s_greeting(l->line[i]) || s_device_line(l->line[i]) ||
             (text_before && s_farewell(l->line[i]))) &&
            s_signature_after(l, i))
            return s_drop_from(l, i);
        text_before = text_before || !s_blank(l->line[i]);
    }
}

/* Salutations are short: "Beste mensen van de gemeente Heerlen," has 6
 * words, "Hallo allemaal!" 2. A longer line that opens with such a word is
 * a sentence: "Dag in dag uit rijden hier vrachtwagens door de straat!", or
 * the first line of one wrapped at a comma ("Dag en nacht rijden hier
 * ... door de straat,"). */
#define S_SALUTATION_WORDS 6
#define S_EXCLAIMED_SALUTATION_WORDS 3

static int s_words(const char *s)
{
    int n = 0;
    for (bool in = false; *s; s++) {
        bool sp = isspace((unsigned char)*s);
        n += !sp && !in;
        in = !sp;
    }
    return n;
}

/* An opening salutation on a line of its own: "Beste gemeente,", "Geachte
 * heer/mevrouw,", "Hallo,", "Dag allemaal!", "Dear Sir or Madam,", "Sehr
 * geehrte Damen und Herren,", and the Polish, Turkish and Arabic ones
 * ("Dzień dobry,", "Merhaba,", "مرحبا،"). The word must stand alone
 * ("Dagelijks" is no "Dag") and the line must end at its only comma or
 * exclamation mark with no other sentence sign in it: "Beste gemeente,
 * plant bomen." says more; and it must be short (S_SALUTATION_WORDS). */
static bool s_salutation(const char *s)
{
    static const char *const words[] = {
        "beste", "geachte", "hallo", "hoi", "hey", "dag", "goedendag", "goedemorgen", "goedemiddag",
        "goedenavond", "lieve", "dear", "hello", "hi", "good morning", "good afternoon",
        "sehr geehrte", "sehr geehrter", "liebe", "lieber", "guten tag", "guten morgen",
        /* residents who write in their own language */
        "dzień dobry", "szanowni", "szanowny", "szanowna", "witam", "cześć", "merhaba", "sayın",
        "iyi günler", "İyi günler", "selam", "مرحبا", "مرحباً", "السلام عليكم", "تحية طيبة", NULL};
    char line[64];
    s = s_skipws(s);
    size_t len = strlen(s);
    if (len == 0 || len > 60)
        return false;
    /* The Arabic comma (U+060C) ends a salutation as "," does. */
    if (len >= 2 && strcmp(s + len - 2, "\xd8\x8c") == 0) {
        snprintf(line, sizeof line, "%.*s,", (int)(len - 2), s);
        s = line;
        len--;
    }
    if (strpbrk(s, ".?;:") || strcspn(s, ",!") < len - 1)
        return false;
    int n_words = s_words(s);
    if (n_words > S_SALUTATION_WORDS ||
        (s[len - 1] == '!' && n_words > S_EXCLAIMED_SALUTATION_WORDS))
        return false;
    for (int i = 0; words[i]; i++) {
        size_t n = strlen(words[i]);
        if (strncasecmp(s, words[i], n) == 0 &&
            (s[n] == '\0' || s[n] == ' ' || s[n] == ',' || s[n] == '!'))
            return s[len - 1] == ',' || s[len - 1] == '!' || s[n] == '\0';
    }
    return false;
}

/* Drops the first line of the new text when it is only a salutation and
 * more new text follows (a mail of just "Hallo," keeps it). */
static void s_cut_salutation(s_lines_t *l)
{
    int first = -1;
    for (int i = 0; i < l->n; i++) {
        if (l->drop[i] || s_blank(l->line[i]))
            continue;
        if (first >= 0) {
            l->drop[first] = true;
            return;
        }
        if (!s_salutation(l->line[i]))
            return;
        first = i;
    }
}

/* A paragraph (lines between blank lines) that opens like a disclaimer. */
static void s_cut_disclaimers(s_lines_t *l)
{
    static const char *const opens[] = {"dit bericht is uitsluitend bestemd voor",
                                        "dit e-mailbericht is uitsluitend bestemd voor",
                                        "disclaimer",
                                        "the information contained in this",
                                        "aan dit bericht kunnen geen rechten",
                                        "this e-mail and any attachments",
                                        NULL};
    for (int i = 0; i < l->n; i++) {
        if (l->drop[i] || (i > 0 && !l->drop[i - 1] && !s_blank(l->line[i - 1])))
            continue;
        const char *s = s_skipws(l->line[i]);
        bool hit = false;
        for (int k = 0; opens[k] && !hit; k++)
            hit = s_starts(s, opens[k]);
        for (int k = i; hit && k < l->n && !s_blank(l->line[k]); k++)
            l->drop[k] = true;
    }
}

static char *s_join(const s_lines_t *l)
{
    size_t cap = 1;
    for (int i = 0; i < l->n; i++)
        cap += strlen(l->line[i]) + 1;
    char *out = xmalloc(cap);
    size_t len = 0;
    int blanks = 0;
    bool started = false;
    for (int i = 0; i < l->n; i++) {
        if (l->drop[i])
            continue;
        if (s_blank(l->line[i])) {
            blanks++;
            continue;
        }
        if (started)
            out[len++] = '\n';
        if (started && blanks > 0)
            out[len++] = '\n';
        blanks = 0;
        started = true;
        size_t n = strlen(l->line[i]);
        memcpy(out + len, l->line[i], n);
        len += n;
    }
    out[len] = '\0';
    return out;
}

static char *s_clean_body(const char *body, bool fwd)
{
    s_lines_t l;
    s_split(&l, body ? body : "");
    s_unwrap_forward(&l, fwd);
    s_cut_replies(&l);
    s_cut_disclaimers(&l);
    s_cut_signature(&l);
    s_cut_salutation(&l);
    char *out = s_join(&l);
    s_free(&l);
    return out;
}

char *mail_text_clean(const char *body)
{
    return s_clean_body(body, false);
}

char *mail_text_clean_forward(const char *body)
{
    return s_clean_body(body, true);
}

/* Strips reply/forward prefixes; sets *reply when one was a reply prefix. */
static const char *s_subject_core(const char *s, bool *reply)
{
    static const char *const replies[] = {"re:", "antw:", "aw:", "re :", NULL};
    static const char *const forwards[] = {"fwd:", "fw:", "doorst:", "tr:", NULL};
    *reply = false;
    for (bool again = true; again;) {
        again = false;
        s = s_skipws(s);
        for (int i = 0; replies[i]; i++)
            if (s_starts(s, replies[i])) {
                s += strlen(replies[i]);
                *reply = again = true;
            }
        for (int i = 0; forwards[i]; i++)
            if (s_starts(s, forwards[i])) {
                s += strlen(forwards[i]);
                again = true;
            }
    }
    return s;
}

bool mail_text_is_forward(const char *subject)
{
    static const char *const forwards[] = {"fwd:", "fw:", "doorst:", "tr:", "wg:", NULL};
    const char *s = s_skipws(subject ? subject : "");
    for (int i = 0; forwards[i]; i++)
        if (s_starts(s, forwards[i]))
            return true;
    return false;
}

static bool s_says_something(const char *core)
{
    static const char *const empty[] = {
        "idee",     "idee:",          "ideeën",           "mijn idee",
        "inspraak", "omgevingsvisie", "(geen onderwerp)", "(no subject)",
        NULL};
    if (s_blank(core))
        return false;
    for (int i = 0; empty[i]; i++)
        if (strcasecmp(core, empty[i]) == 0)
            return false;
    return true;
}

char *mail_text_idea(const char *subject, const char *clean)
{
    bool reply;
    const char *core = s_subject_core(subject ? subject : "", &reply);
    if (reply || !s_says_something(core))
        return xstrdup(clean ? clean : "");
    size_t n = strlen(core);
    while (n > 0 && isspace((unsigned char)core[n - 1]))
        n--;
    if (!clean || !*clean)
        return xstrndup(core, n);
    return xasprintf("%.*s\n\n%s", (int)n, core, clean);
}
