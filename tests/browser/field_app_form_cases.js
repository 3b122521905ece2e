/*
 * NAME
 *   field_app_form_cases.js - the field app's idea form: the field a
 *   refusal focuses, the session's wijk and day, the position, what a
 *   screen reader hears on a field
 *
 * DESCRIPTION
 *   Cases of field_app_cases.js (which plays them; see there). Each
 *   registers the device, plays its moment and returns what the screen
 *   shows:
 *     refusal_focus     ideas the server refuses for a consent it cannot
 *                       read and for a position out of range (the batch on
 *                       its way is changed once, as a broken or older app
 *                       could send it); for each, "Aanpassen": which field
 *                       has the focus, what a screen reader hears on it, and
 *                       which fields are marked invalid.
 *     kept_on_reload    on a street tour, the wijk and the day of the session
 *                       chosen, an idea saved, the page reloaded (a tablet
 *                       low on memory does): what the form holds, and the
 *                       next idea saved; then the app opened the next
 *                       morning (the page's clock set to it).
 *     late_gps          on a phone: "Gebruik mijn locatie", then "Bewaar
 *                       idee" before the position is found; it arrives
 *                       (held back until then) while the next idea is typed.
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
 */
'use strict';
const {API, A_PHONE, screen, focusedSays, rejectedCount, reloadApp, screenWhenSent, saveInARow,
       saveThanked} =
  require('./field_app_play');

/* What the server refuses, and how the batch on its way is changed to get
 * that refusal; mark tells the refused ideas apart in the list. */
const REFUSALS = [
  {code: 'invalid_participant', mark: 'zwembad',
   change: (item) => { item.participant.consent = {feedback: 'ja'}; }},
  {code: 'invalid_location', mark: 'speeltuin',
   change: (item) => { item.lat = 123.0; item.lon = 5.9; }},
];

async function refusalFocus(page) {
  const out = {};
  for (const [n, refusal] of REFUSALS.entries()) {
    await page.route(API, (route) => {
      const batch = JSON.parse(route.request().postData());
      batch.items.forEach(refusal.change);
      return route.continue({postData: JSON.stringify(batch)});
    }, {times: 1});
    await page.fill('#text', 'Een ' + refusal.mark + ' in Hoensbroek, voor de hele wijk.');
    if (refusal.code === 'invalid_participant') {
      await page.click('details summary');
      await page.fill('#name', 'Els Hermans');
      await page.fill('#email', 'els@example.org');
      await page.check('#consent');
    }
    await page.click('#save');
    await rejectedCount(page, n + 1);
    await page.click('#rejected li:has-text("' + refusal.mark + '") button:has-text("Aanpassen")');
    out[refusal.code] = Object.assign(await focusedSays(page), {
      marked: await page.$$eval('#idea-form [aria-invalid=true]', (es) => es.map((e) => e.id)),
    });
    await page.click('#edit-cancel');
  }
  return out;
}

/* A day as the date field writes it, shift days from the page's today. */
const pageDay = (page, shift) => page.evaluate((n) => {
  const d = new Date();
  d.setDate(d.getDate() + n);
  return [d.getFullYear(), String(d.getMonth() + 1).padStart(2, '0'),
          String(d.getDate()).padStart(2, '0')].join('-');
}, shift);

const form = async (page) => ({wijk: await page.inputValue('#wijk'), day: await page.inputValue('#day')});

async function keptOnReload(page) {
  const out = {today: await pageDay(page, 0), yesterday: await pageDay(page, -1)};
  await page.fill('#activity', 'omgevingsvisietour Hoensbroek');
  await page.fill('#wijk', 'Hoensbroek-De Dem');
  await page.fill('#day', out.yesterday);
  await saveInARow(page, ['Een bankje bij het kasteel, om even uit te rusten.']);
  await reloadApp(page);
  out.after_reload = await form(page);
  await saveInARow(page, ['Meer licht op het pad naar de Mijnstreek.']);
  out.after_save = await form(page);
  Object.assign(out, await screenWhenSent(page));
  /* The next morning: the tablet is opened again for a new day. */
  const morning = await page.evaluate(() => {
    const d = new Date();
    d.setDate(d.getDate() + 1);
    d.setHours(9, 0, 0, 0);
    return d.getTime();
  });
  await page.clock.setFixedTime(morning);
  await reloadApp(page);
  out.next_morning = Object.assign(await form(page), {today: await pageDay(page, 0)});
  return out;
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
  await saveThanked(page, () => page.tap('#save'));
  return Object.assign(out, await screenWhenSent(page));
}

/* The post-its of yesterday's wijkgesprek, typed today. The days are
 * the laptop's own (Europe/Amsterdam, as in Heerlen). */
async function sessionDate(page) {
  const day = (shift) => pageDay(page, shift);
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
  await saveThanked(page, () => page.click('#save'));
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

/* The next idea typed and submitted at once when the form is emptied for
 * it: the first idea's save is still in its awaits (the count, the thanks). */
async function nextWhileSaving(page) {
  await page.fill('#text', 'Een bankje bij de bushalte aan de Kissel.');
  await page.evaluate((next) => {
    const real = clearForm;
    window.clearForm = () => {
      real();
      window.clearForm = real;
      const form = document.getElementById('idea-form');
      form.elements.text.value = next;
      form.requestSubmit();
    };
  }, 'Meer groen op het schoolplein van de basisschool.');
  await page.click('#save');
  await page.waitForFunction(() => document.getElementById('message').textContent.startsWith('Bewaard'));
  return screenWhenSent(page);
}

/* Two taps on "Bewaar idee" for one idea, in one go. */
async function doubleSubmit(page) {
  await page.fill('#text', 'Een zebrapad bij de basisschool aan de Ganzeweide.');
  await saveThanked(page, () => page.evaluate(() => {
    const form = document.getElementById('idea-form');
    form.requestSubmit();
    form.requestSubmit();
  }));
  return screenWhenSent(page);
}

/* allowed to give its position: WK091731 Schandelen-Grasbroek */
const SCHANDELEN = {geolocation: {latitude: 50.8882, longitude: 5.9795}, permissions: ['geolocation']};

module.exports = {
  cases: {refusal_focus: refusalFocus, kept_on_reload: keptOnReload, late_gps: lateGps,
          session_date: sessionDate, session_wijk: sessionWijk, field_hints: fieldHints,
          next_while_saving: nextWhileSaving, double_submit: doubleSubmit},
  contexts: {kept_on_reload: {timezoneId: 'Europe/Amsterdam'}, session_date: {timezoneId: 'Europe/Amsterdam'},
             late_gps: Object.assign({}, SCHANDELEN, A_PHONE), session_wijk: SCHANDELEN},
  before: {late_gps: holdGps},
};
