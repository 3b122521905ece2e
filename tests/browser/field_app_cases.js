/*
 * NAME
 *   field_app_cases.js - plays one case of the field app in a real
 *   headless Chromium: unlucky moments on the street
 *
 * SYNOPSIS
 *   FIELD_CASE=save_during_sync FIELD_URL=http://127.0.0.1:PORT/field \
 *   FIELD_DEVICE=tablet FIELD_TOKEN=isd_... node field_app_cases.js
 *
 * DESCRIPTION
 *   Run by test_field_app.py (which starts the services). Registers the
 *   device, then plays case FIELD_CASE and prints what the screen shows
 *   as JSON on the last line (field_app_play.js). The cases, by subject,
 *   each file listing its own:
 *     field_app_send_cases.js     sending the queue (a batch on its way,
 *                                 no connection or a dead one, 1,050 ideas)
 *     field_app_refusal_cases.js  ideas the server would refuse or refused
 *     field_app_device_cases.js   the device's code: mistyped, revoked
 *     field_app_offline_cases.js  started offline from the service worker's
 *                                 cache, and after an update
 *     field_app_form_cases.js     the form: the field a refusal focuses, the
 *                                 session's wijk and day, the position, a
 *                                 tap while an idea is being saved
 *   Exits non-zero on a page error, when a step cannot be done, or when
 *   two files name the same case.
 */
'use strict';
const {play} = require('./field_app_play');

const SUBJECTS = ['./field_app_send_cases', './field_app_refusal_cases', './field_app_device_cases',
                  './field_app_offline_cases', './field_app_form_cases'].map((f) => require(f));

/* One table of the subjects' tables ("cases", "contexts" or "before"). */
function gathered(key) {
  const all = {};
  for (const subject of SUBJECTS) {
    for (const [name, value] of Object.entries(subject[key] || {})) {
      if (key === 'cases' && all[name]) throw new Error('case ' + name + ' is played twice');
      all[name] = value;
    }
  }
  return all;
}

async function main() {
  await play(gathered('cases'), gathered('contexts'), gathered('before'));
}

main().catch((e) => { console.error(e); process.exit(1); });
