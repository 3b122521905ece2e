/*
 * NAME
 *   ui_redact - staff cut personal data out of an idea before it is
 *   published (POST /ideeen/{id}/weghalen)
 *
 * SUMMARY
 *   ui_redact_section(&sb, &session, idea_json);   // on the detail page
 *   if (ui_redact_path(http_path_rest(req))) ui_redact(req, res, d);
 *
 * DESCRIPTION
 *   See ui_redact.c. The POST route "/ideeen/ *" belongs to ui_moderate
 *   (ui_moderate.c), which hands paths ending in "/weghalen" to ui_redact().
 */
#ifndef INSPRAAK_UI_REDACT_H
#define INSPRAAK_UI_REDACT_H

#include "dashboard.h"

/* The "Persoonsgegevens weghalen" forms for idea it (API JSON). */
void ui_redact_section(sb_t *sb, const session_t *s, json_t *it);
/* 1 when rest (the path after "/ideeen/") is "<id>/weghalen". */
int ui_redact_path(const char *rest);
/* The handler; arg is the dash_t. */
void ui_redact(const http_req_t *req, http_res_t *res, void *arg);

#endif
