/*
 * NAME
 *   field_app_device_cases.js - the device's code: mistyped at sign-up,
 *   revoked in the middle of a tour
 *
 * DESCRIPTION
 *   Cases of field_app_cases.js (which plays them; see there). Each
 *   registers the device, plays its moment and returns what the screen
 *   shows:
 *     wrong_code        the tablet is registered again ("Opnieuw
 *                       aanmelden") with a mistyped device code,
 *                       then with the right one, and an idea is saved.
 *     revoked_mid_tour  on a phone, offline with an idea waiting, staff revoke
 *                       the device (FIELD_MARK.revoke, done by the test); back
 *                       online the worker reads what happened, saves one
 *                       more idea, reloads, gets a new code
 *                       (FIELD_MARK.new-code) and signs the phone in again.
 */
'use strict';
const {fieldReady} = require('./chromium');
const {A_PHONE, screen, focusedSays, reloadAppWaiting} = require('./field_app_play');

async function wrongCode(page) {
  await page.click('#logout');
  await page.waitForSelector('#setup-form', {state: 'visible'});
  await page.fill('#token', 'isd_' + 'x'.repeat(43));
  await page.click('#setup-form button[type=submit]');
  /* Either the app says the code is wrong, or (as it did) it takes any
   * code. Not just any text: "Even controleren…" is there while it asks. */
  await page.waitForFunction(() => document.getElementById('collect').hidden === false ||
    (document.getElementById('setup-message') || {}).className === 'error');
  const out = {
    wrong: {
      setup_shown: await page.isVisible('#setup-form'),
      said: await page.$eval('#setup', (s) => (s.querySelector('[role=alert]') || {}).textContent || ''),
      focused_says: await focusedSays(page),
    },
  };
  if (!out.wrong.setup_shown) return out;
  await page.fill('#token', process.env.FIELD_TOKEN);
  await page.click('#setup-form button[type=submit]');
  await fieldReady(page);
  await page.fill('#text', 'Een zebrapad bij de basisschool in Molenberg.');
  await page.click('#save');
  /* "Bewaard" is said once the count holds the idea (form.js), so the count
   * read after it is the one after sending, never the one from before. */
  await page.waitForFunction(() => document.getElementById('message').textContent !== '');
  await page.waitForFunction(() => document.getElementById('pending').textContent === 'Alles is verzonden',
                             null, {timeout: 10000}).catch(() => {});
  out.right = await screen(page);
  return out;
}

/* Hands a step to the Python test (which acts as staff) and waits until it
 * is done: writes FIELD_MARK.step, waits for FIELD_MARK.step.done and
 * returns what staff wrote in it. */
async function staffStep(page, step) {
  const fs = require('fs');
  const mark = process.env.FIELD_MARK + '.' + step;
  fs.writeFileSync(mark, '');
  while (!fs.existsSync(mark + '.done')) await page.waitForTimeout(100);
  return fs.readFileSync(mark + '.done', 'utf8').trim();
}

/* Staff revoke the phone while it is offline in the middle of the tour;
 * the worker goes on, then gets a new code and signs the phone in again. */
async function revokedMidTour(page) {
  const out = {};
  await page.waitForFunction(() => navigator.serviceWorker.controller);
  await page.context().setOffline(true);
  await page.waitForFunction(() => document.getElementById('net').textContent === 'offline');
  await page.fill('#text', 'De straatverlichting in de Mijnstreek is te zwak, het is er donker.');
  await page.tap('#save');
  await page.waitForFunction(() => document.getElementById('pending').textContent.startsWith('1 '));
  await staffStep(page, 'revoke');
  await page.context().setOffline(false);
  await page.waitForFunction(() => document.getElementById('message').className === 'error',
                             null, {timeout: 30000}).catch(() => {});
  out.revoked = await screen(page);
  out.form_shown = await page.isVisible('#idea-form');
  if (!out.form_shown) return out;
  await page.fill('#text', 'Meer prullenbakken in het Aambos, er ligt veel zwerfvuil.');
  await page.tap('#save');
  await page.waitForFunction(() => document.getElementById('pending').textContent.startsWith('2 '));
  await reloadAppWaiting(page);
  out.after_reload = await page.textContent('#pending');
  const token = await staffStep(page, 'new-code');
  await page.tap('#logout');
  await page.waitForSelector('#setup-form', {state: 'visible'});
  out.device_field = await page.inputValue('#device');
  if (!out.device_field) await page.fill('#device', process.env.FIELD_DEVICE);
  await page.fill('#token', token);
  await page.tap('#setup-form button[type=submit]');
  await page.waitForSelector('#idea-form', {state: 'visible'});
  await page.waitForFunction(() => document.getElementById('pending').textContent === 'Alles is verzonden',
                             null, {timeout: 30000}).catch(() => {});
  out.signed_in_again = await screen(page);
  return out;
}

module.exports = {
  cases: {wrong_code: wrongCode, revoked_mid_tour: revokedMidTour},
  contexts: {revoked_mid_tour: A_PHONE},
};
