/*
 * NAME
 *   cmd_campaign - inspraakctl campaign: feedback mails to every participant
 *
 * SYNOPSIS
 *   inspraakctl campaign create --subject S --text-file F [--meeting TEXT]
 *   inspraakctl campaign preview ID EMAIL     the mail EMAIL's participant would get
 *   inspraakctl campaign test ID ADDRESS      a sample mail to ADDRESS, now
 *   inspraakctl campaign start|pause|resume ID
 *   inspraakctl campaign status ID            JSON: state and counts
 *
 * DESCRIPTION
 *   A campaign is the hash inspraak:campaign:<id> (subject, text, meeting,
 *   state draft|running|paused|done, created_at, and, written by notify,
 *   listed_at, total, sent, skipped, bounced) and its id in the ZSET
 *   inspraak:campaigns. Ids are "c-<n>" from INCR inspraak:campaign-seq.
 *   bin/notify does the sending (services/notify/outbox_campaign.c): start
 *   and resume only set the state. The text may hold the placeholders of
 *   data/mail/README.md. preview composes exactly what notify would send
 *   (letter.h), so it also says when that participant would get nothing.
 *   The Redis side is common/campaign.c, shared with the dashboard's
 *   /campagnes page; this file is the command line around it.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "clock.h"
#include "ctl.h"
#include "file.h"
#include "letter.h"
#include "validate.h"

#define TEXT_FILE_MAX CAMPAIGN_TEXT_MAX

static char *s_read_file(const char *path)
{
    size_t n;
    char *buf = file_read(path, TEXT_FILE_MAX, &n);
    if (!buf && errno != EFBIG) {
        ctl_err("cannot read %s", path);
        return NULL;
    }
    /* Cleaned as the dashboard cleans the text typed there (CRLF, trailing
     * spaces, blank lines at the end), so a file saved on Windows or with
     * a final newline gives the same mail as the same words typed. */
    char *text = buf && campaign_text_ok(buf, n) ? text_normalise(buf, n) : NULL;
    free(buf);
    if (!text || !campaign_text_ok(text, strlen(text))) {
        ctl_err("%s must be UTF-8 text of 1 to %d bytes", path, TEXT_FILE_MAX);
        free(text);
        return NULL;
    }
    return text;
}

static int s_create(ctl_t *ctl, int argc, char **argv)
{
    const char *subject = NULL, *file = NULL, *meeting = "";
    for (int i = 1; i + 1 < argc + 1; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--subject") == 0)
            subject = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--text-file") == 0)
            file = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--meeting") == 0)
            meeting = argv[++i];
        else
            return CTL_USAGE;
    }
    if (!file || !campaign_subject_ok(subject) || !campaign_meeting_ok(meeting)) {
        ctl_err("campaign create needs --subject (one line) and --text-file");
        return CTL_USAGE;
    }
    char *text = s_read_file(file);
    if (!text)
        return CTL_ERR;
    char id[CAMPAIGN_ID_MAX];
    int rc = campaign_create(ctl->rs, subject, text, meeting, clock_wall_ms(), id, sizeof id);
    free(text);
    if (rc < 0)
        return ctl_redis_err(ctl, "campaign create");
    printf("%s\n", id);
    return CTL_OK;
}

static int s_state(ctl_t *ctl, const char *id, campaign_action_t a)
{
    const char *to = campaign_action_state(a);
    int v = campaign_act(ctl->rs, id, a);
    if (v == -1)
        return ctl_redis_err(ctl, "campaign");
    if (v == -2) {
        ctl_err("no campaign %s", id);
        return CTL_NOTFOUND;
    }
    if (v == 0) {
        ctl_err("campaign %s cannot go to %s from its current state", id, to);
        return CTL_ERR;
    }
    printf("%s %s\n", id, to);
    return CTL_OK;
}

static int s_status(ctl_t *ctl, const char *id)
{
    int found;
    json_t *o = campaign_status(ctl->rs, id, &found);
    if (found < 0)
        return ctl_redis_err(ctl, "campaign status");
    if (!o) {
        ctl_err("no campaign %s", id);
        return CTL_NOTFOUND;
    }
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    printf("%s\n", s);
    free(s);
    json_decref(o);
    return CTL_OK;
}

/* preview (to == NULL: print) and test (send a sample to to). */
static int s_show(ctl_t *ctl, const char *id, const char *email, const char *to)
{
    config_t cfg;
    letter_settings_t ls;
    char err[512];
    if (config_load(&cfg, "notify", PORT_OFF_NOTIFY, err, sizeof err) < 0 ||
        letter_settings_load(&ls, &cfg, err, sizeof err) < 0) {
        ctl_err("%s", err);
        return CTL_ERR;
    }
    if (to && !email_valid(to)) {
        ctl_err("not a usable address: %s", to);
        return CTL_ERR;
    }
    letter_t l;
    int rc = campaign_letter(ctl->rs, &ls, id, email, to, &l, err, sizeof err);
    if (rc == 2) {
        ctl_err("no participant with address %s", email);
        return CTL_NOTFOUND;
    }
    if (rc < 0 && strncmp(err, "redis:", 6) == 0 && email)
        return ctl_redis_err(ctl, "campaign preview");
    if (rc != 0) {
        ctl_err(rc == 1 ? "this participant gets no mail: %s" : "%s", err);
        return rc == 1 ? CTL_OK : CTL_ERR;
    }
    if (to) {
        rc = campaign_send(&cfg, &ls, &l, err, sizeof err);
        fprintf(stderr, "inspraakctl: test mail to %s: %s\n", to, err);
    } else {
        char *msg = NULL;
        size_t len = 0;
        rc = letter_mime(&ls, &l, &msg, &len, err, sizeof err);
        if (rc == 0)
            fwrite(msg, 1, len, stdout);
        else
            ctl_err("%s", err);
        free(msg);
    }
    letter_clear(&l);
    return rc == 0 ? CTL_OK : CTL_ERR;
}

int cmd_campaign(ctl_t *ctl, int argc, char **argv)
{
    const char *sub = argv[0];
    if (strcmp(sub, "create") == 0)
        return s_create(ctl, argc, argv);
    if (argc == 2 && strcmp(sub, "start") == 0)
        return s_state(ctl, argv[1], CAMPAIGN_START);
    if (argc == 2 && strcmp(sub, "pause") == 0)
        return s_state(ctl, argv[1], CAMPAIGN_PAUSE);
    if (argc == 2 && strcmp(sub, "resume") == 0)
        return s_state(ctl, argv[1], CAMPAIGN_RESUME);
    if (argc == 2 && strcmp(sub, "status") == 0)
        return s_status(ctl, argv[1]);
    if (argc == 3 && strcmp(sub, "preview") == 0)
        return s_show(ctl, argv[1], argv[2], NULL);
    if (argc == 3 && strcmp(sub, "test") == 0)
        return s_show(ctl, argv[1], NULL, argv[2]);
    return CTL_USAGE;
}
