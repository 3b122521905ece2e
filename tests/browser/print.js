/*
 * NAME
 *   print.js - prints a page to PDF in a real headless Chromium, as a
 *   browser's "Afdrukken" (print media, A4)
 *
 * SYNOPSIS
 *   PRINT_URL=http://127.0.0.1:PORT/resultaten PDF=/tmp/out.pdf node print.js
 *
 * DESCRIPTION
 *   Run by test_dashboard.py, which reads the PDF's text with pdftotext.
 *   Any JavaScript dialog or page error fails the run. Prints a JSON
 *   summary on the last line; exits non-zero on any failure.
 */
'use strict';
const {launch, watch, finish, crashed} = require('./chromium');

const problems = [];

async function main() {
  const browser = await launch();
  const out = {};
  try {
    const page = await browser.newPage();
    watch(page, problems);
    const answer = await page.goto(process.env.PRINT_URL);
    out.status = answer.status();
    await page.pdf({path: process.env.PDF, format: 'A4'});
  } finally {
    await browser.close();
  }
  finish(out, problems);
}

main().catch((e) => crashed(e, problems));
