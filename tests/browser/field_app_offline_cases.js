/*
 * NAME
 *   field_app_offline_cases.js - the field app without a connection and
 *   after an update: started from the service worker's cache, an old queue,
 *   an old cache
 *
 * DESCRIPTION
 *   Cases of field_app_cases.js (which plays them; see there). Each
 *   registers the device, plays its moment and returns what the screen
 *   shows:
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
 *     offline_start     the app opened once, then offline: reloaded from
 *                       the service worker's cache; which of the files the
 *                       page loads (scripts, style sheet, manifest, icon)
 *                       the cache holds, and an idea saved, then sent
 *                       once online.
 */
'use strict';
const {fieldReady} = require('./chromium');
const {A_PHONE, screen, reloadApp, reloadAppWaiting, screenWhenSent} = require('./field_app_play');

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

/* The cache of the app's version before, as a phone would still have it. */
async function oldCacheBefore(page) {
  await page.goto(new URL('/field/manifest.webmanifest', process.env.FIELD_URL).href);
  await page.evaluate(() => caches.open('inspraak-field-v9')
    .then((c) => c.put('/field/app.js', new Response('/* the app of before */'))));
}

/* Started offline from what the service worker keeps (sw.js SHELL) and
 * nothing else: the page was loaded before the worker ran, so only the
 * files it took at install are in its cache. A file the page loads that
 * is not among them does not arrive, and the app does not start. */
async function offlineStart(page) {
  await page.waitForFunction(() => navigator.serviceWorker.controller);
  await page.context().setOffline(true);
  await page.reload();
  /* Read before the app is waited for: a run that fails on it still
   * prints which file was not kept. */
  const out = await page.evaluate(async () => {
    const files = [...document.querySelectorAll('script[src], link[href]')]
      .map((e) => new URL(e.src || e.href).pathname);
    const kept = [];
    for (const f of files) if (await caches.match(f)) kept.push(f);
    return {files: files, kept: kept};
  });
  if (out.kept.length !== out.files.length) return out;
  await fieldReady(page);
  await page.fill('#text', 'Een waterpunt bij het Burgemeester van Grunsvenplein.');
  await page.click('#save');
  /* The form empties before the save ends (the count, then the thanks):
   * wait for the thanks, which come last, not for the empty form. */
  await page.waitForFunction(() => /^Bewaard/.test(document.getElementById('message').textContent));
  out.offline = await screen(page);
  await page.context().setOffline(false);
  return Object.assign(out, await screenWhenSent(page));
}

module.exports = {
  cases: {wijk_list: wijkList, old_queue: oldQueue, phone_day: phoneDay, offline_start: offlineStart},
  contexts: {phone_day: A_PHONE},
  before: {old_queue: oldQueueBefore, phone_day: oldCacheBefore},
};
