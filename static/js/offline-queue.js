// Reports composed without network wait in IndexedDB (files as Blobs) and are sent when the
// network returns, each with the idempotency key chosen when it was composed: the server
// stores a report sent twice (page reload, Background Sync and the `online` event racing)
// only once. Runs both in the page and in the service worker (no DOM here).
(function (root) {
  "use strict";
  var DB_NAME = "congdanso-offline";
  var QUEUE = "queue";
  var SENT = "sent";
  var SUBMIT_URL = "/api/reports";
  var KEEP_SENT_MS = 24 * 3600 * 1000;

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(QUEUE, { keyPath: "key" });
        request.result.createObjectStore(SENT, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  // Run fn(store) in one transaction; resolves with what fn's request produced.
  function withStore(name, mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode);
        var request = fn(tx.objectStore(name));
        tx.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function newKey() {
    if (root.crypto && root.crypto.randomUUID) return root.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    root.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function add(record) { return withStore(QUEUE, "readwrite", function (s) { return s.put(record); }); }
  function all() { return withStore(QUEUE, "readonly", function (s) { return s.getAll(); }); }
  function remove(key) { return withStore(QUEUE, "readwrite", function (s) { return s.delete(key); }); }
  function count() { return withStore(QUEUE, "readonly", function (s) { return s.count(); }); }
  function sent() {
    return withStore(SENT, "readonly", function (s) { return s.getAll(); }).then(function (rows) {
      var cutoff = Date.now() - KEEP_SENT_MS;
      return rows.filter(function (r) { return r.sentAt > cutoff; })
        .sort(function (a, b) { return a.sentAt - b.sentAt; });
    });
  }
  function markSent(record, body) {
    var row = { key: record.key, tracking_code: body.tracking_code, url: body.url, sentAt: Date.now() };
    return withStore(SENT, "readwrite", function (s) { return s.put(row); }).then(function () { return row; });
  }

  // One POST. Resolves {status, body} for any HTTP answer; rejects on a network failure.
  function send(record, csrf) {
    var form = new FormData();
    Object.keys(record.fields).forEach(function (name) { form.append(name, record.fields[name]); });
    form.append("idempotency_key", record.key);
    record.files.forEach(function (f) { form.append("files", f.blob, f.name); });
    return fetch(SUBMIT_URL, {
      method: "POST",
      body: form,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf || record.csrf, Accept: "application/json" },
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { status: response.status, body: body };
      });
    });
  }

  function notify(detail) {
    if (typeof root.dispatchEvent === "function" && typeof CustomEvent === "function" && root.document) {
      root.dispatchEvent(new CustomEvent("congdanso:queue", { detail: detail }));
    } else if (root.clients) {
      root.clients.matchAll({ includeUncontrolled: true }).then(function (list) {
        list.forEach(function (c) { c.postMessage({ type: "congdanso:queue", detail: detail }); });
      });
    }
  }

  var flushing = null;
  // Send every queued report in order. A 2xx (also a repeat of an already-stored key) removes
  // it; a 400 keeps it with the server's message for the resident to see; a network failure
  // or 401/403 (signed out, stale CSRF token) stops until the next try.
  // The page (`online` event, page load) and the service worker (Background Sync) may flush
  // at the same moment: a Web Lock, shared by every context of the site, makes them take
  // turns, so the second finds the queue already empty. The idempotency key stays the
  // guarantee where Web Locks are missing.
  function flush(options) {
    if (flushing) return flushing;
    var run = function () { return flushNow(options && options.csrf); };
    var locked = root.navigator && root.navigator.locks
      ? root.navigator.locks.request("congdanso-offline-queue", run)
      : run();
    flushing = locked.then(function (results) {
      flushing = null;
      notify({ sent: results });
      return results;
    }, function (err) {
      flushing = null;
      throw err;
    });
    return flushing;
  }

  function flushNow(csrf) {
    return all().then(function (records) {
      // Refused ones wait for the resident (shown with the reason), not for another try.
      records = records.filter(function (r) { return !r.error; });
      records.sort(function (a, b) { return a.createdAt - b.createdAt; });
      var results = [];
      var chain = Promise.resolve();
      records.forEach(function (record) {
        chain = chain.then(function (stop) {
          if (stop) return true;
          return send(record, csrf).then(function (answer) {
            if (answer.status >= 200 && answer.status < 300) {
              return markSent(record, answer.body).then(function (row) {
                results.push(row);
                return remove(record.key);
              }).then(function () { return false; });
            }
            if (answer.status === 400) {
              record.error = answer.body.detail || String(answer.status);
              return add(record).then(function () { return false; });
            }
            return true;
          }, function () { return true; });
        });
      });
      return chain.then(function () { return results; });
    });
  }

  root.CongDanSoQueue = {
    newKey: newKey, add: add, all: all, remove: remove, count: count, sent: sent,
    send: send, flush: flush, markSent: markSent,
  };
})(self);
