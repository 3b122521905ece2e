/*
 * NAME
 *   field_app_send_cases.js - the field app sending its queue: a
 *   batch on its way, a double tap, no connection, a dead one, storage kept,
 *   1,050 ideas
 *
 * DESCRIPTION
 *   Cases of field_app_cases.js (which plays them; see there). Each
 *   registers the device, plays its moment and returns what the screen
 *   shows:
 *     save_during_sync  a second idea is saved while the first one's batch
 *                       is still on its way (the answer is held back until
 *                       the second save is done); both must be sent.
 *     double_tap        on a phone, offline: "Bewaar idee" tapped twice in a
 *                       row, then the next idea saved.
 *     send_offline      on a phone, offline: an idea saved, "Nu verzenden"
 *                       tapped; then online again.
 *     hung_send         on a phone: the first batch gets no answer and no
 *                       error (a dead connection); "Nu verzenden" tapped.
 *     tap_after_answer  "Nu verzenden" tapped the moment a batch's answer
 *                       came in; then the server is away: how often the
 *                       app tries before it waits, and after 5 s.
 *     tap_while_deciding  the server away: "Nu verzenden" tapped while the
 *                       app redraws "1 wacht" after the failed batch; how
 *                       often it tries before it waits, and after 5 s.
 *     keep_storage      on a phone, offline: two ideas saved; counts the
 *                       app's calls of navigator.storage.persist().
 *     thousand          1,050 ideas waiting, all refused by the server: the
 *                       counts the screen shows.
 */
'use strict';
const {API, A_PHONE, screen, saveThanked} = require('./field_app_play');

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

/* "Bewaar idee" tapped twice in quick succession on a slow phone (offline),
 * then the next idea saved as usual. */
async function doubleTap(page) {
  await page.context().setOffline(true);
  await page.waitForFunction(() => document.getElementById('net').textContent === 'offline');
  await page.fill('#text', 'Een zebrapad bij de basisschool aan de Ganzeweide, het is er gevaarlijk.');
  await page.evaluate(() => { const b = document.getElementById('save'); b.click(); b.click(); });
  await page.waitForFunction(() => document.getElementById('message').textContent.startsWith('Bewaard'));
  const afterFirst = await page.textContent('#pending');
  await page.fill('#text', 'Meer bankjes langs de Geleenbeek, om even te rusten.');
  await page.tap('#save');
  /* The form is emptied before the count is redrawn, so an empty form
   * says nothing yet: wait for the count to move on from the first save's.
   * IndexedDB writes of one store run in order: this count holds all three
   * saves (a doubled first one would make it 3). */
  await page.waitForFunction((before) => document.getElementById('text').value === '' &&
    document.getElementById('pending').textContent !== before, afterFirst,
    {timeout: 10000}).catch(() => {});
  const waiting = await page.textContent('#pending');
  await page.context().setOffline(false);
  await page.waitForFunction(() => document.getElementById('pending').textContent === 'Alles is verzonden',
                             null, {timeout: 30000}).catch(() => {});
  return Object.assign(await screen(page), {waiting: waiting, after_first: afterFirst});
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

/* The batch API as the tablet reaches it: every POST is counted; while
 * `down`, each is refused as by a server that is away (connection
 * refused), after `beforeRefusal` (once) if set. */
async function countedServer(page) {
  const server = {posts: 0, down: false, beforeRefusal: null};
  await page.route(API, async (route) => {
    server.posts++;
    if (!server.down) return route.continue();
    const before = server.beforeRefusal;
    server.beforeRefusal = null;
    if (before) await before();
    return route.abort('connectionrefused');
  });
  return server;
}

/* The page's clock stands still: a retry comes only when the case moves
 * the clock on (page.clock.runFor). */
async function stopClock(page) {
  await page.clock.install();
  await page.clock.pauseAt(await page.evaluate(() => Date.now() + 1000));
}

/* The app waits for its next try: a retry is set and no round runs (the
 * state of send.js). */
const waitsToRetry = (page) => page.waitForFunction(() => retryTimer !== null && !syncing,
                                                    null, {timeout: 10000});

/* "Nu verzenden" is tapped the next time the app calls IDBObjectStore's
 * `method` (delete: it removes the items a batch's answer accepted;
 * count: it redraws "N wachten" at the end of a round), as a tap may
 * land at that very moment. window.tappedAt then names the method. */
function tapAtNext(page, method) {
  return page.evaluate((m) => {
    const proto = IDBObjectStore.prototype, real = proto[m];
    proto[m] = function (...args) {
      proto[m] = real;
      window.tappedAt = m;
      document.getElementById('sync').click();
      return real.apply(this, args);
    };
  }, method);
}

/* The first batch never gets an answer, nor an error (a dead mobile
 * connection); the worker taps "Nu verzenden". The page's clock stands
 * still, so the idea goes only if the tap starts the round again (no
 * retry comes). */
async function hungSend(page) {
  await stopClock(page);
  let first = true, onItsWay;
  const hung = new Promise((r) => { onItsWay = r; });
  await page.route(API, async (route) => {
    if (first) { first = false; onItsWay(); return; } /* never answered */
    await route.continue();
  });
  await page.fill('#text', 'Een bankje bij de bushalte op de Akerstraat, om te wachten.');
  await page.tap('#save');
  await page.waitForFunction(() => document.getElementById('message').textContent.startsWith('Bewaard'));
  const waiting = await page.textContent('#pending');
  await hung;
  await page.tap('#sync');
  /* Failure deadline only */
  await page.waitForFunction(() => document.getElementById('pending').textContent === 'Alles is verzonden',
                             null, {timeout: 30000}).catch(() => {});
  return Object.assign(await screen(page), {waiting: waiting});
}

async function saveOne(page, text) {
  await page.fill('#text', text);
  await saveThanked(page, () => page.tap('#save'));
}

/* After the server was away: it is back, "Nu verzenden". */
async function sentWhenBack(page, server, out) {
  server.down = false;
  await page.tap('#sync');
  await page.waitForFunction(() => document.getElementById('pending').textContent === 'Alles is verzonden',
                             null, {timeout: 30000}).catch(() => {});
  return Object.assign(await screen(page), out);
}

/* "Nu verzenden" tapped when the batch's answer was in, while the app
 * removed the accepted idea from its queue; then the server goes away
 * and the next idea is saved. The app tries once and waits 5 s (it tried
 * twice at once: the tap's "start again" was left over for the next
 * failure). */
async function tapAfterAnswer(page) {
  const server = await countedServer(page);
  await stopClock(page);
  await tapAtNext(page, 'delete');
  await saveOne(page, 'Een bankje bij de bushalte op de Akerstraat, om te wachten.');
  await page.waitForFunction(() => document.getElementById('pending').textContent === 'Alles is verzonden',
                             null, {timeout: 10000});
  const out = {tapped: await page.evaluate(() => window.tappedAt || null)};
  server.down = true;
  const before = server.posts;
  await saveOne(page, 'Meer licht op het pad naar de Mijnstreek, in de winter.');
  await waitsToRetry(page);
  out.tries_before_waiting = server.posts - before;
  await page.clock.runFor(5000);
  await waitsToRetry(page);
  out.tries_after_5_s = server.posts - before;
  return sentWhenBack(page, server, out);
}

/* The server away from the start: the first batch fails, and "Nu
 * verzenden" is tapped while the app redraws "1 wacht op verzenden" at
 * the end of that round, before it decided what comes next. The tap
 * belongs to that round: the app tries once and waits 5 s (it started a
 * second round beside the first, which set a retry while it ran). */
async function tapWhileDeciding(page) {
  const server = await countedServer(page);
  server.down = true;
  await stopClock(page);
  server.beforeRefusal = () => tapAtNext(page, 'count');
  await saveOne(page, 'Een bankje bij de bushalte op de Akerstraat, om te wachten.');
  await waitsToRetry(page);
  const out = {tapped: await page.evaluate(() => window.tappedAt || null),
               tries_before_waiting: server.posts};
  await page.clock.runFor(5000);
  await waitsToRetry(page);
  out.tries_after_5_s = server.posts;
  return sentWhenBack(page, server, out);
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

module.exports = {
  cases: {save_during_sync: saveDuringSync, double_tap: doubleTap, send_offline: sendOffline,
          hung_send: hungSend, tap_after_answer: tapAfterAnswer, tap_while_deciding: tapWhileDeciding,
          keep_storage: keepStorage, thousand: thousand},
  contexts: {double_tap: A_PHONE, send_offline: A_PHONE, hung_send: A_PHONE, tap_after_answer: A_PHONE,
             tap_while_deciding: A_PHONE, keep_storage: A_PHONE},
  before: {keep_storage: countPersist},
};
