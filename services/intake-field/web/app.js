/*
 * Field app (intake-field): collects ideas on a phone or tablet, keeps
 * them in an IndexedDB queue, and sends them to POST
 * /api/v1/field/batches when the device is online. Every item gets a
 * local_id (crypto.randomUUID) when it is saved and keeps it for ever, so
 * sending a batch again after a lost answer stores nothing twice (the
 * server derives the idea id from device and local_id). An item leaves
 * the queue only when the server answered it. Accepted: it is gone.
 * Rejected: it moves to the store "rejected" with the server's Dutch
 * reason and stays on the device until the interviewer corrects it
 * ("Aanpassen": back into the form, saved again under the same local_id,
 * which the server never stored, so nothing can arrive twice) or
 * removes it ("Verwijderen", confirmed). Plain JavaScript, no framework,
 * no build step.
 *
 * The app is classic scripts that share one global scope, loaded in
 * this order by index.html (and kept offline by sw.js): queue.js (the
 * IndexedDB stores), send.js (sending the queue), form.js (the idea
 * form), session.js (the session's wijk and day, the position),
 * rejected.js (the list "Niet opgeslagen"), and this file last: what
 * they share, the sign-up and the start.
 */
'use strict';

const $ = (id) => document.getElementById(id);

/* A count the Dutch way, as the dashboard writes it: 1.050. */
const count = (n) => n.toLocaleString('nl-NL');

/* ---------------- status ---------------- */

async function showStatus() {
  const n = await queueCount();
  $('pending').textContent = n === 0 ? 'Alles is verzonden' :
    (n === 1 ? '1 wacht op verzenden' : count(n) + ' wachten op verzenden');
  $('net').textContent = navigator.onLine ? 'online' : 'offline';
  await showRejected();
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
  /* Signing in again (a new code): the same name, or ideas already stored
   * would be sent again as another device's. */
  if (d.name && !$('device').value) $('device').value = d.name;
  const act = localStorage.getItem('field.activity');
  if (act) $('activity').value = act;
}

/* Asks the server whether name and code belong together (an empty batch
 * stores nothing). A mistyped code was taken without a word, and the
 * ideas of a whole day waited for a code that never worked. Offline it
 * cannot ask: then the first send tells. Resolves a Dutch reason, or null. */
async function codeProblem(name, token) {
  let res;
  try {
    res = await fetch(API, {
      method: 'POST',
      headers: {'Content-Type': 'application/json', 'Authorization': 'Bearer ' + token},
      body: JSON.stringify({device_id: name, items: []}),
    });
  } catch (e) {
    return null;
  }
  if (res.status === 401) {
    return 'Deze apparaatcode werkt niet. Kijk of u de code goed hebt overgenomen. ' +
      'Of vraag een nieuwe code aan de gemeente.';
  }
  if (res.status === 403) {
    return 'Deze apparaatcode hoort bij een ander apparaat. Vul de naam van het apparaat in die ' +
      'u bij de code kreeg.';
  }
  return null;
}

async function register(ev) {
  ev.preventDefault();
  const name = $('device').value.trim(), token = $('token').value.trim();
  const m = $('setup-message');
  m.className = '';
  m.textContent = 'Even controleren…';
  const problem = await codeProblem(name, token);
  if (problem) {
    m.className = 'error';
    m.textContent = problem;
    markInvalid($('token'), 'setup-message');
    $('token').focus();
    return;
  }
  unmarkInvalid($('token'));
  m.textContent = '';
  localStorage.setItem('field.device', name);
  localStorage.setItem('field.token', token);
  say('', false); /* "the code does not work" was about the old code */
  showPage();
  retryMs = RETRY_MIN_MS;
  sync();
}

/* ---------------- start ---------------- */

/* What "Nu verzenden" says without a connection. */
const NO_NETWORK = 'Er is nu geen internet. De ideeën blijven op dit apparaat bewaard. ' +
  'Ze worden vanzelf verzonden als er weer internet is.';

async function start() {
  $('setup-form').addEventListener('submit', register);
  $('logout').addEventListener('click', () => {
    localStorage.removeItem('field.token');
    showPage();
  });
  $('idea-form').addEventListener('submit', saveIdea);
  $('edit-cancel').addEventListener('click', () => {
    stopEditing();
    say('Niet aangepast. Het idee staat nog onder „Niet opgeslagen”.', false);
  });
  $('locate').addEventListener('click', locate);
  $('wijk').addEventListener('input', () => { wijkKept = false; });
  $('wijk').addEventListener('change', keepSession);
  $('day').addEventListener('input', () => {
    if (!editing) dayChosen = $('day').value !== localDay(new Date());
  });
  $('day').addEventListener('change', keepSession);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') showToday();
  });
  $('sync').addEventListener('click', () => {
    if (!navigator.onLine) say(NO_NETWORK, false);
    syncNow();
  });
  window.addEventListener('online', () => {
    if ($('message').textContent === NO_NETWORK) say('', false); /* no longer true */
    showStatus();
    syncNow();
  });
  window.addEventListener('offline', showStatus);
  showPage();
  restoreSession();
  showToday();
  loadWijken();
  db = await openDb();
  await showStatus();
  sync();
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/field/sw.js', {scope: '/field'}).catch(() => {});
  }
}

start();
