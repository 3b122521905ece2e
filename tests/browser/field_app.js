/*
 * NAME
 *   field_app.js - drives the field web app in a real headless Chromium
 *
 * SYNOPSIS
 *   FIELD_URL=http://127.0.0.1:PORT/field FIELD_DEVICE=tablet FIELD_TOKEN=isd_... node field_app.js
 *
 * DESCRIPTION
 *   Run by test_field_app.py (which starts the services). Opens the app,
 *   registers the tablet with its device token, goes offline, saves two
 *   ideas, checks that the app shows "2 wachten", goes online again and
 *   waits for "Alles is verzonden". Prints the local_ids it saw as JSON on
 *   the last line; exits non-zero on any failure. Debian's chromium with
 *   playwright-core (no browser download).
 */
'use strict';
const {launch, fieldRegister} = require('./chromium');

async function main() {
  const browser = await launch();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await fieldRegister(page);

    await context.setOffline(true);
    await page.waitForFunction(() => document.getElementById('net').textContent === 'offline');
    await page.fill('#activity', 'omgevingsvisietour Browsertest 12 mei');
    await page.fill('#text', 'Meer groen op het Pancratiusplein, met bankjes in de schaduw.');
    await page.check('input[name=question][value=toekomst]');
    await page.fill('#wijk', 'Heerlen-Centrum');
    await page.click('#save');
    await page.waitForFunction(() => document.getElementById('pending').textContent.startsWith('1 '));
    await page.fill('#text', 'De bus naar Hoensbroek rijdt te weinig in het weekend.');
    await page.check('input[name=question][value=nu]');
    await page.click('details summary');
    await page.fill('#name', 'Jan Jansen');
    await page.fill('#email', 'jan@example.org');
    await page.check('#consent');
    await page.click('#save');
    await page.waitForFunction(() => /^2 wachten/.test(document.getElementById('pending').textContent));
    const waiting = await page.textContent('#pending');

    await context.setOffline(false);
    await page.waitForFunction(() => document.getElementById('pending').textContent === 'Alles is verzonden',
                               null, {timeout: 60000});
    const rejected = await page.$$eval('#rejected li', (lis) => lis.map((l) => l.textContent));
    console.log(JSON.stringify({waiting: waiting, rejected: rejected}));
  } finally {
    await browser.close();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
