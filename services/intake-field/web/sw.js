/*
 * Service worker of the field app: keeps the app shell so the app opens
 * without a connection. Network first (so an update is seen as soon as
 * the tablet is online), the cached copy when the network fails. The API
 * is never cached: items wait in IndexedDB (queue.js), not here.
 */
const CACHE = 'inspraak-field-v17';
/* Every file index.html loads: one left out here is missing offline, and
 * the app does not start (test_field_app.py, case offline_start). */
const SHELL = ['/field', '/field/queue.js', '/field/send.js', '/field/form.js', '/field/session.js',
               '/field/rejected.js', '/field/app.js', '/field/style.css',
               '/field/manifest.webmanifest', '/field/icon.svg', '/field/wijken.json'];

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== self.location.origin ||
      !(url.pathname === '/field' || url.pathname.startsWith('/field/'))) {
    return;
  }
  e.respondWith(fetch(e.request).then((res) => {
    if (res.ok) {
      const copy = res.clone();
      caches.open(CACHE).then((c) => c.put(e.request, copy));
    }
    return res;
  }).catch(() => caches.match(e.request, {ignoreSearch: true})
    .then((hit) => hit || caches.match('/field'))));
});
