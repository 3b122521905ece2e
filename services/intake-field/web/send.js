/*
 * send.js - sending the queue: POST /api/v1/field/batches in batches of
 * at most 500 items, one activity per batch; an item leaves the queue
 * only when the server answered it (accepted: gone; rejected: into the
 * store "rejected", queue.js). Retries with backoff (5 s to 2 min), gives
 * up a batch that hangs when "Nu verzenden" is tapped or the connection
 * comes back. Owns the state of the sending round.
 */
'use strict';

const API = '/api/v1/field/batches';
const BATCH_MAX = 500;          /* items per request */
const RETRY_MIN_MS = 5000, RETRY_MAX_MS = 120000;

/* Sending is idle, runs one round (syncing: from reading the queue until
 * the round decided what comes next, the redraw of the count included),
 * or waits for a retry (retryTimer). A sync() while a round runs only
 * asks for one more (syncAgain), which that round's end answers: never
 * two rounds at once, never a retry set while a round runs. */
let syncing = false;
let syncAgain = false;          /* asked while a round ran: it may have missed new items */
let sending = null;             /* AbortController of the batch on its way, until its answer is read */
let retryMs = RETRY_MIN_MS;
let retryTimer = null;          /* the retry waited for, or null */
let heldInRound = 0;            /* items the server rejected in this sending round */

function retry() {
  retryTimer = null;
  sync();
}

/* After a round: 'sent' (everything answered), 'failed' (offline, the
 * server away or refusing: again after retryMs, 5 s doubling to 2 min) or
 * 'given-up' (syncNow gave up its batch: again at once). */
function roundEnded(outcome) {
  if (outcome === 'failed') {
    retryTimer = setTimeout(retry, retryMs);
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    return;
  }
  if (outcome === 'sent') retryMs = RETRY_MIN_MS;
  if (outcome === 'given-up' || syncAgain) sync();
}

/* Posts one batch; resolves the status and the answer (null when it is
 * not JSON). Until the answer is read in full the batch can be given up
 * (syncNow): then it rejects with an AbortError. */
async function post(d, body) {
  sending = new AbortController();
  try {
    const res = await fetch(API, {
      method: 'POST',
      headers: {'Content-Type': 'application/json', 'Authorization': 'Bearer ' + d.token},
      body: JSON.stringify(body),
      signal: sending.signal,
    });
    const text = await res.text();
    let answer = null;
    try { answer = JSON.parse(text); } catch (e) { /* not JSON: a proxy's page, say */ }
    return {status: res.status, answer: answer};
  } finally {
    sending = null;
  }
}

/* Sends one batch; resolves true when the server answered every item. */
async function sendBatch(d, activity, entries) {
  const body = {device_id: d.name, activity: activity, items: entries.map((e) => e.item)};
  const res = await post(d, body);
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
    const why = res.answer && res.answer.error && res.answer.error.message;
    say('Verzenden lukt niet. ' + (why || 'Vraag de gemeente om hulp.'), true);
    return false;
  }
  if (res.status !== 200 || !res.answer) return false;
  const answer = res.answer;
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

/* One round: the whole queue, one activity per batch; resolves its
 * outcome (roundEnded). */
async function sendQueue(d) {
  try {
    const all = await queueAll();
    const groups = new Map();
    all.forEach((e) => {
      if (!groups.has(e.activity)) groups.set(e.activity, []);
      groups.get(e.activity).push(e);
    });
    for (const [activity, entries] of groups) {
      for (let i = 0; i < entries.length; i += BATCH_MAX) {
        if (!await sendBatch(d, activity, entries.slice(i, i + BATCH_MAX))) return 'failed';
      }
    }
    return 'sent';
  } catch (e) {
    /* syncNow gave up the batch on its way; else offline or the server is away */
    return e.name === 'AbortError' ? 'given-up' : 'failed';
  }
}

async function sync() {
  const d = device();
  if (syncing) { syncAgain = true; return; }
  if (!navigator.onLine || !d.name || !d.token || !db) return;
  syncing = true;
  clearTimeout(retryTimer); /* this round is the try it waited for */
  retryTimer = null;
  syncAgain = false;
  heldInRound = 0;
  let outcome = 'failed';
  try {
    outcome = await sendQueue(d);
    await showStatus();
  } finally {
    syncing = false;
    roundEnded(outcome);
  }
}

/* "Nu verzenden" and the connection coming back. A batch still on its way
 * may hang on a dead mobile connection (no answer, no error) and hold up
 * every round after it: it is given up and the round starts again. Safe:
 * the server stores nothing twice. Only a batch whose answer is not yet in
 * can be given up; a round past that runs once more when it ends (as any
 * sync() during a round), and a round that then fails waits its retry. */
function syncNow() {
  retryMs = RETRY_MIN_MS;
  if (sending) sending.abort();
  sync();
}
