// The push subscribe button on the notification settings page (notify/settings.html):
// registers the site's service worker (/sw.js), subscribes its PushManager with our VAPID
// public key, and POSTs the subscription's JSON to the server (CSRF token in X-CSRFToken).
"use strict";
(function () {
  var button = document.getElementById("push-subscribe");
  if (!button) return;
  var status = document.getElementById("push-status");

  function say(text) { status.textContent = text; }

  // The VAPID public key is base64url; PushManager wants its bytes.
  function keyBytes(b64url) {
    var b64 = b64url.replace(/-/g, "+").replace(/_/g, "/");
    b64 += "===".slice((b64.length + 3) % 4);
    var raw = atob(b64);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  button.addEventListener("click", function () {
    if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
      say(button.dataset.unsupported);
      return;
    }
    button.disabled = true;
    navigator.serviceWorker.register("/sw.js").then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      return registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(button.dataset.key)
      });
    }).then(function (subscription) {
      return fetch(button.dataset.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(subscription.toJSON ? subscription.toJSON() : subscription)
      });
    }).then(function (response) {
      return response.json().then(function (body) {
        say(response.ok ? body.message : body.error);
      });
    }).catch(function (error) {
      var denied = window.Notification && Notification.permission === "denied";
      say(denied ? button.dataset.denied : button.dataset.failed);
      if (window.console) console.warn("push subscribe:", error);
    }).then(function () { button.disabled = false; });
  });
})();
