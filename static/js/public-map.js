// The public map (/ban-do/): clusters per H3 cell at city zoom, each report at street zoom.
// Data: GET /api/reports/map?bbox=&zoom=&category=&status=&ward=&since= (public reports only).
(function () {
  "use strict";
  var API = "/api/reports/map";

  function format(text, n) { return text.replace("%(n)s", n); }

  function popupFor(point, texts) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = point.url;
    link.textContent = point.title;
    var strong = document.createElement("strong");
    strong.appendChild(link);
    box.appendChild(strong);
    var meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = point.code + " · " + point.status_label + " · " + point.category;
    box.appendChild(meta);
    var open = document.createElement("a");
    open.href = point.url;
    open.textContent = texts.open;
    box.appendChild(open);
    return box;
  }

  function init() {
    var element = document.getElementById("map");
    var form = document.getElementById("map-filters");
    var count = document.getElementById("map-count");
    var texts = JSON.parse(document.getElementById("map-texts").textContent);
    var query = new URLSearchParams(window.location.search);
    var options = {};
    if (query.get("lat") && query.get("lon")) options.center = [+query.get("lat"), +query.get("lon")];
    if (query.get("zoom")) options.zoom = +query.get("zoom");
    var map = window.CongDanSo.createBaseMap(element, options);
    var layer = L.layerGroup().addTo(map);
    var latest = 0;
    window.CongDanSo.publicMap = map;

    function load() {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, key) { if (value) params.set(key, value); });
      params.set("bbox", map.getBounds().toBBoxString());
      params.set("zoom", map.getZoom());
      var mine = ++latest;
      element.dataset.state = "loading";
      fetch(API + "?" + params.toString(), { headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (data) {
          if (mine !== latest) return;  // an older answer arriving late
          layer.clearLayers();
          if (data.mode === "clusters") {
            data.clusters.forEach(function (c) {
              var size = c.count < 10 ? 30 : c.count < 100 ? 38 : 46;
              var marker = L.marker([c.lat, c.lon], {
                title: format(texts.cluster, c.count),
                icon: L.divIcon({ className: "map-cluster", html: "<span>" + c.count + "</span>", iconSize: [size, size] }),
              });
              marker.on("click", function () { map.setView([c.lat, c.lon], Math.min(map.getZoom() + 2, 14)); });
              layer.addLayer(marker);
            });
            count.textContent = format(texts.count_clusters, data.total);
          } else {
            data.points.forEach(function (p) {
              var marker = L.marker([p.lat, p.lon], {
                title: p.title,
                icon: L.divIcon({ className: "map-point map-point-" + p.status, iconSize: [18, 18] }),
              });
              marker.bindPopup(popupFor(p, texts));
              layer.addLayer(marker);
            });
            count.textContent = format(texts.count_points, data.points.length) +
              (data.truncated ? " " + format(texts.truncated, data.points.length) : "");
          }
          element.dataset.mode = data.mode;
          element.dataset.state = "loaded";
        })
        .catch(function () { if (mine === latest) { count.textContent = texts.error; element.dataset.state = "error"; } });
    }

    map.on("moveend", load);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, key) { if (value) params.set(key, value); });
      window.history.replaceState(null, "", "?" + params.toString());
      load();
    });
    form.addEventListener("change", load);
    load();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
