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
 *     rejected_kept     two ideas the server rejects (a wijk it does not
 *                       know): both stay on the tablet after a reload, one
 *                       goes back into the form with "Aanpassen", is
 *                       corrected and sent, the other is removed with
 *                       "Verwijderen" (confirmed); a reload shows none.
 *     wrong_code        the tablet is registered again ("Opnieuw
 *                       aanmelden") with a mistyped device code,
 *                       then with the right one, and an idea is saved.
 *     wijk_list         the names the wijk field offers (its datalist), online
 *                       and after an offline reload; then an idea with a
 *                       wijk typed as a resident says it ("hoensbroek de
 *                       dem", taken), one no wijk is called ("Heerlerbaan",
 *                       refused) and one picked from the list.
 *     old_queue         an idea queued by the app's first IndexedDB layout
 *                       (version 1, store "queue" only) before the update:
 *                       the new app must still send it.
 *     phone_day         on a phone (its screen, touch) that still has the
 *                       cache of the app before, offline: an idea in
 *                       Limburgish with emoji, one of two emoji only, the
 *                       location refused, a reload and a killed tab, then
 *                       online again.
 *     revoked_mid_tour  on a phone, offline with an idea waiting, staff revoke
 *                       the device (FIELD_MARK.revoke, done by the test); back
 *                       online the worker reads what happened, saves one
 *                       more idea, reloads, gets a new code
 *                       (FIELD_MARK.new-code) and signs the phone in again.
 *     double_tap        on a phone, offline: "Bewaar idee" tapped twice in a
 *                       row, then the next idea saved.
 *     send_offline      on a phone, offline: an idea saved, "Nu verzenden"
 *                       tapped; then online again.
 *     hung_send         on a phone: the first batch gets no answer and no
 *                       error (a dead connection); "Nu verzenden" tapped.
 *     late_gps          on a phone: "Gebruik mijn locatie", then "Bewaar
 *                       idee" before the position is found; it arrives
 *                       (held back until then) while the next idea is typed.
 *     keep_storage      on a phone, offline: two ideas saved; counts the
 *                       app's calls of navigator.storage.persist().
 *     words             on a phone: what the worker reads (an idea refused,
 *                       the question before removing it, the sign-in screen).
 *     thousand          1,050 ideas waiting, all refused by the server: the
 *                       counts the screen shows.
 *     session_date      post-its of yesterday's wijkgesprek typed today, on
 *                       a laptop in Heerlen's time zone: the day of the
 *                       session chosen (after a day in the future and one
 *                       before 1970 were tried, each refusal read on the
 *                       day field), two ideas saved.
 *     session_wijk      post-its of a wijkgesprek typed in a row: the wijk
 *                       picked once, two ideas saved; then, on the street
 *                       in another wijk, "Gebruik mijn locatie" for a third.
 *     field_hints       what Chromium's accessibility tree gives a screen
 *                       reader as the description of the wijk and the day
 *                       field: before an error, while the server's refusal
 *                       (an unknown wijk; a time it cannot read) is being
 *                       corrected, and after the corrected idea is saved.
 *   Exits non-zero on a page error or when a step cannot be done.
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

const KEPT_TEXT = 'Een overdekte fietsenstalling bij station Heerlen, met toezicht.';
const GONE_TEXT = 'Een hondenweide achter de sporthal, met een hek eromheen.';

const rejectedCount = (page, n) => page.waitForFunction(
  (k) => document.querySelectorAll('#rejected li').length === k, n, {timeout: 10000});

/* After a reload: the app is ready when the status shows the queue. */
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

async function reloadApp(page) {
  await page.reload();
  await fieldReady(page);
}

async function rejectedKept(page) {
  const out = {};
  await page.fill('#activity', 'wijkgesprek Zeswegen');
  await page.fill('#text', KEPT_TEXT);
  await page.check('input[name=question][value=toekomst]');
  await page.selectOption('#target_group', 'professional');
  await page.fill('#wijk', 'Heerlen-Centrumm');
  await page.click('details summary');
  await page.fill('#name', 'Anna de Vries');
  await page.fill('#email', 'anna@example.org');
  await page.check('#consent');
  await page.click('#save');
  await rejectedCount(page, 1);
  await page.fill('#text', GONE_TEXT);
  await page.fill('#wijk', 'Atlantis');
  await page.click('#save');
  await rejectedCount(page, 2);
  out.message_after_reject = await page.textContent('#message');

  await reloadApp(page);
  await rejectedCount(page, 2).catch(() => {});
  out.after_reload = (await screen(page)).rejected;
  if (out.after_reload.length !== 2) return out;
  /* SHOTS=folder: a picture of the list, to look at by eye */
  if (process.env.SHOTS) {
    await page.screenshot({path: require('path').join(process.env.SHOTS, 'field-rejected.png'),
                           fullPage: true});
  }

  await page.fill('#activity', 'omgevingsvisietour Markt');
  await page.click('#rejected li:has-text("fietsenstalling") button:has-text("Aanpassen")');
  out.form = {
    activity: await page.inputValue('#activity'),
    text: await page.inputValue('#text'),
    question: await page.$eval('input[name=question]:checked', (r) => r.value).catch(() => null),
    target_group: await page.inputValue('#target_group'),
    wijk: await page.inputValue('#wijk'),
    name: await page.inputValue('#name'),
    email: await page.inputValue('#email'),
    consent: await page.isChecked('#consent'),
    focused: await page.evaluate(() => document.activeElement.id),
  };
  out.focused_says = await focusedSays(page);
  await page.fill('#wijk', 'Heerlen-Centrum');
  await page.click('#save');
  await rejectedCount(page, 1);
  await page.waitForFunction(() => document.getElementById('pending').textContent === 'Alles is verzonden');
  out.activity_after_save = await page.inputValue('#activity');

  page.once('dialog', async (d) => { out.confirm = d.message(); await d.accept(); });
  await page.click('#rejected li:has-text("hondenweide") button:has-text("Verwijderen")');
  await rejectedCount(page, 0);

  await reloadApp(page);
  Object.assign(out, await screen(page));
  out.held = await page.textContent('#held');
  return out;
}

async function wrongCode(page) {
  await page.click('#logout');
  await page.waitForSelector('#setup-form', {state: 'visible'});
  await page.fill('#token', 'isd_' + 'x'.repeat(43));
  await page.click('#setup-form button[type=submit]');
  /* Either the app says the code is wrong, or (as it did) it takes any code. */
  await page.waitForFunction(() => document.getElementById('collect').hidden === false ||
    (document.getElementById('setup-message') || {}).textContent);
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

async function wijkOptions(page) {
  return page.$eval('#wijk', (w) => (w.list ? [...w.list.options].map((o) => o.value) : []));
}

async function wijkList(page) {
  await page.waitForFunction(() => { const w = document.getElementById('wijk');
    return !w.getAttribute('list') || (w.list && w.list.options.length > 0); });
  const out = {online: await wijkOptions(page)};
  await page.waitForFunction(() => navigator.serviceWorker.controller); /* the app works offline */
  await page.context().setOffline(true);
  await reloadApp(page);
  await page.waitForFunction(() => { const w = document.getElementById('wijk');
    return !w.getAttribute('list') || (w.list && w.list.options.length > 0); });
  out.offline = await wijkOptions(page);
  await page.fill('#text', 'De bus naar Hoensbroek rijdt te weinig in het weekend.');
  await page.fill('#wijk', 'hoensbroek de dem');
  await page.click('#save');
  await page.fill('#text', 'Een zebrapad bij de basisschool, de auto\'s rijden te hard.');
  await page.fill('#wijk', 'Heerlerbaan'); /* two wijken bear that name: refused */
  await page.click('#save');
  await page.fill('#text', 'Meer bomen in het centrum, bij het Pancratiusplein.');
  await page.fill('#wijk', out.offline.find((n) => n.startsWith('Heerlen-C')) || 'Heerlen-Centrum');
  await page.click('#save');
  await page.context().setOffline(false);
  await page.waitForFunction(() => /^Alles is verzonden/.test(document.getElementById('pending').textContent),
                             null, {timeout: 60000});
  Object.assign(out, await screen(page));
  return out;
}

/* Before the app opens: a version-1 database holding one queued idea, as
 * a tablet that was offline during the update would have it. */
async function oldQueueBefore(page) {
  await page.goto(new URL('/field/manifest.webmanifest', process.env.FIELD_URL).href);
  await page.evaluate(() => new Promise((resolve, reject) => {
    const req = indexedDB.open('inspraak-field', 1);
    req.onupgradeneeded = () => req.result.createObjectStore('queue', {keyPath: 'local_id'});
    req.onsuccess = () => {
      const t = req.result.transaction('queue', 'readwrite');
      t.objectStore('queue').put({local_id: 'v1-item', activity: 'omgevingsvisietour', item: {
        local_id: 'v1-item', text: 'Een watertappunt in het Stadspark.', target_group: 'inwoner',
        question: 'toekomst', collected_at: new Date().toISOString()}});
      t.oncomplete = () => { req.result.close(); resolve(); };
      t.onerror = () => reject(t.error);
    };
    req.onerror = () => reject(req.error);
  }));
}

async function oldQueue(page) {
  return screen(page); /* registering already waited for "Alles is verzonden" */
}

/* A day on a phone, offline most of it: an idea in Limburgish with emoji,
 * one of emoji alone ("👍👍": 2 characters to the server), the location
 * refused, the app reloaded and the tab killed before the network is back. */
const DAY_TEXT = 'Gooj plaats veur de kinjer in de wiek, \'t is hie sjoan 😊🌳';

async function phoneDay(page) {
  const out = {};
  const context = page.context();
  await page.waitForFunction(() => navigator.serviceWorker.controller); /* the app works offline */
  out.caches = await page.evaluate(() => caches.keys());
  await context.setOffline(true);
  await page.waitForFunction(() => document.getElementById('net').textContent === 'offline');
  await page.fill('#text', DAY_TEXT);
  await page.tap('#save');
  await page.waitForFunction(() => document.getElementById('pending').textContent.startsWith('1 '));
  await page.fill('#text', '👍👍');
  await page.tap('#save');
  await page.waitForFunction(() => document.getElementById('message').textContent !== 'Bewaard. Dank u wel!' ||
    document.getElementById('pending').textContent.startsWith('2 '));
  out.emoji_only = await screen(page);
  await page.fill('#text', '');
  await reloadAppWaiting(page);
  out.after_reload = await page.textContent('#pending');
  await page.close(); /* the tab is killed */
  const again = await context.newPage();
  await again.goto(process.env.FIELD_URL);
  await again.waitForSelector('#idea-form', {state: 'visible'});
  await again.waitForFunction(() => /wacht/.test(document.getElementById('pending').textContent));
  out.after_kill = await again.textContent('#pending');
  await again.tap('#locate'); /* the phone was never allowed to give it */
  await again.waitForFunction(() => !/zoeken/.test(document.getElementById('where').textContent));
  out.gps_refused = await again.textContent('#where');
  out.online_at = new Date().toISOString();
  await context.setOffline(false);
  await again.waitForFunction(() => document.getElementById('pending').textContent === 'Alles is verzonden',
                              null, {timeout: 30000}).catch(() => {});
  Object.assign(out, await screen(again));
  return out;
}

/* "Bewaar idee" tapped twice in quick succession on a slow phone (offline),
 * then the next idea saved as usual. */
async function doubleTap(page) {
  await page.context().setOffline(true);
  await page.waitForFunction(() => document.getElementById('net').textContent === 'offline');
  await page.fill('#text', 'Een zebrapad bij de basisschool aan de Ganzeweide, het is er gevaarlijk.');
  await page.evaluate(() => { const b = document.getElementById('save'); b.click(); b.click(); });
  await page.waitForFunction(() => document.getElementById('message').textContent.startsWith('Bewaard'));
  await page.fill('#text', 'Meer bankjes langs de Geleenbeek, om even te rusten.');
  await page.tap('#save');
  /* IndexedDB writes of one store run in order: this count holds all three saves */
  await page.waitForFunction(() => document.getElementById('text').value === '' &&
    /wacht/.test(document.getElementById('pending').textContent));
  const waiting = await page.textContent('#pending');
  await page.context().setOffline(false);
  await page.waitForFunction(() => document.getElementById('pending').textContent === 'Alles is verzonden',
                             null, {timeout: 30000}).catch(() => {});
  return Object.assign(await screen(page), {waiting: waiting});
}

/* "Nu verzenden" tapped on the street without a connection. */
async function sendOffline(page) {
  await page.context().setOffline(true);
  await page.waitForFunction(() => document.getElementById('net').textContent === 'offline');
  await page.fill('#text', 'Een overdekte fietsenstalling bij station Heerlen, met toezicht.');
  await page.tap('#save');
  await page.waitForFunction(() => document.getElementById('message').textContent.startsWith('Bewaard'));
  await page.tap('#sync');
  await page.waitForFunction(() => !document.getElementById('message').textContent.startsWith('Bewaard'),
                             null, {timeout: 5000}).catch(() => {});
  const out = {offline: await screen(page)};
  await page.context().setOffline(false);
  await page.waitForFunction(() => document.getElementById('pending').textContent === 'Alles is verzonden',
                             null, {timeout: 30000}).catch(() => {});
  out.online = await screen(page);
  return out;
}

/* The first batch never gets an answer, nor an error (a dead mobile
 * connection); the worker taps "Nu verzenden". */
async function hungSend(page) {
  let first = true;
  await page.route(API, async (route) => {
    if (first) { first = false; return; } /* never answered */
    await route.continue();
  });
  await page.fill('#text', 'Een bankje bij de bushalte op de Akerstraat, om te wachten.');
  await page.tap('#save');
  await page.waitForFunction(() => document.getElementById('message').textContent.startsWith('Bewaard'));
  const waiting = await page.textContent('#pending');
  await page.tap('#sync');
  /* Failure deadline only */
  await page.waitForFunction(() => document.getElementById('pending').textContent === 'Alles is verzonden',
                             null, {timeout: 30000}).catch(() => {});
  return Object.assign(await screen(page), {waiting: waiting});
}

/* The phone takes its time to find the position: Chromium's own answer
 * (the context's geolocation override) is held until the case lets it go
 * (gpsRelease), as a slow GPS fix would arrive. */
async function holdGps(page) {
  await page.addInitScript(() => {
    const geo = navigator.geolocation, real = geo.getCurrentPosition.bind(geo), held = [];
    window.gpsHeld = () => held.length;
    window.gpsRelease = () => held.splice(0).forEach((answer) => answer());
    geo.getCurrentPosition = (ok, fail, options) => real((p) => held.push(() => ok(p)),
      (e) => held.push(() => fail && fail(e)), options);
  });
}

/* "Gebruik mijn locatie" tapped for one idea, "Bewaar idee" before the
 * position is found; the position arrives while the next idea is typed. */
async function lateGps(page) {
  const out = {};
  await page.fill('#text', 'Een bankje bij de vijver, om even te zitten.');
  await page.tap('#locate');
  await page.waitForFunction(() => window.gpsHeld() === 1);
  await page.tap('#save');
  await page.waitForFunction(() => document.getElementById('message').textContent.startsWith('Bewaard'));
  await page.fill('#text', 'Meer licht in de tunnel, \'s avonds is het er donker.');
  await page.evaluate(() => window.gpsRelease());
  out.where_next = await page.textContent('#where');
  await page.tap('#save');
  await page.waitForFunction(() => document.getElementById('text').value === '');
  return Object.assign(out, await screenWhenSent(page));
}

/* The screen once everything is sent (or, if it never is, after 30 s). */
async function screenWhenSent(page) {
  await page.waitForFunction(() => document.getElementById('pending').textContent === 'Alles is verzonden',
                             null, {timeout: 30000}).catch(() => {});
  return screen(page);
}

/* Post-its typed in a row: only the text changes from one to the next. */
async function saveInARow(page, texts) {
  for (const text of texts) {
    await page.fill('#text', text);
    await page.click('#save');
    await page.waitForFunction(() => document.getElementById('text').value === '');
  }
}

/* The post-its of yesterday's wijkgesprek, typed today. The days are
 * the laptop's own (Europe/Amsterdam, as in Heerlen). */
async function sessionDate(page) {
  const day = (shift) => page.evaluate((n) => {
    const d = new Date();
    d.setDate(d.getDate() + n);
    return [d.getFullYear(), String(d.getMonth() + 1).padStart(2, '0'),
            String(d.getDate()).padStart(2, '0')].join('-');
  }, shift);
  const out = {today: await day(0), yesterday: await day(-1)};
  out.day_shown = await page.inputValue('#day').catch(() => null);
  await page.fill('#activity', 'wijkgesprek Zeswegen');
  await page.fill('#text', 'Een bankje bij de bushalte aan de Kissel.');
  const refused = async (date) => {
    await page.fill('#day', date);
    await page.click('#save');
    await page.waitForFunction(() => document.getElementById('message').textContent !== '');
    const seen = Object.assign(await screen(page), {day_says: await focusedSays(page)});
    await page.evaluate(() => { document.getElementById('message').textContent = ''; });
    return seen;
  };
  out.future = await refused(await day(1));
  out.before_1970 = await refused('1969-12-31');
  await page.fill('#day', out.yesterday);
  await saveInARow(page, ['Een bankje bij de bushalte aan de Kissel.',
                          'Meer groen op het schoolplein van de basisschool.']);
  out.day_after_save = await page.inputValue('#day');
  out.day_invalid_after_save = await page.$eval('#day', (e) => e.hasAttribute('aria-invalid'));
  return Object.assign(out, await screenWhenSent(page));
}

/* A wijkgesprek's post-its typed in a row: the wijk is picked for the
 * first only. Then a street tour: the phone's position lies in another
 * wijk (Schandelen-Grasbroek) than the one the form still shows. */
async function sessionWijk(page) {
  const out = {};
  await page.fill('#activity', 'wijkgesprek Hoensbroek');
  await page.fill('#wijk', 'Hoensbroek-De Dem');
  await saveInARow(page, ['Een ontmoetingsplek voor ouderen bij het kasteel.',
                          'Veiliger oversteken op de Hoofdstraat, bij de school.']);
  out.wijk_after_save = await page.inputValue('#wijk');
  await page.fill('#activity', 'omgevingsvisietour Centrum');
  await page.fill('#text', 'Meer fietsenrekken bij het station.');
  await page.click('#locate');
  await page.waitForFunction(() => /^Locatie: /.test(document.getElementById('where').textContent));
  out.wijk_after_locate = await page.inputValue('#wijk');
  await page.click('#save');
  await page.waitForFunction(() => document.getElementById('text').value === '');
  return Object.assign(out, await screenWhenSent(page));
}

/* The accessible descriptions (what a screen reader reads after the
 * name) Chromium computes for the fields, by id. */
async function descriptions(page, ids) {
  const cdp = await page.context().newCDPSession(page);
  const {root} = await cdp.send('DOM.getDocument', {depth: 0});
  const out = {};
  for (const id of ids) {
    const {nodeId} = await cdp.send('DOM.querySelector', {nodeId: root.nodeId, selector: '#' + id});
    const {nodes} = await cdp.send('Accessibility.getPartialAXTree', {nodeId, fetchRelatives: false});
    out[id] = nodes[0].description ? nodes[0].description.value : '';
  }
  await cdp.detach();
  return out;
}

/* One idea refused for a field (the server's own answer), taken back into
 * the form with "Aanpassen"; fix() corrects it and it is saved. */
async function refusedAndFixed(page, out, key, fix) {
  await page.fill('#text', 'Een bankje bij de bushalte aan de Kissel.');
  await page.click('#save');
  await rejectedCount(page, 1);
  await page.click('#rejected li button:has-text("Aanpassen")');
  out[key + '_error'] = await descriptions(page, ['wijk', 'day']);
  await fix();
  await page.click('#save');
  await rejectedCount(page, 0);
  await page.waitForFunction(() => document.getElementById('pending').textContent === 'Alles is verzonden');
  out[key + '_fixed'] = await descriptions(page, ['wijk', 'day']);
}

async function fieldHints(page) {
  const out = {today: await page.inputValue('#day'), before: await descriptions(page, ['wijk', 'day'])};
  await page.fill('#wijk', 'Atlantis');
  await refusedAndFixed(page, out, 'wijk', () => page.fill('#wijk', 'Heerlen-Centrum'));
  /* The wijk of before "Aanpassen" is back in the form; this idea has none.
   * A clock gone wrong: the one batch carries a time the server cannot read. */
  await page.fill('#wijk', '');
  await page.route(API, (route) => {
    const batch = JSON.parse(route.request().postData());
    batch.items.forEach((i) => { i.collected_at = 'gisteravond'; });
    return route.continue({postData: JSON.stringify(batch)});
  }, {times: 1});
  await refusedAndFixed(page, out, 'day', () => page.fill('#day', out.today));
  return out;
}

/* Counts the app's calls of navigator.storage.persist() (the real one
 * still answers) in this tab. */
async function countPersist(page) {
  await page.addInitScript(() => {
    const storage = navigator.storage, real = storage.persist.bind(storage);
    storage.persist = () => {
      sessionStorage.setItem('persist-asked', String(Number(sessionStorage.getItem('persist-asked') || 0) + 1));
      return real();
    };
  });
}

const persistAsked = (page) => page.evaluate(() => Number(sessionStorage.getItem('persist-asked') || 0));

/* Two ideas saved offline: the app should ask to keep its storage, once. */
async function keepStorage(page) {
  const out = {asked_before_saving: await persistAsked(page)};
  await page.context().setOffline(true);
  await page.waitForFunction(() => document.getElementById('net').textContent === 'offline');
  for (const text of ['Een speeltuin bij de Schelsberg, voor de kleine kinderen.',
                      'Meer bankjes langs de Geleenbeek, om even te rusten.']) {
    await page.fill('#text', text);
    await page.tap('#save');
    await page.waitForFunction(() => document.getElementById('text').value === '' &&
      document.getElementById('message').textContent !== '');
  }
  out.asked = await persistAsked(page);
  out.persisted = await page.evaluate(() => navigator.storage.persisted());
  Object.assign(out, await screen(page));
  await page.context().setOffline(false);
  await page.waitForFunction(() => document.getElementById('pending').textContent === 'Alles is verzonden',
                             null, {timeout: 30000}).catch(() => {});
  return out;
}

/* What the worker reads on the way: the idea screen with an idea the
 * server refused, the question before removing it, the sign-in screen. */
async function wordsRead(page) {
  const said = [];
  const read = async () => said.push(await page.evaluate(() => document.body.innerText));
  await page.fill('#text', 'Een hondenweide achter de sporthal, met een hek eromheen.');
  await page.fill('#wijk', 'Atlantis');
  await page.tap('#save');
  await rejectedCount(page, 1);
  await read();
  page.once('dialog', async (d) => { said.push(d.message()); await d.dismiss(); });
  await page.tap('#rejected button:has-text("Verwijderen")');
  await page.tap('#logout');
  await page.waitForSelector('#setup-form', {state: 'visible'});
  await read();
  return {said: said};
}

/* 1,050 ideas waiting (put in the app's queue as a long offline day would
 * leave them), all refused by the server (a wijk it does not know). */
async function thousand(page) {
  const out = {};
  await page.evaluate(() => new Promise((resolve, reject) => {
    const req = indexedDB.open('inspraak-field', 2);
    req.onsuccess = () => {
      const t = req.result.transaction('queue', 'readwrite');
      for (let i = 0; i < 1050; i++) {
        const id = 'many-' + i;
        t.objectStore('queue').put({local_id: id, activity: 'omgevingsvisietour', item: {
          local_id: id, text: 'Idee nummer ' + i + ' voor de wijk.', target_group: 'inwoner',
          question: null, wijk: 'Atlantis', collected_at: new Date().toISOString()}});
      }
      t.oncomplete = () => { req.result.close(); resolve(); };
      t.onerror = () => reject(t.error);
    };
    req.onerror = () => reject(req.error);
  }));
  await page.context().setOffline(true);
  await page.waitForFunction(() => document.getElementById('net').textContent === 'offline');
  out.waiting = await page.textContent('#pending');
  await page.context().setOffline(false);
  await page.waitForFunction(() => document.getElementById('pending').textContent === 'Alles is verzonden',
                             null, {timeout: 60000}).catch(() => {});
  await page.waitForFunction(() => document.querySelectorAll('#rejected li').length === 1050,
                             null, {timeout: 10000}).catch(() => {});
  out.held = await page.textContent('#held');
  out.message = await page.textContent('#message');
  out.pending = await page.textContent('#pending');
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

/* After a reload with ideas waiting. */
async function reloadAppWaiting(page) {
  await page.reload();
  await page.waitForSelector('#idea-form', {state: 'visible'});
  await page.waitForFunction(() => /wacht/.test(document.getElementById('pending').textContent));
}

/* The cache of the app's version before, as a phone would still have it. */
async function oldCacheBefore(page) {
  await page.goto(new URL('/field/manifest.webmanifest', process.env.FIELD_URL).href);
  await page.evaluate(() => caches.open('inspraak-field-v9')
    .then((c) => c.put('/field/app.js', new Response('/* the app of before */'))));
}

const BEFORE = {old_queue: oldQueueBefore, phone_day: oldCacheBefore,
                late_gps: holdGps, keep_storage: countPersist};

/* Cases played on a phone: its screen, touch. */
const A_PHONE = {viewport: {width: 390, height: 844}, deviceScaleFactor: 3, isMobile: true, hasTouch: true};
const PHONE = {phone_day: A_PHONE, revoked_mid_tour: A_PHONE, double_tap: A_PHONE,
               send_offline: A_PHONE, hung_send: A_PHONE, keep_storage: A_PHONE, words: A_PHONE,
               /* allowed to give its position: WK091731 Schandelen-Grasbroek */
               late_gps: Object.assign({geolocation: {latitude: 50.8882, longitude: 5.9795},
                                        permissions: ['geolocation']}, A_PHONE),
               session_date: {timezoneId: 'Europe/Amsterdam'},
               session_wijk: {geolocation: {latitude: 50.8882, longitude: 5.9795},
                              permissions: ['geolocation']}};

const CASES = {save_during_sync: saveDuringSync, email_typo: emailTypo, long_activity: longActivity,
               long_name: longName, rejected_kept: rejectedKept, wrong_code: wrongCode,
               wijk_list: wijkList,
               old_queue: oldQueue, phone_day: phoneDay,
               revoked_mid_tour: revokedMidTour, double_tap: doubleTap,
               send_offline: sendOffline, hung_send: hungSend,
               late_gps: lateGps, keep_storage: keepStorage, words: wordsRead, thousand: thousand,
               session_wijk: sessionWijk, session_date: sessionDate, field_hints: fieldHints};

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

/* field_app_form_cases.js plays more cases with these helpers. */
module.exports = {API, play, screen, focusedSays, rejectedCount, reloadApp, screenWhenSent};

if (require.main === module) {
  play(CASES, PHONE, BEFORE).catch((e) => { console.error(e); process.exit(1); });
}
