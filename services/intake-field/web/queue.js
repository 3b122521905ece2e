/*
 * queue.js - the field app's IndexedDB database "inspraak-field": the
 * store "queue" (ideas waiting to be sent, keyed by local_id) and the
 * store "rejected" (ideas the server refused, kept until corrected or
 * removed), and the steps that move an item between them in one
 * transaction. Owns db. No screen, no network.
 */
'use strict';

let db = null;

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
