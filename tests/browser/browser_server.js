/*
 * NAME
 *   browser_server.js - one headless Chromium for a whole browser suite
 *
 * SYNOPSIS
 *   node browser_server.js     # prints the ws:// endpoint on one line
 *
 * DESCRIPTION
 *   Started by browser.py (start()) when a suite begins. Launches
 *   Debian's Chromium once (chromium.js, launchServer) and prints its
 *   endpoint; the drivers the suite runs then connect to it (chromium.js
 *   launch() with $BROWSER_WS) instead of starting a browser each, and
 *   play in a new browser context of their own, which they close when
 *   they end: storage, cookies, service workers, IndexedDB and the HTTP
 *   cache of a context are its own and go with it. Closes the browser
 *   and exits when its standard input closes (browser.py stop(), or the
 *   suite's end however it ended).
 */
'use strict';
const {serve} = require('./chromium');

async function main() {
  const server = await serve();
  console.log(server.wsEndpoint());
  process.stdin.on('data', () => {});
  process.stdin.on('end', async () => {
    await server.close();
    process.exit(0);
  });
}

main().catch((e) => { console.error(e); process.exit(1); });
