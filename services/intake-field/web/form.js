/*
 * form.js - the idea form: reads an item from it (each with its own
 * local_id), checks what the server would refuse before saving (text,
 * day, e-mail address, activity), marks a wrong field for a screen
 * reader (aria-invalid, aria-describedby), saves into the queue (or
 * back into it, corrected, from "rejected") and empties the form for the
 * next idea. Owns saving, tappedWhileSaving, coords and formRound.
 */
'use strict';

const ACTIVITY_MAX = 200;       /* characters, as the server counts them */

let saving = false;             /* saveIdea() runs */
let tappedWhileSaving = false;  /* "Bewaar idee" tapped meanwhile: save again after */
let coords = null;
let formRound = 0;              /* counts emptied forms: a late GPS answer is for an old one */

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

/* One save at a time, or a double tap would save the same words under
 * a new local_id. A tap while a save runs is remembered and done when it
 * ends, if the form then holds text: the next idea, typed the moment the
 * form was emptied, is saved; a double tap finds the form empty. */
async function saveIdea(ev) {
  ev.preventDefault();
  if (saving) { tappedWhileSaving = true; return; }
  saving = true;
  try {
    do {
      tappedWhileSaving = false;
      await saveForm();
    } while (tappedWhileSaving && $('text').value.trim() !== '');
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
