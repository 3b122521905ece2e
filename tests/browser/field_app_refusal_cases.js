/*
 * NAME
 *   field_app_refusal_cases.js - ideas the server would refuse or
 *   refused: checked before saving, kept on the device, corrected or removed
 *
 * DESCRIPTION
 *   Cases of field_app_cases.js (which plays them; see there). Each
 *   registers the device, plays its moment and returns what the screen
 *   shows:
 *     email_typo        an address the browser's own e-mail check lets
 *                       through but the server refuses ("jan@heerlen").
 *     long_activity     an activity name over the server's 200 characters.
 *     long_name         a resident's name over the server's 200 characters.
 *     rejected_kept     two ideas the server rejects (a wijk it does not
 *                       know): both stay on the tablet after a reload, one
 *                       goes back into the form with "Aanpassen", is
 *                       corrected and sent, the other is removed with
 *                       "Verwijderen" (confirmed); a reload shows none.
 *     words             on a phone: what the worker reads (an idea refused,
 *                       the question before removing it, the sign-in screen).
 */
'use strict';
const {A_PHONE, screen, focusedSays, rejectedCount, reloadApp} = require('./field_app_play');

async function emailTypo(page) {
  await page.fill('#text', 'De stoep in de Akerstraat is te smal voor een rolstoel.');
  await page.click('details summary');
  await page.fill('#email', 'jan@heerlen');
  await page.check('#consent');
  await page.click('#save');
  await page.waitForFunction(() => document.getElementById('message').textContent !== '');
  /* Give a wrongly queued idea the time to be sent and refused. */
  await page.waitForFunction(() => document.querySelector('#rejected li'), null, {timeout: 10000})
    .catch(() => {});
  return screen(page);
}

async function longActivity(page) {
  await page.fill('#activity', 'wijkgesprek ' + 'Heerlerheide '.repeat(20));
  await page.fill('#text', 'Een zebrapad bij de school aan de Ganzeweide.');
  await page.click('#save');
  await page.waitForFunction(() => document.getElementById('message').textContent !== '');
  await page.waitForFunction(() => document.getElementById('pending').textContent === 'Alles is verzonden',
                             null, {timeout: 10000}).catch(() => {});
  return screen(page);
}

async function longName(page) {
  await page.fill('#text', 'Een bloemenweide in het Aambos, voor de bijen.');
  await page.click('details summary');
  await page.fill('#name', 'Maria '.repeat(40));
  await page.click('#save');
  await page.waitForFunction(() => document.getElementById('message').textContent !== '');
  await page.waitForFunction(() => document.getElementById('pending').textContent === 'Alles is verzonden',
                             null, {timeout: 10000}).catch(() => {});
  return screen(page);
}

const KEPT_TEXT = 'Een overdekte fietsenstalling bij station Heerlen, met toezicht.';
const GONE_TEXT = 'Een hondenweide achter de sporthal, met een hek eromheen.';

async function rejectedKept(page) {
  const out = {};
  await page.fill('#activity', 'wijkgesprek Zeswegen');
  await page.fill('#text', KEPT_TEXT);
  await page.check('input[name=question][value=toekomst]');
  await page.selectOption('#target_group', 'professional');
  await page.fill('#wijk', 'Heerlen-Centrumm');
  await page.click('details summary');
  await page.fill('#name', 'Anna de Vries');
  await page.fill('#email', 'anna@example.org');
  await page.check('#consent');
  await page.click('#save');
  await rejectedCount(page, 1);
  await page.fill('#text', GONE_TEXT);
  await page.fill('#wijk', 'Atlantis');
  await page.click('#save');
  await rejectedCount(page, 2);
  out.message_after_reject = await page.textContent('#message');

  await reloadApp(page);
  await rejectedCount(page, 2).catch(() => {});
  out.after_reload = (await screen(page)).rejected;
  if (out.after_reload.length !== 2) return out;
  /* SHOTS=folder: a picture of the list, to look at by eye */
  if (process.env.SHOTS) {
    await page.screenshot({path: require('path').join(process.env.SHOTS, 'field-rejected.png'),
                           fullPage: true});
  }

  await page.fill('#activity', 'omgevingsvisietour Markt');
  await page.click('#rejected li:has-text("fietsenstalling") button:has-text("Aanpassen")');
  out.form = {
    activity: await page.inputValue('#activity'),
    text: await page.inputValue('#text'),
    question: await page.$eval('input[name=question]:checked', (r) => r.value).catch(() => null),
    target_group: await page.inputValue('#target_group'),
    wijk: await page.inputValue('#wijk'),
    name: await page.inputValue('#name'),
    email: await page.inputValue('#email'),
    consent: await page.isChecked('#consent'),
    focused: await page.evaluate(() => document.activeElement.id),
  };
  out.focused_says = await focusedSays(page);
  await page.fill('#wijk', 'Heerlen-Centrum');
  await page.click('#save');
  await rejectedCount(page, 1);
  await page.waitForFunction(() => document.getElementById('pending').textContent === 'Alles is verzonden');
  out.activity_after_save = await page.inputValue('#activity');

  page.once('dialog', async (d) => { out.confirm = d.message(); await d.accept(); });
  await page.click('#rejected li:has-text("hondenweide") button:has-text("Verwijderen")');
  await rejectedCount(page, 0);

  await reloadApp(page);
  Object.assign(out, await screen(page));
  out.held = await page.textContent('#held');
  return out;
}

/* What the worker reads on the way: the idea screen with an idea the
 * server refused, the question before removing it, the sign-in screen. */
async function wordsRead(page) {
  const said = [];
  const read = async () => said.push(await page.evaluate(() => document.body.innerText));
  await page.fill('#text', 'Een hondenweide achter de sporthal, met een hek eromheen.');
  await page.fill('#wijk', 'Atlantis');
  await page.tap('#save');
  await rejectedCount(page, 1);
  await read();
  page.once('dialog', async (d) => { said.push(d.message()); await d.dismiss(); });
  await page.tap('#rejected button:has-text("Verwijderen")');
  await page.tap('#logout');
  await page.waitForSelector('#setup-form', {state: 'visible'});
  await read();
  return {said: said};
}

module.exports = {
  cases: {email_typo: emailTypo, long_activity: longActivity, long_name: longName,
          rejected_kept: rejectedKept, words: wordsRead},
  contexts: {words: A_PHONE},
};
