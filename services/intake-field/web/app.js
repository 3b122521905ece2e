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
 */
'use strict';

const API = '/api/v1/field/batches';
const BATCH_MAX = 500;          /* items per request */
const RETRY_MIN_MS = 5000, RETRY_MAX_MS = 120000;
const ACTIVITY_MAX = 200;       /* characters, as the server counts them */

let db = null;
let syncing = false;
let saving = false;             /* saveIdea() runs */
let syncAgain = false;          /* asked while a round ran: it may have missed new items */
let sending = null;             /* AbortController of the batch on its way */
let restart = false;            /* that batch was given up to start the round again */
let retryMs = RETRY_MIN_MS;
let retryTimer = null;
let coords = null;
let formRound = 0;              /* counts emptied forms: a late GPS answer is for an old one */
let editing = null;             /* {entry, activity, wijk, day}: a rejected item back in the form */
let dayChosen = false;          /* the worker chose the day: it is not moved on to today */
let wijkKept = false;           /* the wijk field holds the wijk of the idea before */
let heldInRound = 0;            /* items the server rejected in this sending round */

const $ = (id) => document.getElementById(id);

/* A count the Dutch way, as the dashboard writes it: 1.050. */
const count = (n) => n.toLocaleString('nl-NL');

/* ---------------- IndexedDB: queue and rejected ---------------- */

/* Version 1 had only "queue"; version 2 adds "rejected" and keeps the
 * queue as it is (an upgrade creates only what is missing). */
function openDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open('inspraak-field', 2);
    req.onupgradeneeded = () => {
      const names = req.result.objectStoreNames;
      if (!names.contains('queue')) req.result.createObjectStore('queue', {keyPath: 'local_id'});
      if (!names.contains('rejected')) req.result.createObjectStore('rejected', {keyPath: 'local_id'});
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/* One transaction over the named stores; fn gets them in that order. */
function tx(names, mode, fn) {
  return new Promise((resolve, reject) => {
    const t = db.transaction(names, mode);
    let result;
    Promise.resolve(fn(...names.map((n) => t.objectStore(n)))).then((r) => { result = r; });
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

const queueAll = () => tx(['queue'], 'readonly', (s) => request(s.getAll()));
const queueCount = () => tx(['queue'], 'readonly', (s) => request(s.count()));
const queuePut = (entry) => tx(['queue'], 'readwrite', (s) => { s.put(entry); });
const queueDelete = (ids) => tx(['queue'], 'readwrite', (s) => { ids.forEach((id) => s.delete(id)); });
const rejectedAll = () => tx(['rejected'], 'readonly', (s) => request(s.getAll()));
const rejectedDelete = (id) => tx(['rejected'], 'readwrite', (s) => { s.delete(id); });

/* Rejected items leave the queue and enter "rejected" in one step, so a
 * crash in between loses nothing. */
const queueReject = (entries) => tx(['queue', 'rejected'], 'readwrite', (q, r) => {
  entries.forEach((e) => { q.delete(e.local_id); r.put(e); });
});

/* A corrected item goes back into the queue and out of "rejected" at once. */
const rejectedRequeue = (entry) => tx(['queue', 'rejected'], 'readwrite', (q, r) => {
  q.put(entry);
  r.delete(entry.local_id);
});

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

/* ---------------- collecting ---------------- */

/* The wijk names the server takes, as choices for the wijk field (the
 * service worker keeps a copy for offline use). Without them the field
 * still takes free text. */
async function loadWijken() {
  try {
    const res = await fetch('/field/wijken.json');
    if (!res.ok) return;
    const names = await res.json();
    $('wijken').replaceChildren(...names.map((n) => {
      const o = document.createElement('option');
      o.value = n;
      return o;
    }));
  } catch (e) {
    /* offline before the first visit: free text only */
  }
}

/* ---------------- the day of the session ---------------- */

/* A day as the date field writes it ("2026-11-28"), in the device's own
 * time zone (Heerlen's, on the municipality's devices). */
function localDay(d) {
  return [d.getFullYear(), String(d.getMonth() + 1).padStart(2, '0'),
          String(d.getDate()).padStart(2, '0')].join('-');
}

/* The time an idea was said, for collected_at. Today (or no day): now.
 * An earlier day (post-its of yesterday's session typed tonight): noon
 * of that day, well inside the day /resultaten counts the session's
 * ideas on (received_at, days in Heerlen's time). */
function collectedAt(day) {
  const now = new Date();
  if (!day || day === localDay(now)) return now.toISOString();
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d, 12).toISOString();
}

/* Why the chosen day cannot be used (Dutch), or null. The server takes
 * any RFC 3339 time from 1970 on; a day still to come is a typo. */
function dayProblem(day) {
  if (!day) return null;
  if (day > localDay(new Date())) {
    return 'Deze datum is nog niet geweest. Kies vandaag of een dag die al voorbij is.';
  }
  if (day < '1970-01-01') return 'Deze datum is te lang geleden. Kies een datum vanaf 1 januari 1970.';
  return null;
}

/* Today, unless the worker chose a day: a tablet left on overnight must
 * not date the next morning's ideas on the day before. */
function showToday() {
  if (!dayChosen && !editing) $('day').value = localDay(new Date());
}

/* ---------------- what a reload keeps ---------------- */

/* The session's wijk and day, as the form holds them for the next idea,
 * kept in localStorage: a tablet low on memory reloads the page in the
 * middle of a street tour, and the next ideas went under no wijk and
 * today. The day chosen is kept with the date it was chosen on and only
 * for that date: the next morning is a new session, and the app starts
 * at today. A rejected item in the form (editing) is not the session's. */
function keepSession() {
  if (editing) return;
  localStorage.setItem('field.wijk', $('wijk').value.trim());
  if (dayChosen) {
    localStorage.setItem('field.day', JSON.stringify({day: $('day').value, on: localDay(new Date())}));
  } else {
    localStorage.removeItem('field.day');
  }
}

function restoreSession() {
  const wijk = localStorage.getItem('field.wijk');
  if (wijk) {
    $('wijk').value = wijk;
    wijkKept = true; /* a position found still decides (locate()) */
  }
  let kept = null;
  try {
    kept = JSON.parse(localStorage.getItem('field.day'));
  } catch (e) {
    /* unreadable: the day is today */
  }
  if (kept && kept.on === localDay(new Date()) && kept.day && !dayProblem(kept.day)) {
    $('day').value = kept.day;
    dayChosen = kept.day !== kept.on;
  }
}

function readItem() {
  const form = $('idea-form');
  const val = (name) => (form.elements[name].value || '').trim();
  const q = form.querySelector('input[name=question]:checked');
  const item = {
    local_id: crypto.randomUUID(),
    text: val('text'),
    target_group: val('target_group') || null,
    question: q ? q.value : null,
    collected_at: collectedAt(val('day')),
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

/* The ids a field's aria-describedby lists, set to ids. */
function setDescribedBy(field, ids) {
  if (ids.length) field.setAttribute('aria-describedby', ids.join(' '));
  else field.removeAttribute('aria-describedby');
}

function describedBy(field) {
  return (field.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
}

/* A field the server or the code check found wrong: a screen reader says
 * so on the field itself, and reads the reason (the element noteId) after
 * the field's own hint, which stays. */
function markInvalid(field, noteId) {
  unmarkInvalid(field);
  field.setAttribute('aria-invalid', 'true');
  field.dataset.errorNote = noteId;
  setDescribedBy(field, describedBy(field).concat(noteId));
}

function unmarkInvalid(field) {
  const noteId = field.dataset.errorNote;
  field.removeAttribute('aria-invalid');
  delete field.dataset.errorNote;
  if (noteId) setDescribedBy(field, describedBy(field).filter((id) => id !== noteId));
}

/* Empties the form for the next idea. The wijk stays: the post-its of a
 * wijkgesprek are typed in a row, 40 of them from one wijk. */
function clearForm() {
  const form = $('idea-form');
  ['text', 'name', 'email'].forEach((n) => { form.elements[n].value = ''; });
  wijkKept = form.elements.wijk.value.trim() !== '';
  $('consent').checked = false;
  form.querySelectorAll('input[name=question]').forEach((r) => { r.checked = false; });
  form.querySelectorAll('[aria-invalid]').forEach(unmarkInvalid);
  coords = null;
  formRound++;
  $('where').textContent = '';
}

/* "Bewaar idee" tapped again before the form is emptied (a slow phone, a
 * double tap) would save the same words under a new local_id: one save
 * at a time. */
async function saveIdea(ev) {
  ev.preventDefault();
  if (saving) return;
  saving = true;
  try {
    await saveForm();
  } finally {
    saving = false;
  }
}

async function saveForm() {
  const item = readItem();
  if (editing) {
    /* The server stored nothing under this local_id (it rejected it), so
     * the corrected item may use it: even sent twice it is one idea. The
     * time stays the moment the resident spoke, unless the day was
     * corrected. */
    item.local_id = editing.entry.local_id;
    const was = editing.entry.item.collected_at;
    if (was && $('day').value === localDay(new Date(was))) item.collected_at = was;
  }
  /* Characters as the server counts them: "👍👍" is 4 UTF-16 units but 2. */
  if ([...item.text].length < 3) { say('Schrijf minstens 3 tekens.', true); return; }
  /* Marked as the server's refusals are: a screen reader says on the day
   * field that it is wrong, and why; the mark goes once the day is fine. */
  const wrongDay = dayProblem($('day').value);
  if (wrongDay) { say(wrongDay, true); markInvalid($('day'), 'message'); $('day').focus(); return; }
  if ($('day').dataset.errorNote === 'message') unmarkInvalid($('day'));
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
  const entry = {local_id: item.local_id, activity: activity, item: item};
  const corrected = editing;
  if (corrected) {
    await rejectedRequeue(entry);
    stopEditing();
  } else {
    localStorage.setItem('field.activity', activity);
    await queuePut(entry);
    clearForm();
    keepSession();
    keepStorage();
  }
  /* The count first, then the thanks: the screen never says "Bewaard"
   * beside a count that does not hold the idea yet. */
  await showStatus();
  say(corrected ? 'Aangepast en bewaard. Dank u wel!' : 'Bewaard. Dank u wel!', false);
  sync();
}

/* Unsent ideas live in the browser's storage, which a phone low on space
 * may clear unless the app asked to keep it. Asked once per start of the
 * app, when the first idea is saved (the moment there is something to
 * keep; Firefox asks the worker then, Chromium decides by itself), and
 * not at all once granted. A refusal changes nothing on the screen: the
 * ideas are kept as before, only not guaranteed. */
let storageAsked = false;
function keepStorage() {
  if (storageAsked || !navigator.storage || !navigator.storage.persist) return;
  storageAsked = true;
  navigator.storage.persisted()
    .then((kept) => (kept ? true : navigator.storage.persist()))
    .catch(() => {});
}

function locate() {
  if (!navigator.geolocation) { $('where').textContent = 'Dit apparaat kan de locatie niet bepalen.'; return; }
  $('where').textContent = 'Locatie zoeken…';
  /* The idea was saved (or the form emptied) before the position came:
   * it is not the next idea's position, so it is dropped. */
  const round = formRound;
  navigator.geolocation.getCurrentPosition((pos) => {
    if (round !== formRound) return;
    coords = {lat: pos.coords.latitude, lon: pos.coords.longitude};
    let said = 'Locatie: ' + coords.lat.toFixed(5) + ', ' + coords.lon.toFixed(5);
    /* A wijk the server is given wins over the position. The one left from
     * the idea before was not chosen for this idea: on a street tour the
     * worker may have walked into another wijk, so the position decides. */
    if (wijkKept) {
      $('wijk').value = '';
      wijkKept = false;
      keepSession();
      said += '. De wijk volgt uit de locatie.';
    }
    $('where').textContent = said;
  }, (err) => {
    if (round !== formRound) return;
    /* Refused: trying again never helps, the browser's settings do. */
    $('where').textContent = err.code === err.PERMISSION_DENIED ?
      'Deze app mag de locatie niet gebruiken. Vul de wijk in. ' +
      'Of geef toestemming voor de locatie in de instellingen van de browser.' :
      'De locatie is niet gevonden. Vul de wijk in.';
  }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
}

/* ---------------- rejected items ---------------- */

/* The form field each rejection code is about (services/intake-field/
 * batch.c): focused and marked invalid after "Aanpassen", so a screen
 * reader lands on what is wrong. invalid_participant is the consent: the
 * app always sends the participant as an object, so only its consent can
 * be unreadable. invalid_location: the point is dropped, and the reason
 * asks for the wijk. consent_without_email asks for an address. Codes
 * about the item as a whole (invalid_item, invalid_local_id) go to the
 * text; duplicate_local_id never reaches the list. */
const FIELD_OF_CODE = {
  missing_text: 'text', text_too_short: 'text', text_too_long: 'text',
  invalid_question: 'question', invalid_target_group: 'target_group', unknown_wijk: 'wijk',
  invalid_location: 'wijk', invalid_collected_at: 'day', invalid_participant: 'consent',
  invalid_name: 'name', invalid_email: 'email', consent_without_email: 'email',
};

let shownRejected = null;       /* what the list shows, to redraw only on a change */

const snippet = (text) => {
  const chars = [...(text || '')];
  return chars.length > 80 ? chars.slice(0, 80).join('').trimEnd() + '…' : chars.join('');
};

function actionButton(label, describedBy, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'secondary';
  b.textContent = label;
  b.setAttribute('aria-describedby', describedBy);
  b.addEventListener('click', onClick);
  return b;
}

function rejectedRow(entry, i) {
  const li = document.createElement('li');
  const about = document.createElement('p');
  about.id = 'rejected-about-' + i;
  const why = document.createElement('strong');
  why.textContent = entry.message;
  const what = document.createElement('span');
  what.textContent = '„' + snippet(entry.item.text) + '”';
  about.append(why, document.createElement('br'), what);
  const actions = document.createElement('div');
  actions.className = 'actions';
  actions.append(actionButton('Aanpassen', about.id, () => editRejected(entry)),
                 actionButton('Verwijderen', about.id, () => deleteRejected(entry)));
  li.append(about, actions);
  return li;
}

async function showRejected() {
  const list = await rejectedAll();
  list.sort((a, b) => (a.rejected_at || '').localeCompare(b.rejected_at || ''));
  $('held').textContent = list.length === 0 ? '' : ' · ' + count(list.length) + ' niet opgeslagen';
  const key = JSON.stringify(list.map((e) => [e.local_id, e.message]));
  if (key === shownRejected) return; /* a redraw would take the keyboard focus away */
  shownRejected = key;
  $('rejected-box').hidden = list.length === 0;
  $('rejected').replaceChildren(...list.map(rejectedRow));
}

/* "Aanpassen": the rejected item back into the form. It stays in the list
 * (and on the tablet) until the corrected version is saved. */
function editRejected(entry) {
  if (!editing) editing = {activity: $('activity').value, wijk: $('wijk').value, day: $('day').value};
  editing.entry = entry;
  const it = entry.item, form = $('idea-form'), p = it.participant || {};
  clearForm();
  $('activity').value = entry.activity;
  const at = it.collected_at ? new Date(it.collected_at) : null;
  $('day').value = at && !isNaN(at) ? localDay(at) : '';
  form.elements.text.value = it.text || '';
  form.elements.wijk.value = it.wijk || '';
  wijkKept = false;
  form.querySelectorAll('input[name=question]').forEach((r) => { r.checked = r.value === it.question; });
  if (it.target_group) $('target_group').value = it.target_group;
  $('name').value = p.name || '';
  $('email').value = p.email || '';
  $('consent').checked = !!(p.consent && p.consent.feedback);
  $('email').closest('details').open = !!(p.name || p.email || $('consent').checked);
  if (typeof it.lat === 'number' && entry.code !== 'invalid_location') {
    coords = {lat: it.lat, lon: it.lon};
    $('where').textContent = 'Locatie: ' + coords.lat.toFixed(5) + ', ' + coords.lon.toFixed(5);
  } else if (typeof it.lat === 'number') {
    $('where').textContent = 'De locatie is weggelaten. Vul de wijk in of zoek de locatie opnieuw.';
  }
  $('editing-note').textContent = 'U past een idee aan dat niet is opgeslagen. Reden: ' +
    entry.message + ' Verbeter het en kies „Bewaar idee”.';
  $('editing').hidden = false;
  say('', false);
  const name = FIELD_OF_CODE[entry.code] || 'text';
  const field = name === 'question' ? form.querySelector('input[name=question]') : $(name);
  const box = field.closest('details');
  if (box) box.open = true; /* a field in a closed box cannot take the focus */
  markInvalid(field, 'editing-note');
  field.focus();
}

function stopEditing() {
  if (!editing) return;
  $('activity').value = editing.activity;
  $('wijk').value = editing.wijk;
  $('day').value = editing.day;
  editing = null;
  $('editing').hidden = true;
  clearForm();
}

async function deleteRejected(entry) {
  if (!confirm('Wilt u dit idee voor altijd verwijderen? Het staat dan niet meer op dit ' +
               'apparaat en de gemeente krijgt het niet.\n\n„' + snippet(entry.item.text) + '”')) return;
  await rejectedDelete(entry.local_id);
  if (editing && editing.entry.local_id === entry.local_id) stopEditing();
  say('Het idee is verwijderd.', false);
  await showStatus();
  $(document.querySelector('#rejected button') ? 'rejected-title' : 'text').focus();
}

/* ---------------- sending ---------------- */

function scheduleRetry() {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(sync, retryMs);
  retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
}

/* Sends one batch; resolves true when the server answered every item. */
async function sendBatch(d, activity, entries) {
  const body = {device_id: d.name, activity: activity, items: entries.map((e) => e.item)};
  sending = new AbortController();
  const res = await fetch(API, {
    method: 'POST',
    headers: {'Content-Type': 'application/json', 'Authorization': 'Bearer ' + d.token},
    body: JSON.stringify(body),
    signal: sending.signal,
  });
  if (res.status === 401 || res.status === 403) {
    /* Revoked (or wrong): the worker must know the ideas are safe and can
     * go on collecting; signing in again at once would hide the form. */
    say('De apparaatcode werkt niet meer. De ideeën blijven op dit apparaat bewaard en u kunt ' +
        'gewoon doorgaan. Vraag de gemeente om een nieuwe code. Kies daarna ' +
        '„Opnieuw aanmelden” en vul de nieuwe code in.', true);
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
  const byId = new Map(entries.map((e) => [e.local_id, e]));
  const done = answer.accepted.map((a) => a.local_id);
  const held = [];
  const at = new Date().toISOString();
  answer.rejected.forEach((r) => {
    const e = r.local_id && byId.get(r.local_id);
    if (!e) return;
    /* The same local_id was accepted earlier in this batch: nothing is lost. */
    if (r.code === 'duplicate_local_id') { done.push(r.local_id); return; }
    held.push(Object.assign({}, e, {code: r.code, message: r.message, rejected_at: at}));
  });
  await queueDelete(done);
  if (held.length) {
    await queueReject(held);
    /* The round's total: 1,050 refused in three batches are not "50". */
    heldInRound += held.length;
    say((heldInRound === 1 ? '1 idee is niet opgeslagen. Het staat' :
         count(heldInRound) + ' ideeën zijn niet opgeslagen. Ze staan') +
        ' nog op dit apparaat, onder „Niet opgeslagen”.', true);
  }
  return true;
}

async function sync() {
  const d = device();
  if (syncing) { syncAgain = true; return; }
  if (!navigator.onLine || !d.name || !d.token || !db) return;
  syncing = true;
  syncAgain = false;
  heldInRound = 0;
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
    sending = null;
  }
  await showStatus();
  if (ok) {
    retryMs = RETRY_MIN_MS;
    if (syncAgain) sync();
  } else if (restart) {
    restart = false;
    sync();
  } else {
    scheduleRetry();
  }
}

/* "Nu verzenden" and the connection coming back. A batch still on its way
 * may hang on a dead mobile connection (no answer, no error) and hold up
 * every round after it: it is given up and the round starts again. Safe:
 * the server stores nothing twice. */
function syncNow() {
  retryMs = RETRY_MIN_MS;
  if (sending) {
    restart = true;
    sending.abort();
    return;
  }
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
