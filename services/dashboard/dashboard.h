/*
 * NAME
 *   dashboard - what the dashboard's files share: state, Redis pool, handlers
 *
 * DESCRIPTION
 *   HTTP handlers run on libmicrohttpd's threads, and an rstore_t is for one
 *   thread at a time, so handlers borrow a connection from a small
 *   mutex-protected pool (dash_redis_get / dash_redis_put) for the length
 *   of one request. A connection whose last command failed is still
 *   returned: rstore reconnects by itself on the next command.
 *
 * OWNERSHIP
 *   dash_redis_get() lends an rstore_t; give it back with dash_redis_put().
 */
#ifndef INSPRAAK_DASHBOARD_H
#define INSPRAAK_DASHBOARD_H

#include <pthread.h>
#include <stdint.h>

#include "audit.h" /* audit_log() */
#include "config.h"
#include "geo.h"
#include "http.h"
#include "idea_version.h"
#include "proto.h"
#include "query.h"
#include "rstore.h"

#define DASH_KEY_PREFIX "inspraak:"
#define DASH_POOL_MAX 16   /* idle connections kept; more are made when needed */
#define DASH_MAX_THEMES 64 /* as many as the classifier's lexicon can hold */

typedef struct svg_map svg_map_t;

typedef struct {
    config_t cfg;
    pthread_mutex_t mu;
    rstore_t *idle[DASH_POOL_MAX];
    int n_idle;
    geo_t *geo;                        /* wijk names; NULL when data/geo could not be read */
    svg_map_t *map;                    /* wijk boundaries; NULL: no map */
    int secure_cookies;                /* INSPRAAK_SECURE_COOKIES=1: behind TLS */
    long idle_s, max_s;                /* session timeouts */
    long long_idle_s;                  /* the idle timeout staff may choose */
    long login_max_ip, login_max_user; /* failed logins per 15 minutes */
    char chromium[256];                /* INSPRAAK_CHROMIUM, for /report?format=pdf */
    long public_cache_s;               /* INSPRAAK_PUBLIC_CACHE_S: /resultaten kept (0: off) */
    /* Password checks at once, and how long a login waits for a place. */
    long login_checks_max, login_wait_ms;
    /* The theme list of data/nl/themes.tsv (page_themes_load): slugs in
     * file order and their Dutch labels (the slug when the file has none). */
    size_t n_themes;
    char *theme_slug[DASH_MAX_THEMES], *theme_label[DASH_MAX_THEMES];
} dash_t;

/* --- page.c: HTML building --- */
typedef struct {
    char *buf;
    size_t len, cap;
} sb_t; /* zero-initialise; owns buf */

typedef struct {
    char user[65];
    char role[17];
    char csrf[65];
    char key[128]; /* the Redis key of the session */
    int64_t ends_ms; /* when it ends without a click (0: not known) */
    /* session_get() 0 because the user was deleted or has a new password
     * (inspraakctl user delete|password), not because time ran out */
    int signed_out;
} session_t;

void sb_add(sb_t *sb, const char *s);
void sb_addn(sb_t *sb, const char *s, size_t n);
void sb_printf(sb_t *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_esc(sb_t *sb, const char *s); /* HTML text or quoted attribute */
/* sb_esc() of s cut to at most max characters after a whole word, with
 * "..." when cut (UTF-8 safe): quotes of ideas (PAGE_QUOTE_CHARS). */
#define PAGE_QUOTE_CHARS 500
void sb_esc_cut(sb_t *sb, const char *s, size_t max);
void sb_url(sb_t *sb, const char *s); /* percent-encoded query value */
void sb_free(sb_t *sb);
/* One CSV cell (quoted, formula-safe), preceded by a comma unless first. */
void csv_cell(sb_t *sb, const char *v, int first);
/* CSP, X-Frame-Options, no-store. */
void page_headers(http_res_t *res);
/* Opens a page; with a session, the staff navigation and logout form. */
void page_begin(sb_t *sb, const char *title, const session_t *s);
/* Closes the page and hands the buffer to res (sb is emptied). */
void page_send(http_res_t *res, int status, sb_t *sb);
/* page_send() in two steps: page_end() closes the page (footer), and
 * page_send_body() hands the finished buffer to res. */
void page_end(sb_t *sb);
void page_send_body(http_res_t *res, int status, sb_t *sb);
void page_message(http_res_t *res, int status, const char *title, const char *text);
/* The same with a link back to where the message sends staff (href: a
 * local path, escaped here) instead of the start page. */
void page_message_back(http_res_t *res, int status, const char *title, const char *text,
                       const char *href, const char *label);
/* The message a sent form comes back with (text escaped here): "ok" as a
 * status, else an alert; it has the focus when the page opens. */
void page_notice(sb_t *sb, int ok, const char *text);
void page_redirect(http_res_t *res, const char *location);
/* One short form field: its name and the fixed buffer it is copied into. */
typedef struct {
    const char *key;
    char *dst;
    size_t cap;
} page_field_t;
/* For an http_form_fields() callback: copies value into the buffer of the
 * field named key (NUL-terminated); a value that does not fit or holds a
 * NUL byte sets *bad instead. Keys not in fields are ignored. */
void page_field_copy(const page_field_t *fields, size_t n, const char *key, const char *value,
                     size_t len, int *bad);
/* The Dutch label of a value of a dimension (themes from the theme file,
 * wijken from geo, fixed lists for the rest); unknown values come back as
 * they are, "" / NULL / "none" as "Onbekend". For people only: exports
 * keep the slugs. */
const char *page_label(const dash_t *d, const char *dim, const char *value);
/* A day "2026-03-12" as people write it, "12 maart 2026", in buf; any
 * other text is returned as it is. Returns buf or ymd. */
const char *page_day(const char *ymd, char *buf, size_t size);
/* one when n is 1, else many: "1 e-mail", "2 e-mails". */
const char *page_plural(long long n, const char *one, const char *many);

/* --- num_nl.c: numbers for people --- */
typedef struct {
    char s[32];
} num_nl_t;
/* A count as Dutch readers write it, "1.234", "-12.345"; use .s in the
 * same call (sb_printf(sb, "%s", num_nl(n).s)). Only for pages: JSON,
 * CSV and /metrics keep plain digits. */
num_nl_t num_nl(long long n);
/* A percentage with one decimal, "12,5%". */
num_nl_t num_nl_percent(double pct);
/* An RFC 3339 moment (received_at as idea_json.c writes it) as people in
 * Heerlen read it, "29-11-2026 04:47" (Europe/Amsterdam, clock.h); the
 * text itself when it is no such moment, "" for NULL. Written into out. */
#define PAGE_WHEN_FMT "%d-%m-%Y %H:%M"
const char *page_when(const char *rfc3339, char *out, size_t n);
/* page_when() in another g_date_time_format() form: PAGE_EXCEL_FMT,
 * "2026-11-29 14:00:00", is what Dutch Excel reads as a date and time. */
#define PAGE_EXCEL_FMT "%Y-%m-%d %H:%M:%S"
const char *page_moment(const char *rfc3339, const char *fmt, char *out, size_t n);
/* Reads the theme slugs of a themes.tsv (the classifier's own loader,
 * classify_lex_load) and their Dutch labels from its "# Labels:" comment
 * ("slug=Label; slug=Label; ..."). 0, or -1 with err (no themes known:
 * page_label shows slugs). page_themes_free() releases them. */
int page_themes_load(dash_t *d, const char *path, char *err, size_t errlen);
void page_themes_free(dash_t *d);
/* 1 when slug is in the theme file. */
int page_theme_known(const dash_t *d, const char *slug);
const char *page_dim_title(const char *dim);
/* The title of dim's chart, in words a screen reader says first. */
const char *page_chart_title(const char *dim);
void page_css(const http_req_t *req, http_res_t *res, void *arg);

/* --- session.c: staff sessions --- */
/* 1 with *s filled when the request has a live session (its idle timer is
 * renewed); 0 when not; -1 when Redis failed. */
int session_get(dash_t *d, rstore_t *rs, const http_req_t *req, session_t *s);
/* For staff pages: 1 with a session; else the response is a redirect to
 * /login (or 503) and 0 is returned. */
int session_require(dash_t *d, rstore_t *rs, const http_req_t *req, http_res_t *res, session_t *s);
/* session_require()'s answer for what session_get() returned (r 0 or -1),
 * for a page that looked for a session itself: a second session_get()
 * would no longer see why the first one ended it (session_t.signed_out). */
void session_refuse(const http_req_t *req, http_res_t *res, int r, const session_t *s);
/* 1 when the request carries a session cookie, live or ended: a browser
 * of staff, not a program with an API token. */
int session_cookie_sent(const http_req_t *req);
/* For admin pages: as session_require, and a 403 page saying `refusal`
 * ("Alleen beheerders mogen ...") for a session that is not an admin's. */
int session_require_admin(dash_t *d, rstore_t *rs, const http_req_t *req, http_res_t *res,
                          session_t *s, const char *refusal);
/* Constant-time comparison with the session's CSRF token. */
int session_csrf_ok(const session_t *s, const char *token);
/* --- login.c: the login page, logging in and out --- */
void session_login_form(const http_req_t *req, http_res_t *res, void *arg);
void session_login(const http_req_t *req, http_res_t *res, void *arg);
void session_logout(const http_req_t *req, http_res_t *res, void *arg);

/* --- data access shared by pages (api_ideas.c, api_stats.c) --- */
/* The API answer {"items","total","next_cursor"} for a parsed query, or
 * NULL when Redis failed. */
json_t *ideas_find(rstore_t *rs, const query_t *q);
/* ideas_find(), and when its total needs a pass over every match (a
 * search text, or equality filters with a date), fn gets each match of
 * that pass (decoded record, borrowed for the call) and *all_seen is set
 * true; otherwise fn is not called and *all_seen is false. */
json_t *ideas_find_also(rstore_t *rs, const query_t *q, void (*fn)(const idea_t *idea, void *arg),
                        void *arg, bool *all_seen);
/* Every idea of q, newest first, page by page: each item (borrowed) is
 * given to fn. Returns 0, or -1 when Redis failed. */
int ideas_each(rstore_t *rs, query_t *q, void (*fn)(json_t *it, void *arg), void *arg);
/* Every idea of q in one pass (limit and cursor of q do not count), as
 * decoded records (borrowed for the call) and without JSON: for counts
 * that need fields the API never shows (headcount.c: the participant
 * id). Returns 0, or -1 when Redis failed. */
int ideas_walk(rstore_t *rs, const query_t *q, void (*fn)(const idea_t *idea, void *arg),
               void *arg);
/* One idea as JSON (idea_to_json), NULL when absent; *failed on Redis error. */
json_t *ideas_get_one(rstore_t *rs, const char *id, int *failed);
/* The same for a staff page: NULL after answering 503 (Redis) or 404 with
 * a Dutch page (ui_idea.c). */
json_t *ui_idea_or_answer(rstore_t *rs, const char *id, http_res_t *res);
/* The version of idea it (API JSON) its page's form carries as "was"
 * (idea_version.h; ui_idea.c), and a save is checked against
 * (ui_moderate.c). */
void ui_idea_version(json_t *it, char out[IDEA_VERSION_SIZE]);
/* query_parse_known() with the dashboard's lists: a theme of the theme
 * file, a wijk of data/geo, an activity of VALID_ACTIVITIES, or any value
 * counted in inspraak:stats:<dim> (older or moderated values). A Redis
 * failure here lets the value pass: the query itself will answer 503. */
int dash_query_parse(dash_t *d, rstore_t *rs, query_t *q, query_get_fn get, void *arg,
                     query_err_t *err);
/* The JSON answer to a query dash_query_parse() refused: 400 with code
 * "invalid_query", the Dutch message, and the parameter under "fields". */
void dash_query_refuse(http_res_t *res, const query_err_t *err);
/* search.c: Dutch stems of q for query_match; search_done() frees. */
void search_prepare(query_t *q);
void search_done(query_t *q);
/* {value: n} from inspraak:stats:<by>, or NULL when Redis failed. */
json_t *stats_counts(rstore_t *rs, const char *by);
/* ZCARD inspraak:ideas, or -1. */
long long stats_total(rstore_t *rs);
/* The same without hidden ideas (status "hidden"): for the public page and
 * the report. NULL / -1 when Redis failed. */
json_t *stats_counts_visible(rstore_t *rs, const char *by);
long long stats_total_visible(rstore_t *rs);
/* ZCARD ix:status:hidden: how many ideas staff hid, or -1. */
long long stats_total_hidden(rstore_t *rs);

/* --- svg_chart.c / svg_map.c --- */
typedef struct {
    const char *key; /* borrowed from the counts object */
    long long n;
} count_item_t;
/* The counts (object value -> n) as an array of *n items, largest first
 * (ties by value), or in value order when by_key (days: oldest first).
 * Caller frees the array; keys live as long as counts. */
count_item_t *counts_sorted(json_t *counts, int by_key, size_t *n);
/* A horizontal bar chart of counts (object value -> n), largest first (or
 * in key order when by_key), at most max_bars bars. */
/* max_bars for a chart that must show every value: a reader looks for
 * their own wijk (Heerlen has 23) or theme, so none may be left out. */
#define SVG_ALL_BARS 64
void svg_bar_chart(sb_t *sb, const dash_t *d, const char *dim, json_t *counts, int max_bars,
                   int by_key);
/* The same counts as a table captioned page_dim_title(dim): every value,
 * largest first (days in date order), for screen readers and print; each
 * value's share ("12,5%", not for days) and a row "Totaal". Themes: the
 * share is of ideas (the number of ideas; an idea may have several
 * themes), and no total. */
void chart_table(sb_t *sb, const dash_t *d, const char *dim, json_t *counts, long long ideas);
svg_map_t *svg_map_load(const char *geojson_path, char *err, size_t errlen);
void svg_map_destroy(svg_map_t **m);
/* The wijken coloured by counts (wijk code -> n); with links, each wijk
 * links to /ideeen?wijk=CODE. */
void svg_map_render(sb_t *sb, const dash_t *d, json_t *counts, int links);

/* --- ui_*.c, report.c, export.c, moderate.c --- */
void ui_overview(const http_req_t *req, http_res_t *res, void *arg);
void ui_public(const http_req_t *req, http_res_t *res, void *arg);
/* public_cache.c: the rendered /resultaten, served again while its
 * version (public_cache_version: a hex hash of counts the page shows) is
 * unchanged and it is younger than d->public_cache_s. get: 1 when res got
 * the cached page, else 0. */
#define PUBLIC_CACHE_VERSION 33
int public_cache_version(rstore_t *rs, char out[PUBLIC_CACHE_VERSION]);
int public_cache_get(const dash_t *d, const char *version, http_res_t *res);
void public_cache_put(const dash_t *d, const char *version, const char *body, size_t len);
void ui_ideas(const http_req_t *req, http_res_t *res, void *arg);
void ui_idea(const http_req_t *req, http_res_t *res, void *arg);
void ui_moderate(const http_req_t *req, http_res_t *res, void *arg);
/* Shared by the overview and the public page: totals, charts and the map.
 * have: NULL, or counts already read (dim -> {value: n}), used as they are. */
int ui_figures(dash_t *d, rstore_t *rs, sb_t *sb, int public_page, json_t *have);
/* Up to n approved quotes matching dim=value (NULL: any) as blockquotes. */
int ui_quotes(rstore_t *rs, sb_t *sb, const char *dim, const char *value, int n);
/* ui_activities.c: the activities register (inspraak:activities). */
void ui_activities(const http_req_t *req, http_res_t *res, void *arg);
void ui_activity_add(const http_req_t *req, http_res_t *res, void *arg);
/* 0: "YYYY-MM-DD", a day of the years 2000..2100 that exists; 1: ten
 * characters of that form naming no day (2026-02-31); -1: anything else. */
int form_date_check(const char *s);
/* ui_meeting.c: GET/POST /bijeenkomst, the terugkombijeenkomst (role
 * admin), and meeting_show(): it for /resultaten and the report (nothing
 * when none is set); 0, or -1 when Redis failed. */
void ui_meeting(const http_req_t *req, http_res_t *res, void *arg);
void ui_meeting_post(const http_req_t *req, http_res_t *res, void *arg);
int meeting_show(rstore_t *rs, sb_t *sb);
/* The announcement's date, time and place as one plain line ("11 maart
 * 2027 om 19.30 uur, Glaspaleis"), which a new campaign's meeting starts
 * from; NULL when none is set or Redis did not answer. Caller frees. */
char *meeting_line(rstore_t *rs);
/* The register as a JSON array (newest first), or NULL when Redis failed. */
json_t *activities_list(rstore_t *rs);
/* The entries of list from the first day to the last (same day: entered
 * first, first), as a new array holding the same entries; caller frees. */
json_t *activities_by_date(json_t *list);
/* A table of the register with the total number of people reached;
 * with_place: the free-text place column, for staff only (/activiteiten);
 * the report, a public appendix, leaves it out as /resultaten does, and
 * names an activity without a public name by its kind, as /resultaten.
 * ideas (or NULL): per entry of list the ideas it gave, -1 for a kind
 * whose ideas are not counted apart (public_activity_ideas), as a column
 * "Ideeën" after the people. */
void activities_table(sb_t *sb, const dash_t *d, json_t *list, int with_place,
                      const long long *ideas);
/* The idea "activity" value of ideas from a register kind, NULL for none. */
const char *activities_idea_activity(const char *kind);
/* public_steps.c: the sections of /resultaten on the steps taken
 * (activities and standing channels, with their ideas) and the people
 * reached, from the register (activities_list) and the visible counts of
 * channel and wijk (stats_counts_visible). 0, or -1 when Redis failed;
 * public_people 1 when it could not give the number of people yet (the
 * page is then not kept: public_cache.c). */
int public_steps(dash_t *d, rstore_t *rs, sb_t *sb, json_t *list, json_t *channel);
/* Per entry of dated (activities_by_date) the ideas it gave, as on
 * /resultaten, -1 for a kind whose ideas are not counted apart; NULL when
 * Redis failed. Reads indexes: the report only, or public_steps. Free it. */
long long *public_activity_ideas(rstore_t *rs, json_t *dated);
/* The table "Kanalen" (the standing channels with their ideas, from the
 * visible counts of channel), as /resultaten shows it. */
void public_channels(sb_t *sb, const dash_t *d, json_t *channel);
/* languages: also the ideas per language other than Dutch (the report
 * only: it reads the hidden ideas' records, and a visit to /resultaten
 * reads counters only, test_reach). */
int public_people(dash_t *d, rstore_t *rs, sb_t *sb, json_t *list, json_t *channel, json_t *wijk,
                  bool languages);
/* ZMSCORE key ids... (the string elements of the array reply ids), appended
 * to rs's pipeline; 0 or -1. */
int public_append_mscore(rstore_t *rs, const char *key, redisReply *ids);
/* public_sorting.c: the sections of /report and /resultaten on how the
 * ideas were sorted (the classifier, checked and corrected by staff: how
 * many of the total ideas not hidden, and how many corrected; 0, or -1
 * when Redis failed) and on what happens next (the plan's promises). */
int public_sorting(rstore_t *rs, sb_t *sb, long long total);
/* public_gaps.c: for public_people, the wijken with few ideas (fewer than
 * half the median per wijk) or none, and the target groups with none,
 * from the visible wijk counts, and with languages the ideas per language
 * other than Dutch; 0, or -1 when Redis failed. */
int public_gaps(const dash_t *d, rstore_t *rs, sb_t *sb, json_t *wijk, bool languages);
int public_next(rstore_t *rs, sb_t *sb);
/* reach.c: people who took part (distinct participants of the ideas not
 * hidden, plus one per such idea without one; *anon gets the latter),
 * from the counts storage keeps; REACH_COUNTING while storage is still
 * counting the ideas stored before those counts existed, -1 when Redis
 * failed. */
#define REACH_COUNTING (-2)
long long reach_people(rstore_t *rs, long long *anon);
/* The same for every idea, hidden ones too (what the staff list shows
 * without filters): the count above plus the people only hidden ideas
 * bring. REACH_COUNTING or -1 as above. */
long long reach_people_listed(rstore_t *rs);
/* ui_skipped.c: GET /overgeslagen, the mails intake-mail skipped
 * (inspraak:mail:skipped), for staff. */
void ui_skipped(const http_req_t *req, http_res_t *res, void *arg);
/* ui_clusters.c: GET /clusters, near-duplicate clusters (staff). */
void ui_clusters(const http_req_t *req, http_res_t *res, void *arg);
/* The ids of the ideas (not hidden) in cluster, newest first, at most 500,
 * appended to ids (JSON strings). 0; 1 when there may be more (500 found,
 * or only the newest ideas were looked at); -1 when Redis failed. */
int ui_clusters_member_ids(rstore_t *rs, const char *cluster, json_t *ids);
/* ui_cluster_merge.c: POST /clusters, a whole group put with another. */
void ui_cluster_merge(const http_req_t *req, http_res_t *res, void *arg);
/* ui_admin.c: GET/POST /beheer, users and devices (role admin only). */
void ui_admin(const http_req_t *req, http_res_t *res, void *arg);
void ui_admin_post(const http_req_t *req, http_res_t *res, void *arg);
/* ui_campaigns.c: GET/POST /campagnes, /campagnes/{id}: feedback
 * campaigns (common/campaign.c; role admin only). */
void ui_campaigns(const http_req_t *req, http_res_t *res, void *arg);
void ui_campaign(const http_req_t *req, http_res_t *res, void *arg);
void ui_campaign_create(const http_req_t *req, http_res_t *res, void *arg);
void ui_campaign_post(const http_req_t *req, http_res_t *res, void *arg);
void report_page(const http_req_t *req, http_res_t *res, void *arg);
/* report_tone.c: the report's table "Gevoel per vraag" (tone by nu /
 * toekomst, hidden ideas left out), from the visible counts of sentiment
 * and question. 0, or -1 when Redis failed. */
int report_tone(dash_t *d, rstore_t *rs, sb_t *sb, json_t *tones, json_t *questions);
/* report_pdf.c: answers with the PDF of /report (or 503/504 in Dutch). */
void report_pdf(dash_t *d, rstore_t *rs, http_res_t *res);
void export_csv(const http_req_t *req, http_res_t *res, void *arg);
/* GET /api/v1/export.json: the same selection as one JSON array. */
void export_json(const http_req_t *req, http_res_t *res, void *arg);
/* Sends the update to storage and waits for its ack. 0, or -1 with a
 * Dutch message in err. */
int moderate_send(dash_t *d, const idea_t *upd, char *err, size_t errlen);
/* The same for n updates at once (all with a cluster, or all without);
 * 0 when every one was acked, else -1 with a Dutch message in err. */
int moderate_send_many(dash_t *d, idea_t *const *upds, int n, char *err, size_t errlen);

/* Never NULL: the URL was checked at start-up. */
rstore_t *dash_redis_get(dash_t *d);
void dash_redis_put(dash_t *d, rstore_t *rs);

/* Answers 503 in Dutch: Redis did not answer. dash_unavailable gives the
 * API's JSON error (API, exports); dash_unavailable_page a Dutch HTML page
 * for the pages people read. */
void dash_unavailable(http_res_t *res, rstore_t *rs);
void dash_unavailable_page(http_res_t *res, rstore_t *rs);

/* auth.c: 1 when the request carries a known staff token; else 0 and the
 * response is already a 401 (or 503 when Redis is down). */
int auth_check(dash_t *d, rstore_t *rs, const http_req_t *req, http_res_t *res);

/* Handlers; arg is the dash_t. */
void api_ideas_list(const http_req_t *req, http_res_t *res, void *arg);
void api_ideas_get(const http_req_t *req, http_res_t *res, void *arg);
void api_stats(const http_req_t *req, http_res_t *res, void *arg);

#endif
