/*
 * NAME
 *   a11y.js - axe-core (WCAG 2.1 A and AA) on every page people see, in a
 *   real headless Chromium
 *
 * SYNOPSIS
 *   FORM_URL=http://127.0.0.1:P DASH_URL=http://127.0.0.1:Q UNSUB_URL=http://127.0.0.1:R/afmelden?p=..&s=.. \
 *   FIELD_URL=http://127.0.0.1:S/field FIELD_DEVICE=tablet FIELD_TOKEN=isd_... \
 *   DASH_USER=admin DASH_PASSWORD=... CAMPAIGN_ID=... node a11y.js
 *
 * DESCRIPTION
 *   Run by test_a11y.py (which starts the services, stores ideas and makes
 *   a campaign). Opens each page a resident, field worker or staff member
 *   sees, in the state they see it (the idea form empty and after a submit
 *   with errors, the thank-you page, /resultaten (also with the
 *   terugkombijeenkomst set on /bijeenkomst), the unsubscribe pages,
 *   the field app's registration and idea screens, the dashboard's login
 *   and every staff page) and runs axe-core on it with the tags wcag2a,
 *   wcag2aa, wcag21a, wcag21aa and best-practice. Every violation becomes
 *   one problem "PAGE: RULE at ELEMENT: WHAT" (rule id, CSS selector of
 *   the element, axe's summary). A false positive is never switched off globally: it is
 *   listed in ACCEPTED below, with the page, the rule, the element and why.
 *   A11Y_TAGS (comma-separated) runs other axe tags instead. Each page is
 *   also shown 320 CSS pixels wide (WCAG 1.4.10 Reflow: 1280 at 400% zoom),
 *   which axe does not check: an element outside a data table that sticks
 *   out to the right is a problem "PAGE: reflow (WCAG 1.4.10) at ELEMENT".
 *   Text drawn on a shape in an SVG (the numbers in the map's wijken:
 *   aria-hidden, so axe skips them) must have a contrast of 4.5:1 with
 *   the shape ("PAGE: svg text contrast (WCAG 1.4.3) at ..."). A bar
 *   chart (an SVG image: its bars' titles are hidden from a screen reader)
 *   needs a table on the page captioned as its figure, with a row per bar
 *   ("PAGE: chart without its figures as text (WCAG 1.1.1) at ...").
 *   The idea form's honeypot (a field only bots fill) must not be in
 *   what a screen reader reads (Playwright's ARIA snapshot of the form).
 *   Prints a JSON summary (pages audited, rules_passed: how many rule
 *   checks passed in all, problems) on the last line; exits non-zero on
 *   any problem. Debian's chromium with playwright-core.
 */
'use strict';
const {launch, watch, staffLogin, fieldRegister, finish, crashed} = require('./chromium');

const AXE = require.resolve('axe-core/axe.min.js');
/* WCAG 2.1 A and AA, and axe's best practices: landmarks (all content in
 * one, exactly one main), one h1, headings in order, ... */
const TAGS = (process.env.A11Y_TAGS || 'wcag2a,wcag2aa,wcag21a,wcag21aa,best-practice').split(',');

/* Violations that are not one, each scoped to a page, a rule and an
 * element, with the reason. Empty: nothing axe found was wrong. */
const ACCEPTED = [];

function accepted(page, rule, target) {
  return ACCEPTED.some((a) => a.page === page && a.rule === rule && a.target === target);
}

/* WCAG 1.4.10 Reflow, which axe does not check: at 320 CSS pixels wide
 * (1280 at 400% zoom) nothing may need scrolling sideways, except what
 * needs two dimensions: a data table (WCAG's own exception). */
async function reflow(page, name, problems) {
  const size = page.viewportSize();
  await page.setViewportSize({width: 320, height: 640});
  const wide = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const found = [];
    for (const e of document.querySelectorAll('body *')) {
      const r = e.getBoundingClientRect();
      if (r.width === 0 || r.right <= width + 1 || e.closest('table, .skip')) continue;
      if (found.some((f) => f.el.contains(e))) continue;  // its outermost only
      found.push({el: e, right: Math.round(r.right)});
    }
    return found.map((f) => {
      const e = f.el;
      let css = e.tagName.toLowerCase();
      if (e.id) css += '#' + e.id;
      else if (typeof e.className === 'string' && e.className) css += '.' + e.className.split(' ')[0];
      return css + ' (' + f.right + ' px)';
    });
  });
  for (const w of wide) {
    problems.push(name + ': reflow (WCAG 1.4.10) at ' + w + ': wider than the 320 px screen');
  }
  await page.setViewportSize(size);
}

/* WCAG 1.4.3 Contrast for text drawn on a shape in an SVG (the numbers
 * in the wijken of the map), which axe skips: they are aria-hidden (the
 * shape's title says the same), yet people read them. 4.5:1, or 3:1 for
 * large text (24 px, or 18.66 px bold). */
async function svgTextContrast(page, name, problems) {
  const bad = await page.evaluate(() => {
    const lum = (css) => {
      const [r, g, b] = css.match(/[\d.]+/g).slice(0, 3).map((v) => {
        const c = Number(v) / 255;
        return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const found = [];
    for (const t of document.querySelectorAll('svg text')) {
      t.scrollIntoView({block: 'center'});
      const r = t.getBoundingClientRect();
      const under = document.elementsFromPoint(r.x + r.width / 2, r.y + r.height / 2)
        .find((e) => e !== t && ['path', 'rect', 'circle', 'polygon'].includes(e.tagName));
      if (!under) continue;  // on the page's own background: axe checks that
      const ts = getComputedStyle(t);
      const [a, b] = [lum(ts.fill), lum(getComputedStyle(under).fill)];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      const size = parseFloat(ts.fontSize), bold = Number(ts.fontWeight) >= 700;
      const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
      if (ratio < need) {
        found.push('"' + t.textContent + '" ' + ts.fill + ' on ' + getComputedStyle(under).fill +
                   ' (' + ratio.toFixed(2) + ':1, needs ' + need + ':1)');
      }
    }
    window.scrollTo(0, 0);
    return found;
  });
  for (const b of bad) problems.push(name + ': svg text contrast (WCAG 1.4.3) at ' + b);
}

/* WCAG 1.1.1 for charts: an SVG with role="img" is one image to a screen
 * reader (the bars' own titles are hidden inside it), so its figures must
 * also be in a table on the page, captioned as the chart's figure. */
async function chartData(page, name, problems) {
  const bad = await page.evaluate(() => {
    const found = [];
    const tables = [...document.querySelectorAll('table')];
    for (const svg of document.querySelectorAll('figure svg[role=img]')) {
      const bars = svg.querySelectorAll('g > title').length;
      if (!bars) continue;  // not a bar chart
      const fig = svg.closest('figure');
      const caption = (fig.querySelector('figcaption') || {}).textContent || '';
      const table = tables.find((t) => t.caption && t.caption.textContent.trim() === caption.trim());
      const rows = table ? table.querySelectorAll('tbody tr').length : 0;
      if (rows < bars) found.push('"' + caption + '": ' + bars + ' bars, ' + rows + ' rows in a table');
    }
    return found;
  });
  for (const b of bad) problems.push(name + ': chart without its figures as text (WCAG 1.1.1) at ' + b);
}

async function audit(page, name, problems, out) {
  await reflow(page, name, problems);
  await svgTextContrast(page, name, problems);
  await chartData(page, name, problems);
  await page.addScriptTag({path: AXE});
  const res = await page.evaluate((tags) => window.axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations', 'passes'],
  }), TAGS);
  for (const v of res.violations) {
    for (const n of v.nodes) {
      const target = n.target.join(' ');
      if (accepted(name, v.id, target)) continue;
      const why = (n.failureSummary || v.help).replace(/\s+/g, ' ').slice(0, 300);
      problems.push(name + ': ' + v.id + ' at ' + target + ': ' + why);
    }
  }
  out.pages.push(name);
  out.rules_passed = (out.rules_passed || 0) + res.passes.length;
}

async function residentPages(page, problems, out) {
  const form = process.env.FORM_URL;
  await page.goto(form + '/');
  await audit(page, 'idea form', problems, out);
  // The bots' field (honeypot) is off screen; a screen reader read it out
  // too, as a text box "Vul dit veld niet in" just before the send button.
  const heard = await page.locator('form[action="/ideeen"]').ariaSnapshot();
  if (heard.includes('Vul dit veld niet in'))
    problems.push('idea form: a screen reader meets the honeypot field "Vul dit veld niet in"');
  // A submit with errors: no idea, a bad e-mail address, consent without it.
  await page.fill('#email', 'jan@');
  await page.click('form[action="/ideeen"] button[type=submit]');
  await page.waitForSelector('.fouten');
  await audit(page, 'idea form with errors', problems, out);
  await page.fill('#tekst', 'Meer bankjes in het park van Welten, voor ouderen.');
  await page.fill('#email', '');
  await page.click('form[action="/ideeen"] button[type=submit]');
  await page.waitForSelector('h1:has-text("Bedankt")');
  await audit(page, 'thank-you page', problems, out);
  await page.goto(form + '/privacy');
  await audit(page, 'privacy statement', problems, out);

  await page.goto(process.env.DASH_URL + '/resultaten');
  await audit(page, '/resultaten', problems, out);

  const unsub = process.env.UNSUB_URL;
  await page.goto(unsub);
  await audit(page, 'unsubscribe: ask', problems, out);
  await page.click('button[type=submit]');
  await page.waitForSelector('h1:has-text("U bent afgemeld")');
  await audit(page, 'unsubscribe: done', problems, out);
  await page.goto(unsub);
  await audit(page, 'unsubscribe: already', problems, out);
  await page.goto(unsub.replace(/s=[^&]*/, 's=AAAA'));
  await audit(page, 'unsubscribe: broken link', problems, out);
}

async function fieldPages(page, problems, out) {
  await page.goto(process.env.FIELD_URL);
  await page.waitForSelector('#setup-form', {state: 'visible'});
  await audit(page, 'field app: registration', problems, out);
  await fieldRegister(page);
  await audit(page, 'field app: idea screen', problems, out);
  await page.click('details summary');
  await page.click('#save');  // no text: the browser's own check says so
  await audit(page, 'field app: idea screen, contact open', problems, out);
}

async function staffPages(page, problems, out) {
  const base = process.env.DASH_URL;
  await page.goto(base + '/login');
  await audit(page, 'dashboard login', problems, out);
  await page.fill('#user', process.env.DASH_USER);
  await page.fill('#password', 'niet-het-wachtwoord');
  await page.click('form[action="/login"] button[type=submit]');
  await page.waitForSelector('#user');
  await audit(page, 'dashboard login, wrong password', problems, out);
  await staffLogin(page, base);
  await audit(page, 'overview', problems, out);
  for (const path of ['/ideeen', '/clusters', '/activiteiten', '/overgeslagen', '/report',
                      '/beheer', '/campagnes', '/campagnes/' + process.env.CAMPAIGN_ID,
                      '/bijeenkomst']) {
    await page.goto(base + path);
    await audit(page, path, problems, out);
  }
  // The terugkombijeenkomst announced: the form's answer, and /resultaten
  // (and the report) with it.
  await page.goto(base + '/bijeenkomst');
  await page.fill('#m-date', '2027-03-11');
  await page.fill('#m-time', '19:30');
  await page.fill('#m-place', 'https://heerlen.nl/terugkombijeenkomst');
  await page.fill('#m-text', 'Iedereen is welkom. Er is koffie.');
  await page.click('form[action="/bijeenkomst"] button:not([name])');
  await page.waitForSelector('p.ok');
  await audit(page, '/bijeenkomst, saved', problems, out);
  await page.goto(base + '/resultaten');
  await audit(page, '/resultaten with the terugkombijeenkomst', problems, out);
  await page.goto(base + '/report');
  await audit(page, '/report with the terugkombijeenkomst', problems, out);
  await page.goto(base + '/ideeen');
  await page.locator('table tbody a').first().click();
  await page.waitForSelector('h2:has-text("Herkomst")');
  await audit(page, 'one idea', problems, out);
  await page.goto(base + '/clusters');
  const members = page.locator('main a[href*="cluster="]');
  if (await members.count()) {
    await members.first().click();
    await audit(page, 'one cluster', problems, out);
  }
}

async function main() {
  const browser = await launch();
  const out = {pages: []};
  const problems = [];
  try {
    // bypassCSP: axe is injected as an inline script, which the pages'
    // own Content-Security-Policy (rightly) forbids.
    const context = await browser.newContext({viewport: {width: 1280, height: 900}, bypassCSP: true});
    const page = await context.newPage();
    watch(page, problems);
    await residentPages(page, problems, out);
    await fieldPages(page, problems, out);
    await staffPages(page, problems, out);
  } finally {
    await browser.close();
  }
  finish(out, problems);
}

main().catch((e) => crashed(e, []));
