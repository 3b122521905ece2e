/*
 * NAME
 *   chromium.js - what the browser drivers share: starting Debian's
 *   Chromium, watching a page for dialogs and errors, the staff login,
 *   the field app's tablet registration
 *
 * SYNOPSIS
 *   const {launch, watch, staffLogin} = require('./chromium');
 *   const browser = await launch();     // or connects to $BROWSER_WS
 *   const server = await serve();       // browser_server.js, on $BROWSER_PORT
 *   watch(page, problems);              // dialogs and page errors -> problems
 *   await staffLogin(page, base);       // DASH_USER / DASH_PASSWORD
 *   await fieldRegister(page);          // FIELD_URL / FIELD_DEVICE / FIELD_TOKEN
 *   await fieldReady(page);             // after a reload
 *   finish(out, problems);              // after browser.close()
 *   main().catch((e) => crashed(e, problems));
 *
 * DESCRIPTION
 *   launch(): playwright-core with $CHROMIUM (default /usr/bin/chromium),
 *   headless, no network chatter of its own; when $BROWSER_WS is set it
 *   connects to the suite's running browser there instead (serve(),
 *   browser_server.js): the driver's browser.close() then closes only the
 *   contexts it opened, and disconnects. serve(): the same Chromium as a
 *   server for the drivers of a suite, on 127.0.0.1:$BROWSER_PORT.
 *   watch(): any JavaScript dialog (alert/confirm/prompt: what an XSS
 *   payload would open) is dismissed and recorded, as is every page error. staffLogin(): fills the
 *   dashboard's login form at the page it is on (or base + '/login') and
 *   waits for the overview. fieldRegister(): opens the field app at
 *   $FIELD_URL, registers the tablet with $FIELD_DEVICE and $FIELD_TOKEN
 *   and waits (fieldReady) until the idea form shows and nothing waits to
 *   be sent. finish() prints the JSON summary the Python
 *   test reads on the last line and fails the run when there were
 *   problems; crashed() does the same for an exception.
 */
'use strict';
const {chromium} = require('playwright-core');

const LAUNCH = {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run'],
};

function launch() {
  if (process.env.BROWSER_WS) return chromium.connect(process.env.BROWSER_WS);
  return chromium.launch(LAUNCH);
}

function serve() {
  return chromium.launchServer({...LAUNCH, host: '127.0.0.1', port: Number(process.env.BROWSER_PORT)});
}

function watch(page, problems) {
  page.on('dialog', async (d) => {
    problems.push('dialog ' + d.type() + ': ' + d.message());
    await d.dismiss();
  });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
}

async function staffLogin(page, base) {
  if (base) await page.goto(base + '/login');
  await page.waitForSelector('#user');
  await page.fill('#user', process.env.DASH_USER);
  await page.fill('#password', process.env.DASH_PASSWORD);
  await page.click('form[action="/login"] button[type=submit]');
  await page.waitForSelector('h1:has-text("Overzicht")');
}

function finish(out, problems) {
  out.problems = problems;
  console.log(JSON.stringify(out));
  if (problems.length) process.exit(1);
}

function crashed(e, problems) {
  console.error(e);
  console.log(JSON.stringify({error: String(e), problems}));
  process.exit(1);
}

async function fieldReady(page) {
  await page.waitForSelector('#idea-form', {state: 'visible'});
  await page.waitForFunction(() => document.getElementById('pending').textContent === 'Alles is verzonden');
}

async function fieldRegister(page) {
  await page.goto(process.env.FIELD_URL);
  await page.fill('#device', process.env.FIELD_DEVICE);
  await page.fill('#token', process.env.FIELD_TOKEN);
  await page.click('#setup-form button[type=submit]');
  await fieldReady(page);
}

module.exports = {launch, serve, watch, staffLogin, fieldRegister, fieldReady, finish, crashed};
