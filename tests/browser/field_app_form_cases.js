/*
 * NAME
 *   field_app_form_cases.js - the field app's form after a refusal, in a
 *   real headless Chromium
 *
 * SYNOPSIS
 *   FIELD_CASE=refusal_focus FIELD_URL=http://127.0.0.1:PORT/field \
 *   FIELD_DEVICE=laptop FIELD_TOKEN=isd_... node field_app_form_cases.js
 *
 * DESCRIPTION
 *   Run by test_field_app.py, like field_app_cases.js (whose helpers and
 *   player it uses): registers the device, plays one case and prints what
 *   the screen shows as JSON on the last line:
 *     refusal_focus   ideas the server refuses for a consent it cannot
 *                     read and for a position out of range (the batch on
 *                     its way is changed once, as a broken or older app
 *                     could send it); for each, "Aanpassen": which field
 *                     has the focus, what a screen reader hears on it, and
 *                     which fields are marked invalid.
 *   Exits non-zero on a page error or when a step cannot be done.
 */
'use strict';
const {API, play, focusedSays, rejectedCount} = require('./field_app_cases');

/* What the server refuses, and how the batch on its way is changed to get
 * that refusal; mark tells the refused ideas apart in the list. */
const REFUSALS = [
  {code: 'invalid_participant', mark: 'zwembad',
   change: (item) => { item.participant.consent = {feedback: 'ja'}; }},
  {code: 'invalid_location', mark: 'speeltuin',
   change: (item) => { item.lat = 123.0; item.lon = 5.9; }},
];

async function refusalFocus(page) {
  const out = {};
  for (const [n, refusal] of REFUSALS.entries()) {
    await page.route(API, (route) => {
      const batch = JSON.parse(route.request().postData());
      batch.items.forEach(refusal.change);
      return route.continue({postData: JSON.stringify(batch)});
    }, {times: 1});
    await page.fill('#text', 'Een ' + refusal.mark + ' in Hoensbroek, voor de hele wijk.');
    if (refusal.code === 'invalid_participant') {
      await page.click('details summary');
      await page.fill('#name', 'Els Hermans');
      await page.fill('#email', 'els@example.org');
      await page.check('#consent');
    }
    await page.click('#save');
    await rejectedCount(page, n + 1);
    await page.click('#rejected li:has-text("' + refusal.mark + '") button:has-text("Aanpassen")');
    out[refusal.code] = Object.assign(await focusedSays(page), {
      marked: await page.$$eval('#idea-form [aria-invalid=true]', (es) => es.map((e) => e.id)),
    });
    await page.click('#edit-cancel');
  }
  return out;
}

play({refusal_focus: refusalFocus}, {}, {}).catch((e) => { console.error(e); process.exit(1); });
