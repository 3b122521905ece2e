/*
 * rejected.js - the list "Niet opgeslagen": the ideas the server
 * refused, with its Dutch reason; "Aanpassen" puts one back into the
 * form, focused on the field the refusal is about, "Verwijderen" removes
 * it (confirmed). Owns editing.
 */
'use strict';

let editing = null;             /* {entry, activity, wijk, day}: a rejected item back in the form */

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
