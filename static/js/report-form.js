// The "send a report" page: photos first (resized in the browser, GPS read from EXIF), then the
// place (GPS, photo, map pin or a ward from a list), then the category, then send, or queue
// the report on this device when there is no network (offline-queue.js).
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var T = JSON.parse(document.getElementById("submit-strings").textContent);
  var Q = window.CongDanSoQueue;
  var MAX_PHOTOS = 6;
  var MAX_SIDE = 2048;
  var MAX_VIDEO = 50 * 1024 * 1024;
  var $ = function (id) { return document.getElementById(id); };
  var attachments = []; // {kind, blob, name, url}
  var point = null; // {lat, lon}
  var map = null;
  var marker = null;
  var resizing = Promise.resolve(); // photos still being resized; sending waits for them
  // The typed latitude/longitude are for the page without JavaScript; here the pin fills them.
  if ($("coords")) $("coords").hidden = true;

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (m, k) { return values[k] !== undefined ? values[k] : m; });
  }
  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : form.elements.csrfmiddlewaretoken.value;
  }
  function show(el, text) { el.textContent = text || ""; el.hidden = !text; }
  // Same folding as reports.text.unaccent on the server: no tone marks, đ → d, lower case.
  function unaccent(text) {
    return text.replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/\s+/g, " ").trim();
  }

  // --- EXIF GPS (JPEG APP1 → TIFF → GPS IFD), read before resizing drops the metadata ------
  function exifGps(buffer) {
    try {
      var v = new DataView(buffer);
      if (v.getUint16(0) !== 0xffd8) return null;
      var off = 2;
      while (off + 4 <= v.byteLength) {
        var marker = v.getUint16(off);
        if ((marker & 0xff00) !== 0xff00 || marker === 0xffda) return null;
        var length = v.getUint16(off + 2);
        if (marker === 0xffe1 && v.getUint32(off + 4) === 0x45786966) return tiffGps(v, off + 10);
        off += 2 + length;
      }
    } catch (e) { /* truncated or odd file: no location from it */ }
    return null;
  }
  function tiffGps(v, t) {
    var le = v.getUint16(t) === 0x4949;
    var u16 = function (o) { return v.getUint16(t + o, le); };
    var u32 = function (o) { return v.getUint32(t + o, le); };
    var ifd = u32(4);
    var gps = 0;
    var n = u16(ifd);
    for (var i = 0; i < n; i++) {
      if (u16(ifd + 2 + i * 12) === 0x8825) gps = u32(ifd + 2 + i * 12 + 8);
    }
    if (!gps) return null;
    var tags = {};
    n = u16(gps);
    for (i = 0; i < n; i++) {
      var e = gps + 2 + i * 12;
      var tag = u16(e);
      if (tag === 1 || tag === 3) tags[tag] = String.fromCharCode(v.getUint8(t + e + 8));
      else if ((tag === 2 || tag === 4) && u16(e + 2) === 5 && u32(e + 4) === 3) {
        var p = u32(e + 8);
        var dms = [0, 1, 2].map(function (k) { return u32(p + 8 * k) / (u32(p + 8 * k + 4) || 1); });
        tags[tag] = dms[0] + dms[1] / 60 + dms[2] / 3600;
      }
    }
    if (tags[2] === undefined || tags[4] === undefined || (!tags[2] && !tags[4])) return null;
    return { lat: tags[1] === "S" ? -tags[2] : tags[2], lon: tags[3] === "W" ? -tags[4] : tags[4] };
  }

  // --- photos, video, documents -----------------------------------------------------------
  function resize(file) {
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.85); });
    }).catch(function () { return file; });
  }

  function selectedCategory() {
    var checked = form.querySelector('input[name="category"]:checked');
    return checked || null;
  }

  function addFiles(list) {
    var error = "";
    var jobs = Array.prototype.map.call(list, function (file) {
      var photos = attachments.filter(function (a) { return a.kind === "photo"; }).length;
      if (file.type.indexOf("image/") === 0) {
        if (photos >= MAX_PHOTOS) { error = T.tooManyPhotos; return null; }
        var slot = { kind: "photo", name: "photo-" + (attachments.length + 1) + ".jpg", pending: true };
        attachments.push(slot);
        return file.arrayBuffer().then(function (buffer) {
          var gps = exifGps(buffer);
          if (gps && !point) setPoint(gps.lat, gps.lon, T.fromPhoto);
          return resize(file);
        }).then(function (blob) { slot.blob = blob; slot.pending = false; });
      }
      if (file.type.indexOf("video/") === 0) {
        if (attachments.some(function (a) { return a.kind === "video"; })) { error = T.oneVideo; return null; }
        if (file.size > MAX_VIDEO) { error = T.videoTooBig; return null; }
        attachments.push({ kind: "video", blob: file, name: file.name });
        return null;
      }
      if (file.type === "application/pdf") {
        attachments.push({ kind: "document", blob: file, name: file.name });
        return null;
      }
      error = fmt(T.notSupported, { name: file.name });
      return null;
    });
    show($("files-error"), error);
    var done = Promise.all(jobs).then(renderPreviews);
    resizing = resizing.then(function () { return done; });
    return done;
  }

  function renderPreviews() {
    var list = $("previews");
    list.textContent = "";
    attachments.forEach(function (a, i) {
      if (!a.blob) return;
      var li = document.createElement("li");
      var label = a.kind === "photo" ? fmt(T.photo, { n: i + 1 }) : a.name;
      if (a.kind === "photo") {
        var img = document.createElement("img");
        if (!a.url) a.url = URL.createObjectURL(a.blob);
        img.src = a.url;
        img.alt = label;
        img.width = 96;
        li.appendChild(img);
      } else {
        li.appendChild(document.createTextNode(label));
      }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "remove";
      button.textContent = "×";
      button.setAttribute("aria-label", fmt(T.remove, { name: label }));
      button.addEventListener("click", function () {
        if (a.url) URL.revokeObjectURL(a.url);
        attachments.splice(attachments.indexOf(a), 1);
        renderPreviews();
      });
      li.appendChild(button);
      list.appendChild(li);
    });
  }

  ["camera", "gallery"].forEach(function (id) {
    $(id).addEventListener("change", function (ev) {
      addFiles(ev.target.files).then(function () { ev.target.value = ""; });
    });
  });

  // --- location ---------------------------------------------------------------------------
  function setPoint(lat, lon, note) {
    point = { lat: lat, lon: lon };
    form.elements.lat.value = lat.toFixed(6);
    form.elements.lon.value = lon.toFixed(6);
    $("ward").value = "";
    if (map) {
      if (!marker) {
        marker = L.marker([lat, lon], { draggable: true, keyboard: true }).addTo(map);
        marker.on("dragend", function () {
          var ll = marker.getLatLng();
          setPoint(ll.lat, ll.lng);
        });
      } else {
        marker.setLatLng([lat, lon]);
      }
      if (note) map.setView([lat, lon], Math.max(map.getZoom(), 16));
    }
    locate(note);
    loadNearby();
  }

  function locate(note) {
    var status = $("location-status");
    status.classList.remove("error");
    if (!navigator.onLine) { status.textContent = T.offlineWard; return; }
    status.textContent = T.locating;
    var asked = point;
    fetch("/api/locate?lat=" + point.lat + "&lon=" + point.lon, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (answer) {
        if (asked !== point) return;
        if (answer.ok) {
          status.textContent = (note ? note + " " : "") + answer.body.name;
          showGroups(answer.body.groups || [], answer.body.group);
          if (answer.body.group) status.textContent += " · " + fmt(T.groupFound, { name: answer.body.group.name });
        } else {
          status.textContent = answer.body.detail;
          status.classList.add("error");
        }
      })
      .catch(function () { status.textContent = T.offlineWard; });
  }

  // The ward's residential groups, offered in the group field's list; the group the point
  // lies in (when its boundary is known) is filled in, unless the resident typed one.
  function showGroups(groups, found) {
    var list = $("group-options"), input = $("group");
    if (!list || !input) return;
    list.textContent = "";
    groups.forEach(function (g) {
      var option = document.createElement("option");
      option.value = g.name;
      list.appendChild(option);
    });
    if (found && (!input.value || input.dataset.auto === "1")) {
      input.value = found.name;
      input.dataset.auto = "1";
    } else if (!found && input.dataset.auto === "1") {
      input.value = "";
      input.dataset.auto = "";
    }
  }

  if ($("group")) $("group").addEventListener("input", function (ev) { ev.target.dataset.auto = ""; });

  $("use-gps").addEventListener("click", function () {
    if (!navigator.geolocation) { $("location-status").textContent = T.gpsFailed; return; }
    navigator.geolocation.getCurrentPosition(
      function (pos) { setPoint(pos.coords.latitude, pos.coords.longitude, ""); if (map) map.setView([pos.coords.latitude, pos.coords.longitude], 17); },
      function () { $("location-status").textContent = T.gpsFailed; },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });

  $("ward").addEventListener("change", function (ev) {
    var select = ev.target;
    if (!select.value) return;
    // The ward's own inner point is used on the server; no pin is sent.
    point = null;
    form.elements.lat.value = form.elements.lon.value = "";
    if (marker) { marker.remove(); marker = null; }
    $("location-status").textContent = fmt(T.wardChosen, { name: select.options[select.selectedIndex].text });
    fetch("/api/wards/" + encodeURIComponent(select.value) + "/groups", { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (groups) { showGroups(groups, null); })
      .catch(function () {});
    $("nearby").hidden = true;
  });

  var mapElement = $("submit-map");
  if (mapElement && window.L && window.CongDanSo) {
    map = window.CongDanSo.createBaseMap(mapElement, { zoom: 13 });
    map.on("click", function (ev) { setPoint(ev.latlng.lat, ev.latlng.lng); });
    // Keyboard: the arrow keys pan the map (Leaflet), Enter puts the pin at its centre.
    mapElement.addEventListener("keydown", function (ev) {
      if (ev.key !== "Enter" || ev.target !== mapElement) return;
      ev.preventDefault();
      var centre = map.getCenter();
      setPoint(centre.lat, centre.lng);
    });
  }

  // --- category: search, suggestions -----------------------------------------------------
  $("category-search").addEventListener("input", function (ev) {
    var words = unaccent(ev.target.value).split(" ").filter(Boolean);
    form.querySelectorAll(".cat-group").forEach(function (group) {
      var any = false;
      group.querySelectorAll(".cat").forEach(function (label) {
        var hay = label.dataset.search;
        var match = words.every(function (w) { return hay.indexOf(w) >= 0; });
        label.hidden = !match;
        any = any || match;
      });
      group.hidden = !any;
    });
  });

  // Suggestions as the resident types: one request 400 ms after the last key (a slow phone
  // sends a few, not one per letter); a reply to an older text is dropped. The likeliest
  // category is preselected only when the model is sure, and only while the resident has not
  // chosen one themselves.
  var suggestTimer = null;
  var suggestSeq = 0;
  var preselected = null; // the radio we checked, until the resident chooses
  $("description").addEventListener("input", function (ev) {
    clearTimeout(suggestTimer);
    var text = ev.target.value;
    suggestTimer = setTimeout(function () {
      if (text.trim().length < 3 || !navigator.onLine) return;
      var seq = ++suggestSeq;
      fetch("/api/categories/suggest", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
        body: JSON.stringify({ text: text.slice(0, 4000) }),
      })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) { if (seq === suggestSeq) renderSuggestions(items); })
        .catch(function () {});
      loadNearby();
    }, 400);
  });

  function checkCategory(code) {
    var radio = form.querySelector('input[name="category"][value="' + code + '"]');
    if (radio) { radio.checked = true; radio.dispatchEvent(new Event("change", { bubbles: true })); }
    return radio;
  }

  function renderSuggestions(items) {
    var box = $("suggestions");
    box.textContent = "";
    if (!items.length) return;
    var p = document.createElement("p");
    p.textContent = T.suggested;
    box.appendChild(p);
    var chosen = selectedCategory();
    if (items[0].confident && (!chosen || chosen === preselected)) {
      var radio = checkCategory(items[0].code);
      preselected = radio;
      if (radio) {
        var note = document.createElement("p");
        note.className = "preselected";
        note.id = "preselected";
        note.textContent = fmt(T.preselected, { name: items[0].name });
        box.appendChild(note);
      }
    }
    items.forEach(function (item) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary suggestion";
      button.dataset.code = item.code;
      button.textContent = item.icon + " " + item.name;
      button.addEventListener("click", function () {
        var radio = checkCategory(item.code);
        preselected = null;
        if (radio) radio.focus();
      });
      box.appendChild(button);
    });
  }

  form.addEventListener("change", function (ev) {
    if (ev.target.name !== "category") return;
    // A click by the resident (not our own preselection) makes the choice theirs.
    if (ev.isTrusted) preselected = null;
    loadNearby();
  });

  // --- already reported nearby: "me too" -------------------------------------------------
  function loadNearby() {
    var category = selectedCategory();
    // The first few hundred characters are enough to tell the same problem, and keep the
    // address short enough for every proxy on the way.
    var text = $("description").value.trim().slice(0, 300);
    if (!point || !(category || text.length >= 3) || !navigator.onLine) return;
    var url = "/api/reports/nearby?lat=" + point.lat + "&lon=" + point.lon +
      "&category=" + encodeURIComponent(category ? category.value : "") +
      "&text=" + encodeURIComponent(text);
    fetch(url).then(function (r) { return r.ok ? r.json() : []; }).then(renderNearby).catch(function () {});
  }

  function renderNearby(items) {
    var list = $("nearby-list");
    list.textContent = "";
    $("nearby").hidden = !items.length;
    items.forEach(function (item) {
      var li = document.createElement("li");
      if (item.thumbnail) {
        var img = document.createElement("img");
        img.src = item.thumbnail;
        img.alt = "";
        img.width = 64;
        li.appendChild(img);
      }
      var body = document.createElement("div");
      var link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.title;
      var badge = document.createElement("span");
      badge.className = "badge badge-" + item.status_colour;
      badge.textContent = item.status_label;
      var meta = document.createElement("div");
      meta.className = "meta";
      meta.textContent = item.tracking_code + " · " + item.age + " · " + item.distance_m + " m · " + fmt(T.followers, { n: item.followers });
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = T.meToo;
      button.addEventListener("click", function () { follow(item, li, button); });
      body.append(link, " ", badge, meta, button);
      li.appendChild(body);
      list.appendChild(li);
    });
  }

  function follow(item, li, button) {
    button.disabled = true;
    fetch("/api/reports/" + encodeURIComponent(item.tracking_code) + "/follow", {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    }).then(function () {
      var done = document.createElement("p");
      done.className = "done";
      done.setAttribute("role", "status");
      done.textContent = fmt(T.following, { code: item.tracking_code });
      button.replaceWith(done);
    }).catch(function () {
      button.disabled = false;
      show($("form-error"), T.sendFailed);
    });
  }

  // --- sending and the offline queue -----------------------------------------------------
  function renderQueue() {
    return Promise.all([Q.all(), Q.sent()]).then(function (r) {
      var waiting = r[0].filter(function (rec) { return !rec.error; });
      show($("queue-status"), waiting.length ? fmt(T.waiting, { n: waiting.length }) : "");
      var list = $("sent-list");
      list.textContent = "";
      r[1].forEach(function (row) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = row.url;
        a.textContent = fmt(T.sent, { code: row.tracking_code });
        li.appendChild(a);
        list.appendChild(li);
      });
      // Refused by the server (e.g. a damaged photo): say why, and let the resident drop it.
      r[0].filter(function (rec) { return rec.error; }).forEach(function (rec) {
        var li = document.createElement("li");
        li.className = "error";
        li.textContent = T.sendFailed + " " + rec.error + " ";
        var button = document.createElement("button");
        button.type = "button";
        button.className = "secondary";
        button.textContent = T.discard;
        button.addEventListener("click", function () { Q.remove(rec.key).then(renderQueue); });
        li.appendChild(button);
        list.appendChild(li);
      });
    });
  }

  function flush() {
    if (!navigator.onLine) return renderQueue();
    return Q.flush({ csrf: csrfToken() }).catch(function () {}).then(renderQueue);
  }

  function validate() {
    if (!point && !$("ward").value) return T.noPoint;
    var category = selectedCategory();
    if (!category) return T.noCategory;
    if (!$("description").value.trim()) return T.noDescription;
    if (attachments.some(function (a) { return a.kind === "document"; }) && !category.dataset.documents) return T.pdfOnly;
    return "";
  }

  function reset() {
    attachments.forEach(function (a) { if (a.url) URL.revokeObjectURL(a.url); });
    attachments = [];
    renderPreviews();
    form.reset();
    point = null;
    if (marker) { marker.remove(); marker = null; }
    $("nearby").hidden = true;
    $("suggestions").textContent = "";
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    resizing.then(submit);
  });

  function submit() {
    var problem = validate();
    show($("form-error"), problem);
    if (problem) return;
    var fields = {
      category: selectedCategory().value,
      description: $("description").value.trim(),
      address: $("address").value.trim(),
      lat: form.elements.lat.value,
      lon: form.elements.lon.value,
      ward: point ? "" : $("ward").value,
      group: $("group") ? $("group").value.trim() : "",
    };
    var record = {
      key: Q.newKey(),
      fields: fields,
      files: attachments.map(function (a) { return { blob: a.blob, name: a.name }; }),
      csrf: csrfToken(),
      createdAt: Date.now(),
    };
    var send = $("send");
    send.disabled = true;
    send.textContent = T.sending;
    var done = function () { send.disabled = false; send.textContent = T.send; };
    var queue = function () {
      return Q.add(record).then(function () {
        reset();
        show($("form-error"), "");
        show($("location-status"), T.queued);
        $("location-status").hidden = false;
        if (navigator.serviceWorker && window.SyncManager) {
          navigator.serviceWorker.ready.then(function (reg) { return reg.sync.register("send-reports"); }).catch(function () {});
        }
        return renderQueue();
      });
    };
    if (!navigator.onLine) { queue().then(done); return; }
    Q.send(record).then(function (answer) {
      if (answer.status === 201) {
        return Q.markSent(record, answer.body).then(function () { reset(); return renderQueue(); }).then(function () {
          $("sent-list").lastChild && $("sent-list").lastChild.querySelector("a").focus();
        });
      }
      show($("form-error"), answer.body.detail || T.sendFailed);
    }, queue).then(done, done);
  }

  window.addEventListener("online", flush);
  window.addEventListener("congdanso:queue", renderQueue);
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", function (ev) {
      if (ev.data && ev.data.type === "congdanso:queue") renderQueue();
    });
    navigator.serviceWorker.register(form.dataset.swUrl, { scope: "/" }).catch(function () {});
  }
  flush();
})();
