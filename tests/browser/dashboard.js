/*
 * NAME
 *   dashboard.js - drives the staff dashboard in a real headless Chromium
 *
 * SYNOPSIS
 *   DASH_URL=http://127.0.0.1:PORT DASH_USER=anna DASH_PASSWORD=... DASH_MARK=word \
 *   SHOTS=docs/screenshots node dashboard.js
 *
 * DESCRIPTION
 *   Run by test_dashboard.py (which starts the services and posts ideas).
 *   Logs in, saves screenshots of the overview and the wijk map, filters
 *   the idea list (channel + search), opens an idea, approves it, checks
 *   that it shows on the public page, opens the report and saves its
 *   screenshot. Any JavaScript dialog (alert/confirm/prompt: what an XSS
 *   payload would open) or page error fails the run. Prints a JSON summary
 *   on the last line; exits non-zero on any failure. Debian's chromium with
 *   playwright-core (no browser download).
 */
'use strict';
const path = require('path');
const {launch, watch, staffLogin, finish, crashed} = require('./chromium');

const base = process.env.DASH_URL;
const shots = process.env.SHOTS;
const problems = [];

async function main() {
  const browser = await launch();
  const out = {};
  try {
    const context = await browser.newContext({viewport: {width: 1280, height: 900}});
    const page = await context.newPage();
    watch(page, problems);
    page.on('console', (m) => {
      if (m.type() === 'error') out.console_errors = (out.console_errors || 0) + 1;
    });

    await page.goto(base + '/');
    await staffLogin(page);  // redirected to the login page
    await page.screenshot({path: path.join(shots, 'overview.png'), fullPage: true});
    await page.locator('#map').screenshot({path: path.join(shots, 'map.png')});
    out.map_wijken = await page.locator('#map path').count();

    // Keyboard: the skip link is the first thing Tab reaches.
    await page.keyboard.press('Tab');
    out.first_tab = await page.evaluate(() => document.activeElement.textContent);

    await page.click('nav a[href="/ideeen"]');
    await page.selectOption('#f-channel', 'form');
    await page.fill('#f-q', process.env.DASH_MARK);
    await page.click('form.filters button[type=submit]');
    await page.waitForSelector('h2:has-text("gevonden")');
    out.list_heading = await page.locator('h2').first().textContent();
    out.url_after_filter = page.url();
    const rows = page.locator('table tbody tr');
    out.rows = await rows.count();
    await rows.filter({hasText: 'Pancratiusplein'}).first().locator('a').click();
    await page.waitForSelector('h2:has-text("Herkomst")');
    out.detail_text = await page.locator('blockquote .text').textContent();
    await page.selectOption('#m-status', 'approved');
    await page.click('form[method=post] button:has-text("Opslaan")');
    await page.waitForSelector('.ok:has-text("opgeslagen")', {timeout: 15000});
    out.saved = true;

    await page.goto(base + '/resultaten');
    out.public_has_quote = (await page.locator('main').innerText()).includes(out.detail_text.trim());

    await page.goto(base + '/ideeen');
    await page.click('nav a[href="/report"]');
    await page.waitForSelector('h1:has-text("Participatieverslag")');
    await page.screenshot({path: path.join(shots, 'report.png'), fullPage: true});
    out.report_sections = await page.locator('main h2').count();

    // Every idea's detail page, hostile ones included: nothing may run.
    await page.goto(base + '/ideeen?limit=50');
    const links = await page.locator('table tbody a').evaluateAll((as) => as.map((a) => a.href));
    for (const href of links) await page.goto(href);
    await page.goto(base + '/resultaten');
    out.pages_visited = links.length;
  } finally {
    await browser.close();
  }
  finish(out, problems);
}

main().catch((e) => crashed(e, problems));
