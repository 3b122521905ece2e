/*
 * NAME
 *   keyboard.js - the idea form and the field app with the keyboard only,
 *   in a real headless Chromium
 *
 * SYNOPSIS
 *   FORM_URL=http://127.0.0.1:P FIELD_URL=http://127.0.0.1:S/field FIELD_DEVICE=tablet \
 *   FIELD_TOKEN=isd_... DASH_URL=http://127.0.0.1:Q DASH_USER=admin DASH_PASSWORD=... \
 *   node keyboard.js
 *
 * DESCRIPTION
 *   Run by test_a11y.py. No mouse, no page.fill(): only Tab, Shift+Tab,
 *   arrow keys, Space, Enter and typed text.
 *   Idea form: records the order in which Tab reaches the controls and
 *   whether each one shows the focus (an outline or a shadow); sends the
 *   form empty with Enter and records what has the focus on the page
 *   that comes back (the error summary should), follows the summary's
 *   first link with Enter, types the idea and sends it.
 *   "Shows the focus": a box shadow, the browser's own ring, or an outline
 *   with at least 3:1 contrast against the background around it (WCAG
 *   1.4.11). Field app: registers the tablet by typing, records the Tab
 *   order and the focus of the idea screen, types an idea, chooses a
 *   question with the arrow keys, asks for the tablet's location with
 *   Enter (is the answer in a live region?) and saves it with Enter.
 *   Dashboard: a wrong password, a user that cannot be added (/beheer) and
 *   an idea's change saved, each sent with Enter: what has the focus on
 *   the page that comes back (the message should).
 *   KEYS_CASE=busy: only the idea form sent twice (the service allows one a
 *   minute): the notice on the page that comes back should have the focus
 *   (busy_notice, busy_focus, busy_text_kept).
 *   Prints a JSON summary on the last line: form_order, form_unseen (the
 *   controls whose focus shows nothing), focus_after_errors, focus_after_link,
 *   form_sent, field_setup_order, field_order, field_unseen, field_saved,
 *   dash_login_failed, dash_admin_failed, dash_saved.
 */
'use strict';
const {launch, watch, fieldReady, finish, crashed} = require('./chromium');

/* What has the focus: "tag#id", "tag[name=..]" or "tag.class", and
 * whether anything shows it: an outline with a contrast of at least 3:1
 * against the background around it (WCAG 1.4.11), or a shadow. When not,
 * shown is false and why says what was seen. */
function focused(page) {
  return page.evaluate(() => {
    const e = document.activeElement;
    if (!e || e === document.body) return {name: 'body', shown: false};
    let name = e.tagName.toLowerCase();
    if (e.id) name += '#' + e.id;
    else if (e.name) name += '[name=' + e.name + ']';
    else if (e.className) name += '.' + String(e.className).split(' ')[0];
    if (e.type === 'radio' && !e.id) name += '=' + e.value;
    const lum = (css) => {
      const [r, g, b] = css.match(/[\d.]+/g).slice(0, 3).map((v) => {
        const c = Number(v) / 255;
        return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    let around = 'rgb(255, 255, 255)';
    for (let p = e.parentElement; p; p = p.parentElement) {
      const bg = getComputedStyle(p).backgroundColor;
      if (bg !== 'rgba(0, 0, 0, 0)' && bg !== 'transparent') { around = bg; break; }
    }
    const s = getComputedStyle(e);
    if (s.boxShadow !== 'none') return {name, shown: true};
    if (s.outlineStyle === 'none' || !(parseFloat(s.outlineWidth) > 0)) {
      return {name, shown: false, why: 'no outline'};
    }
    if (s.outlineStyle === 'auto') return {name, shown: true};  // the browser's own ring
    const [a, b] = [lum(s.outlineColor), lum(around)];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    return {name, shown: ratio >= 3,
            why: s.outlineColor + ' on ' + around + ': ' + ratio.toFixed(2) + ':1'};
  });
}

/* Tab from the top of the page until the focus leaves the page (or
 * comes back to where it began); the elements reached, in order, each
 * once. */
async function tabOrder(page, max) {
  await page.evaluate(() => { document.activeElement && document.activeElement.blur(); });
  const order = [], unseen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    /* the same element again: the next part of one control (a date
     * field's day, month and year), not the way back to the top */
    if (f.name === order[order.length - 1]) continue;
    if (f.name === 'body' || order.includes(f.name)) break;
    order.push(f.name);
    if (!f.shown) unseen.push(f.name + (f.why ? ' (' + f.why + ')' : ''));
  }
  return {order, unseen};
}

async function tabTo(page, name) {
  for (let i = 0; i < 40; i++) {
    if ((await focused(page)).name === name) return;
    await page.keyboard.press('Tab');
  }
  throw new Error('Tab never reached ' + name);
}

async function ideaForm(page, out) {
  await page.goto(process.env.FORM_URL + '/');
  const t = await tabOrder(page, 40);
  out.form_order = t.order;
  out.form_unseen = t.unseen;

  // Send it empty: Tab to the button, Enter.
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await tabTo(page, 'button');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  await page.waitForSelector('.fouten');
  out.focus_after_errors = (await focused(page)).name;
  out.focus_after_errors_shown = (await focused(page)).shown;

  // The first link in the summary leads to the field.
  await page.focus('.fouten a');
  await page.keyboard.press('Enter');
  out.focus_after_link = (await focused(page)).name;

  await page.focus('#tekst');
  await page.keyboard.type('Een bankje bij de bushalte in Hoensbroek, om op te wachten.');
  await tabTo(page, 'button');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  out.form_sent = await page.locator('h1').textContent();
}

async function fieldApp(page, out) {
  await page.goto(process.env.FIELD_URL);
  await page.waitForSelector('#setup-form', {state: 'visible'});
  const s = await tabOrder(page, 20);
  out.field_setup_order = s.order;
  out.field_setup_unseen = s.unseen;
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await tabTo(page, 'input#device');
  await page.keyboard.type(process.env.FIELD_DEVICE);
  await page.keyboard.press('Tab');
  await page.keyboard.type(process.env.FIELD_TOKEN);
  await page.keyboard.press('Enter');
  await fieldReady(page);

  const t = await tabOrder(page, 40);
  out.field_order = t.order;
  out.field_unseen = t.unseen;

  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await tabTo(page, 'textarea#text');
  await page.keyboard.type('Meer prullenbakken op de markt, er ligt veel afval.');
  await page.keyboard.press('Tab');  // the first radio button of the question
  await page.keyboard.press('ArrowDown');  // moves to, and chooses, "toekomst"
  out.field_question = await page.evaluate(
    () => (document.querySelector('input[name=question]:checked') || {}).value || null);
  // "Gebruik mijn locatie" with Enter: what it finds must be said (a live
  // region), as the button itself does not change.
  await tabTo(page, 'button#locate');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /^Locatie: /.test(document.getElementById('where').textContent));
  out.field_locate = await page.evaluate(() => {
    const w = document.getElementById('where');
    const live = w.closest('[aria-live], [role=status], [role=alert]');
    return {said: w.textContent, live: live ? (live.getAttribute('role') || live.getAttribute('aria-live')) : null};
  });
  await tabTo(page, 'button#save');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.getElementById('message').textContent.startsWith('Bewaard'));
  out.field_saved = await page.textContent('#message');
}

/* The dashboard: a form sent with Enter that comes back with a message
 * (an error, or "opgeslagen") starts with the focus on that message. */
async function dashboard(page, out) {
  const base = process.env.DASH_URL;
  const said = async () => {
    const f = await focused(page);
    const role = await page.evaluate(() => document.activeElement.getAttribute('role'));
    return f.name + (role ? '[role=' + role + ']' : '');
  };
  await page.goto(base + '/login');
  await page.focus('#user');
  await page.keyboard.type(process.env.DASH_USER);
  await page.keyboard.press('Tab');
  await page.keyboard.type('niet-het-wachtwoord');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  out.dash_login_failed = await said();
  await page.fill('#user', '');  // the name may have been kept
  await page.focus('#user');
  await page.keyboard.type(process.env.DASH_USER);
  await page.keyboard.press('Tab');
  await page.keyboard.type(process.env.DASH_PASSWORD);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);

  // The wijk map: where the focus on a wijk is drawn. The link's outline
  // was a box around the wijk that the map's edge cut off (Wijk 10 on the
  // west edge); it is now the wijk's own border.
  await page.goto(base + '/');
  out.dash_map_focus = {};
  for (const wijk of ['WK091710', 'WK091712', 'WK091733']) {
    await page.focus('a[href="/ideeen?wijk=' + wijk + '"]');
    out.dash_map_focus[wijk] = await page.evaluate(() => {
      const a = document.activeElement;
      const path = a.querySelector('path');
      const svg = a.closest('svg');
      const lum = (css) => {
        const [r, g, b] = css.match(/[\d.]+/g).slice(0, 3).map((v) => {
          const c = Number(v) / 255;
          return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const ratio = (x, y) => {
        const [l1, l2] = [lum(x), lum(y)];
        return (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      };
      const s = getComputedStyle(path);
      const width = parseFloat(s.strokeWidth);
      const box = path.getBBox();
      const vb = svg.viewBox.baseVal;
      const within = box.x - width / 2 >= vb.x && box.y - width / 2 >= vb.y &&
          box.x + box.width + width / 2 <= vb.x + vb.width &&
          box.y + box.height + width / 2 <= vb.y + vb.height;
      return {outline: getComputedStyle(a).outlineStyle, stroke: s.stroke, width,
              vs_page: Math.round(ratio(s.stroke, 'rgb(255, 255, 255)') * 100) / 100,
              vs_fill: Math.round(ratio(s.stroke, s.fill) * 100) / 100,
              halo: s.filter,
              uncut: within || getComputedStyle(svg).overflow === 'visible'};
    });
  }

  await page.goto(base + '/beheer');
  await page.focus('#u-name');
  await page.keyboard.type('geen spaties');  // a name may not hold a space
  await page.keyboard.press('Tab');
  await page.keyboard.type('een-lang-wachtwoord');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  out.dash_admin_failed = await said();
  out.dash_admin_failed_shown = (await focused(page)).shown;

  await page.goto(base + '/ideeen');
  await page.locator('table tbody a').first().click();
  await page.focus('#m-status');
  await page.keyboard.press('ArrowDown');
  await tabTo(page, 'button');
  for (let i = 0; i < 10; i++) {  // to the form's own "Opslaan"
    if (await page.evaluate(() => document.activeElement.textContent.trim() === 'Opslaan')) break;
    await page.keyboard.press('Tab');
  }
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  out.dash_saved = await said();
}

/* KEYS_CASE=busy (intake-form with INSPRAAK_FORM_RATE=1): the second idea
 * in a minute comes back with a notice ("too many"): what has the focus. */
async function formBusy(page, out) {
  for (let i = 0; i < 2; i++) {
    await page.goto(process.env.FORM_URL + '/');
    await page.focus('#tekst');
    await page.keyboard.type('Een watertappunt in het park, idee ' + (i + 1) + '.');
    await tabTo(page, 'button');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  }
  out.busy_notice = await page.textContent('.bericht');
  out.busy_focus = (await focused(page)).name;
  out.busy_text_kept = await page.inputValue('#tekst');
}

async function main() {
  const browser = await launch();
  const out = {};
  const problems = [];
  try {
    // the tablet's position: Heerlen-Centrum (the browser's own permission)
    const context = await browser.newContext({viewport: {width: 1280, height: 900},
                                              geolocation: {latitude: 50.8882, longitude: 5.9795},
                                              permissions: ['geolocation']});
    const page = await context.newPage();
    watch(page, problems);
    if (process.env.KEYS_CASE === 'busy') {
      await formBusy(page, out);
    } else {
      await ideaForm(page, out);
      await fieldApp(page, out);
      await dashboard(page, out);
    }
  } finally {
    await browser.close();
  }
  finish(out, problems);
}

main().catch((e) => crashed(e, []));
