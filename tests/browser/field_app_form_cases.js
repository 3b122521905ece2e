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
 *     kept_on_reload  on a street tour, the wijk and the day of the session
 *                     chosen, an idea saved, the page reloaded (a tablet
 *                     low on memory does): what the form holds, and the
 *                     next idea saved; then the app opened the next
 *                     morning (the page's clock set to it).
 *   Exits non-zero on a page error or when a step cannot be done.
 */
'use strict';
const {API, play, focusedSays, rejectedCount, reloadApp, screenWhenSent} =
  require('./field_app_cases');

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

/* A day as the date field writes it, shift days from the page's today. */
const pageDay = (page, shift) => page.evaluate((n) => {
  const d = new Date();
  d.setDate(d.getDate() + n);
  return [d.getFullYear(), String(d.getMonth() + 1).padStart(2, '0'),
          String(d.getDate()).padStart(2, '0')].join('-');
}, shift);

const form = async (page) => ({wijk: await page.inputValue('#wijk'), day: await page.inputValue('#day')});

async function saveIdea(page, text) {
  await page.fill('#text', text);
  await page.click('#save');
  await page.waitForFunction(() => document.getElementById('text').value === '');
}

async function keptOnReload(page) {
  const out = {today: await pageDay(page, 0), yesterday: await pageDay(page, -1)};
  await page.fill('#activity', 'omgevingsvisietour Hoensbroek');
  await page.fill('#wijk', 'Hoensbroek-De Dem');
  await page.fill('#day', out.yesterday);
  await saveIdea(page, 'Een bankje bij het kasteel, om even uit te rusten.');
  await reloadApp(page);
  out.after_reload = await form(page);
  await saveIdea(page, 'Meer licht op het pad naar de Mijnstreek.');
  out.after_save = await form(page);
  Object.assign(out, await screenWhenSent(page));
  /* The next morning: the tablet is opened again for a new day. */
  const morning = await page.evaluate(() => {
    const d = new Date();
    d.setDate(d.getDate() + 1);
    d.setHours(9, 0, 0, 0);
    return d.getTime();
  });
  await page.clock.setFixedTime(morning);
  await reloadApp(page);
  out.next_morning = Object.assign(await form(page), {today: await pageDay(page, 0)});
  return out;
}

play({refusal_focus: refusalFocus, kept_on_reload: keptOnReload},
     {kept_on_reload: {timezoneId: 'Europe/Amsterdam'}}, {}).catch((e) => { console.error(e); process.exit(1); });
