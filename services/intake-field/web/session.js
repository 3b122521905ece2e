/*
 * session.js - where and when the ideas of a session were said: the
 * wijk field's choices (wijken.json), the day of the session (today
 * unless the worker chose another, never a day to come), the wijk and
 * day a reload keeps (localStorage), and "Gebruik mijn locatie". Owns
 * dayChosen and wijkKept.
 */
'use strict';

let dayChosen = false;          /* the worker chose the day: it is not moved on to today */
let wijkKept = false;           /* the wijk field holds the wijk of the idea before */

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
