/*
 * Field app (intake-field): collects ideas on a tablet, keeps them in an
 * IndexedDB queue, and sends them to POST /api/v1/field/batches when the
 * tablet is online. Every item gets a local_id (crypto.randomUUID) when it
 * is saved and keeps it for ever, so sending a batch again after a lost
 * answer stores nothing twice (the server derives the idea id from device
 * and local_id). An item leaves the queue only when the server answered it
 * (accepted, or rejected with a reason that is shown). Plain JavaScript, no
 * framework, no build step.
 */
'use strict';

const API = '/api/v1/field/batches';
const BATCH_MAX = 500;          /* items per request */
const RETRY_MIN_MS = 5000, RETRY_MAX_MS = 120000;
const ACTIVITY_MAX = 200;       /* characters, as the server counts them */

let db = null;
let syncing = false;
let syncAgain = false;          /* asked while a round ran: it may have missed new items */
let retryMs = RETRY_MIN_MS;
let retryTimer = null;
let coords = null;

const $ = (id) => document.getElementById(id);

/* ---------------- IndexedDB queue ---------------- */

function openDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open('inspraak-field', 1);
    req.onupgradeneeded = () => req.result.createObjectStore('queue', {keyPath: 'local_id'});
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function tx(mode, fn) {
  return new Promise((resolve, reject) => {
    const t = db.transaction('queue', mode);
    const store = t.objectStore('queue');
    let result;
    Promise.resolve(fn(store)).then((r) => { result = r; });
    t.oncomplete = () => resolve(result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
}

function request(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

const queueAll = () => tx('readonly', (s) => request(s.getAll()));
const queueCount = () => tx('readonly', (s) => request(s.count()));
const queuePut = (item) => tx('readwrite', (s) => { s.put(item); });
const queueDelete = (ids) => tx('readwrite', (s) => { ids.forEach((id) => s.delete(id)); });

/* ---------------- status ---------------- */

async function showStatus() {
  const n = await queueCount();
  $('pending').textContent = n === 0 ? 'Alles is verzonden' :
    (n === 1 ? '1 wacht op verzenden' : n + ' wachten op verzenden');
  $('net').textContent = navigator.onLine ? 'online' : 'offline';
}

function say(text, isError) {
  const m = $('message');
  m.textContent = text;
  m.className = isError ? 'error' : '';
}

/* ---------------- setup ---------------- */

function device() {
  return {name: localStorage.getItem('field.device'), token: localStorage.getItem('field.token')};
}

function showPage() {
  const d = device();
  $('setup').hidden = !!(d.name && d.token);
  $('collect').hidden = !(d.name && d.token);
  const act = localStorage.getItem('field.activity');
  if (act) $('activity').value = act;
}

/* ---------------- collecting ---------------- */

function readItem() {
  const form = $('idea-form');
  const val = (name) => (form.elements[name].value || '').trim();
  const q = form.querySelector('input[name=question]:checked');
  const item = {
    local_id: crypto.randomUUID(),
    text: val('text'),
    target_group: val('target_group') || null,
    question: q ? q.value : null,
    collected_at: new Date().toISOString(),
  };
  if (val('wijk')) item.wijk = val('wijk');
  if (coords) { item.lat = coords.lat; item.lon = coords.lon; }
  const name = val('name'), email = val('email'), consent = $('consent').checked;
  if (name || email || consent) {
    item.participant = {name: name || null, email: email || null, consent: {feedback: consent}};
  }
  return item;
}

/* The server's own rules (common/validate.c email_valid). The browser's
 * type=email check is looser ("jan@heerlen", "jan.@x.nl"), and an item the
 * server refuses leaves the queue: the resident's idea would be lost. */
function emailValid(s) {
  const at = s.indexOf('@');
  if (s.length > 254 || at < 1 || at > 64 || s.indexOf('@', at + 1) >= 0) return false;
  const local = s.slice(0, at), labels = s.slice(at + 1).split('.');
  if (!/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]+$/.test(local) || local.startsWith('.') ||
      local.endsWith('.') || local.includes('..')) return false;
  return labels.length > 1 && s.length - at - 1 <= 253 &&
    labels.every((l) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l)) &&
    /[A-Za-z]/.test(labels[labels.length - 1]);
}

async function saveIdea(ev) {
  ev.preventDefault();
  const item = readItem();
  if (item.text.length < 3) { say('Schrijf minstens 3 tekens.', true); return; }
  if (item.participant && item.participant.consent.feedback && !item.participant.email) {
    say('Voor toestemming om te mailen is een e-mailadres nodig.', true); return;
  }
  if (item.participant && item.participant.email && !emailValid(item.participant.email)) {
    $('email').closest('details').open = true;
    say('Dit e-mailadres klopt niet. Verbeter het of laat het leeg.', true); return;
  }
  const activity = $('activity').value.trim() || 'omgevingsvisietour';
  /* The server refuses the whole batch over this length (422). */
  if ([...activity].length > ACTIVITY_MAX) {
    say('De naam van de activiteit is te lang: hoogstens 200 tekens.', true); return;
  }
  localStorage.setItem('field.activity', activity);
  await queuePut({local_id: item.local_id, activity: activity, item: item});
  const form = $('idea-form');
  ['text', 'wijk', 'name', 'email'].forEach((n) => { form.elements[n].value = ''; });
  $('consent').checked = false;
  form.querySelectorAll('input[name=question]').forEach((r) => { r.checked = false; });
  coords = null;
  $('where').textContent = '';
  say('Bewaard. Dank u wel!', false);
  await showStatus();
  sync();
}

function locate() {
  if (!navigator.geolocation) { $('where').textContent = 'Deze tablet kan de locatie niet bepalen.'; return; }
  $('where').textContent = 'Locatie zoeken…';
  navigator.geolocation.getCurrentPosition((pos) => {
    coords = {lat: pos.coords.latitude, lon: pos.coords.longitude};
    $('where').textContent = 'Locatie: ' + coords.lat.toFixed(5) + ', ' + coords.lon.toFixed(5);
  }, () => {
    $('where').textContent = 'De locatie is niet gevonden. Vul de wijk in.';
  }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
}

/* ---------------- sending ---------------- */

function scheduleRetry() {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(sync, retryMs);
  retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
}

function showRejected(list) {
  list.forEach((r) => {
    const li = document.createElement('li');
    li.textContent = 'Niet opgeslagen: ' + r.message;
    $('rejected').appendChild(li);
  });
}

/* Sends one batch; resolves true when the server answered every item. */
async function sendBatch(d, activity, entries) {
  const body = {device_id: d.name, activity: activity, items: entries.map((e) => e.item)};
  const res = await fetch(API, {
    method: 'POST',
    headers: {'Content-Type': 'application/json', 'Authorization': 'Bearer ' + d.token},
    body: JSON.stringify(body),
  });
  if (res.status === 401 || res.status === 403) {
    say('De apparaatcode werkt niet (meer). Meld de tablet opnieuw aan.', true);
    return false;
  }
  if (res.status >= 400 && res.status < 500 && res.status !== 429) {
    /* The server refuses the whole batch: say why, or it waits unseen. */
    const answer = await res.json().catch(() => null);
    const why = answer && answer.error && answer.error.message;
    say('Verzenden lukt niet. ' + (why || 'Vraag de gemeente om hulp.'), true);
    return false;
  }
  if (res.status !== 200) return false;
  const answer = await res.json();
  const done = answer.accepted.map((a) => a.local_id)
    .concat(answer.rejected.map((r) => r.local_id).filter((id) => id));
  await queueDelete(done);
  showRejected(answer.rejected);
  return true;
}

async function sync() {
  const d = device();
  if (syncing) { syncAgain = true; return; }
  if (!navigator.onLine || !d.name || !d.token || !db) return;
  syncing = true;
  syncAgain = false;
  let ok = true;
  try {
    const all = await queueAll();
    const groups = new Map();
    all.forEach((e) => {
      if (!groups.has(e.activity)) groups.set(e.activity, []);
      groups.get(e.activity).push(e);
    });
    for (const [activity, entries] of groups) {
      for (let i = 0; i < entries.length && ok; i += BATCH_MAX) {
        ok = await sendBatch(d, activity, entries.slice(i, i + BATCH_MAX));
      }
    }
  } catch (e) {
    ok = false; /* offline or the server is away: try again later */
  } finally {
    syncing = false;
  }
  await showStatus();
  if (ok) {
    retryMs = RETRY_MIN_MS;
    if (syncAgain) sync();
  } else {
    scheduleRetry();
  }
}

/* ---------------- start ---------------- */

async function start() {
  $('setup-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    localStorage.setItem('field.device', $('device').value.trim());
    localStorage.setItem('field.token', $('token').value.trim());
    showPage();
    sync();
  });
  $('logout').addEventListener('click', () => {
    localStorage.removeItem('field.token');
    showPage();
  });
  $('idea-form').addEventListener('submit', saveIdea);
  $('locate').addEventListener('click', locate);
  $('sync').addEventListener('click', () => { retryMs = RETRY_MIN_MS; sync(); });
  window.addEventListener('online', () => { retryMs = RETRY_MIN_MS; showStatus(); sync(); });
  window.addEventListener('offline', showStatus);
  showPage();
  db = await openDb();
  await showStatus();
  sync();
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/field/sw.js', {scope: '/field'}).catch(() => {});
  }
}

start();
