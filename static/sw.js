// The service worker of the residents' app, served at /sw.js (scope: the whole site) by
// citizen.views_submit.service_worker, which fills in SHELL below (page, static URLs).
// - The submit page: network first, the cached copy when offline.
// - The page's static files and the ward boundaries: network first, cached copy offline.
// - Everything else (the API, other pages) goes to the network untouched.
// - Background Sync "send-reports": sends the reports queued in IndexedDB.
"use strict";
var SHELL = self.__SHELL__;
importScripts(SHELL.queue);
var CACHE = "congdanso-shell-" + SHELL.version;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      // One by one: a missing asset must not stop the others from being cached.
      return Promise.all(
        SHELL.static.concat(SHELL.pages).map(function (url) {
          return fetch(url, { credentials: "same-origin" }).then(function (response) {
            if (response.ok && !response.redirected) return cache.put(url, response);
          }).catch(function () {});
        })
      );
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) {
        return k.indexOf("congdanso-shell-") === 0 && k !== CACHE;
      }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (SHELL.pages.indexOf(url.pathname) >= 0 && request.mode === "navigate") {
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.ok && !response.redirected) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
        }
        return response;
      }).catch(function () {
        return caches.match(url.pathname).then(function (hit) { return hit || Response.error(); });
      })
    );
    return;
  }
  if (SHELL.static.indexOf(url.pathname) >= 0) {
    // Network first here too, so that a developer (or a deploy without hashed names) never
    // sees a stale script; the copy is only for when the network is gone.
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
        }
        return response;
      }).catch(function () {
        return caches.match(url.pathname).then(function (hit) { return hit || Response.error(); });
      })
    );
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag === "send-reports") event.waitUntil(self.CongDanSoQueue.flush());
});

// Web Push (notify/channels.py sends {title, body, url}): show it; a click opens the link.
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { body: event.data.text() }; }
  event.waitUntil(
    self.registration.showNotification(data.title || "Công dân số", {
      body: data.body || "",
      data: { url: data.url || "/" },
      icon: "/static/icons/icon-192.png"
    })
  );
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(self.clients.openWindow(url));
});
