/*
 * NAME
 *   redact.js - staff cut a phone number and a name out of an idea, in a
 *   real headless Chromium
 *
 * SYNOPSIS
 *   DASH_URL=http://127.0.0.1:PORT DASH_USER=anna DASH_PASSWORD=... DASH_ID=f-... \
 *   DASH_NAME="Piet Puk" node redact.js
 *
 * DESCRIPTION
 *   Run by test_dashboard.py. Logs in, opens the idea, clicks the
 *   "Telefoonnummer weghalen" button, then types DASH_NAME into "Tekst om
 *   weg te halen" and clicks "Weghalen". Both are plain HTML forms (no
 *   JavaScript on the page). Prints a JSON summary on the last line: the
 *   quote after each step and the status messages; exits non-zero on any
 *   failure, dialog or page error.
 */
'use strict';
const {launch, watch, staffLogin, finish, crashed} = require('./chromium');

const base = process.env.DASH_URL;
const problems = [];

async function main() {
  const browser = await launch();
  const out = {};
  try {
    const page = await (await browser.newContext()).newPage();
    watch(page, problems);

    await staffLogin(page, base);

    await page.goto(base + '/ideeen/' + encodeURIComponent(process.env.DASH_ID));
    await page.click('button:has-text("Telefoonnummer weghalen")');
    out.after_phone_status = await page.locator('.ok').first().textContent({timeout: 20000});
    out.after_phone = await page.locator('blockquote .text').textContent();

    await page.fill('#r-tekst', process.env.DASH_NAME);
    await page.click('form.redact-text button:has-text("Weghalen")');
    await page.waitForSelector('.ok:has-text("Weggehaald")', {timeout: 20000});
    out.after_name = await page.locator('blockquote .text').textContent();
    out.phone_button_left = await page.locator('button:has-text("Telefoonnummer")').count();
  } finally {
    await browser.close();
  }
  finish(out, problems);
}

main().catch((e) => crashed(e, problems));
