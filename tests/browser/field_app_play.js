/*
 * NAME
 *   field_app_play.js - the player of the field app's browser cases, and
 *   the helpers they share
 *
 * SYNOPSIS
 *   const {play, screen, A_PHONE} = require('./field_app_play');
 *   await play(cases, contexts, before);   // plays case FIELD_CASE
 *
 * DESCRIPTION
 *   play() opens a headless Chromium (chromium.js; the suite's own when
 *   it runs one, browser.py) and in it a new context with
 *   contexts[FIELD_CASE] (a phone, a position, a time zone), runs
 *   before[FIELD_CASE] if any, registers the device (FIELD_URL,
 *   FIELD_DEVICE, FIELD_TOKEN), plays cases[FIELD_CASE] and prints what it
 *   returns as JSON on the last line; exits 1 on a page error.
 *   field_app_cases.js gathers the cases of the field_app_*_cases.js
 *   files and calls it. The helpers read the screen (screen, focusedSays),
 *   wait for it (rejectedCount, screenWhenSent), reload the app
 *   (reloadApp, reloadAppWaiting), save ideas in a row (saveInARow)
 *   and save one, waiting for the thanks (saveThanked).
 */
'use strict';
const {launch, fieldRegister, fieldReady} = require('./chromium');

const API = '**/api/v1/field/batches';

async function screen(page) {
  return {
    pending: await page.textContent('#pending'),
    message: await page.textContent('#message'),
    message_is_error: await page.$eval('#message', (m) => m.className === 'error'),
    text: await page.inputValue('#text'),
    rejected: await page.$$eval('#rejected li', (lis) => lis.map((l) => l.textContent)),
  };
}

const rejectedCount = (page, n) => page.waitForFunction(
  (k) => document.querySelectorAll('#rejected li').length === k, n, {timeout: 10000});

/* What a screen reader says about the field with the focus besides its
 * name: whether it is invalid, and the texts its aria-describedby points at. */
function focusedSays(page) {
  return page.evaluate(() => {
    const e = document.activeElement;
    const ids = (e.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
    return {id: e.id, invalid: e.getAttribute('aria-invalid') === 'true',
            described: ids.map((id) => (document.getElementById(id) || {}).textContent || '').join(' ')};
  });
}

/* After a reload: the app is ready when the status shows the queue. */
async function reloadApp(page) {
  await page.reload();
  await fieldReady(page);
}

/* After a reload with ideas waiting. */
async function reloadAppWaiting(page) {
  await page.reload();
  await page.waitForSelector('#idea-form', {state: 'visible'});
  await page.waitForFunction(() => /wacht/.test(document.getElementById('pending').textContent));
}

/* The screen once everything is sent (or, if it never is, after 30 s). */
async function screenWhenSent(page) {
  await page.waitForFunction(() => document.getElementById('pending').textContent === 'Alles is verzonden',
                             null, {timeout: 30000}).catch(() => {});
  return screen(page);
}

/* Post-its typed in a row: only the text changes from one to the next.
 * Each is typed once the app said "Bewaard" for the one before: words
 * typed before the app empties the form would be emptied with it (a tap
 * while a save runs is saved after it: case next_while_saving). */
async function saveInARow(page, texts) {
  for (const text of texts) {
    await page.fill('#text', text);
    await saveThanked(page, () => page.click('#save'));
  }
}

/* Saves with tap() and waits for the thanks. Not for the empty form: the
 * app empties it before it counts the queue again, so the count of before
 * the save ("Alles is verzonden") still shows then, and screenWhenSent
 * would read the screen at once, in the middle of the save. The thanks
 * come after the count; the message is emptied first so that the thanks
 * for an earlier idea do not count. */
async function saveThanked(page, tap) {
  await page.evaluate(() => { document.getElementById('message').textContent = ''; });
  await tap();
  await page.waitForFunction(() => document.getElementById('text').value === '' &&
    document.getElementById('message').textContent.startsWith('Bewaard'));
}

/* Cases played on a phone: its screen, touch. */
const A_PHONE = {viewport: {width: 390, height: 844}, deviceScaleFactor: 3, isMobile: true, hasTouch: true};

/* Plays case FIELD_CASE of cases in a context with contexts[case] (a phone,
 * a position, a time zone), after before[case] if any, and prints what
 * it returns as JSON on the last line; exits 1 on a page error. */
async function play(cases, contexts, before) {
  const name = process.env.FIELD_CASE;
  const run = cases[name];
  if (!run) throw new Error('unknown FIELD_CASE ' + name);
  const browser = await launch();
  const errors = [];
  try {
    const context = await browser.newContext(contexts[name] || {});
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    if (before[name]) await before[name](page);
    await fieldRegister(page);
    const out = await run(page);
    out.errors = errors;
    console.log(JSON.stringify(out));
  } finally {
    await browser.close();
  }
  if (errors.length) process.exit(1);
}

module.exports = {API, A_PHONE, play, screen, focusedSays, rejectedCount, reloadApp,
                  reloadAppWaiting, screenWhenSent, saveInARow, saveThanked};
