/*
 * NAME
 *   field_app_cases.js - unlucky moments on the street, in a real headless
 *   Chromium
 *
 * SYNOPSIS
 *   FIELD_CASE=save_during_sync FIELD_URL=http://127.0.0.1:PORT/field \
 *   FIELD_DEVICE=tablet FIELD_TOKEN=isd_... node field_app_cases.js
 *
 * DESCRIPTION
 *   Run by test_field_app.py (which starts the services). Registers the
 *   tablet, then plays one case (FIELD_CASE) and prints what the screen
 *   shows as JSON on the last line:
 *     save_during_sync  a second idea is saved while the first one's batch
 *                       is still on its way (the answer is held back until
 *                       the second save is done); both must be sent.
 *     email_typo        an address the browser's own e-mail check lets
 *                       through but the server refuses ("jan@heerlen").
 *     long_activity     an activity name over the server's 200 characters.
 *     long_name         a resident's name over the server's 200 characters.
 *   Exits non-zero on a page error or when a step cannot be done.
 */
'use strict';
const {launch} = require('./chromium');

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

async function saveDuringSync(page) {
  let release;
  const held = new Promise((r) => { release = r; });
  let first = true;
  await page.route(API, async (route) => {
    if (first) { first = false; await held; }
    await route.continue();
  });
  await page.fill('#text', 'Een speeltuin bij de Schelsberg, voor de kleine kinderen.');
  await page.click('#save');
  await page.waitForFunction(() => document.getElementById('message').textContent.startsWith('Bewaard'));
  await page.fill('#text', 'Meer bankjes langs de Geleenbeek, om even te rusten.');
  await page.click('#save');
  await page.waitForFunction(() => /^2 wachten/.test(document.getElementById('pending').textContent));
  release();
  /* Failure deadline only: the app retries every 5 s at first. */
  await page.waitForFunction(() => document.getElementById('pending').textContent === 'Alles is verzonden',
                             null, {timeout: 30000}).catch(() => {});
  return screen(page);
}

async function emailTypo(page) {
  await page.fill('#text', 'De stoep in de Akerstraat is te smal voor een rolstoel.');
  await page.click('details summary');
  await page.fill('#email', 'jan@heerlen');
  await page.check('#consent');
  await page.click('#save');
  await page.waitForFunction(() => document.getElementById('message').textContent !== '');
  /* Give a wrongly queued idea the time to be sent and refused. */
  await page.waitForFunction(() => document.querySelector('#rejected li'), null, {timeout: 10000})
    .catch(() => {});
  return screen(page);
}

async function longActivity(page) {
  await page.fill('#activity', 'wijkgesprek ' + 'Heerlerheide '.repeat(20));
  await page.fill('#text', 'Een zebrapad bij de school aan de Ganzeweide.');
  await page.click('#save');
  await page.waitForFunction(() => document.getElementById('message').textContent !== '');
  await page.waitForFunction(() => document.getElementById('pending').textContent === 'Alles is verzonden',
                             null, {timeout: 10000}).catch(() => {});
  return screen(page);
}

async function longName(page) {
  await page.fill('#text', 'Een bloemenweide in het Aambos, voor de bijen.');
  await page.click('details summary');
  await page.fill('#name', 'Maria '.repeat(40));
  await page.click('#save');
  await page.waitForFunction(() => document.getElementById('message').textContent !== '');
  await page.waitForFunction(() => document.getElementById('pending').textContent === 'Alles is verzonden',
                             null, {timeout: 10000}).catch(() => {});
  return screen(page);
}

const CASES = {save_during_sync: saveDuringSync, email_typo: emailTypo, long_activity: longActivity,
               long_name: longName};

async function main() {
  const run = CASES[process.env.FIELD_CASE];
  if (!run) throw new Error('unknown FIELD_CASE ' + process.env.FIELD_CASE);
  const browser = await launch();
  const errors = [];
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(process.env.FIELD_URL);
    await page.fill('#device', process.env.FIELD_DEVICE);
    await page.fill('#token', process.env.FIELD_TOKEN);
    await page.click('#setup-form button[type=submit]');
    await page.waitForSelector('#idea-form', {state: 'visible'});
    await page.waitForFunction(() => document.getElementById('pending').textContent === 'Alles is verzonden');
    const out = await run(page);
    out.errors = errors;
    console.log(JSON.stringify(out));
  } finally {
    await browser.close();
  }
  if (errors.length) process.exit(1);
}

main().catch((e) => { console.error(e); process.exit(1); });
