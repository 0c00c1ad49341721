// A Leaflet map of Hà Nội whose base layer is always the ward boundaries (served by us), with
// raster tiles on top when a tile URL is configured and reachable. Used by every map page.
// <div id="map" data-tile-url="…" data-tile-attribution="…" data-boundary-attribution="…"
//      data-wards-url="/api/units/wards.geojson"></div>
(function () {
  "use strict";
  var HANOI = [21.0285, 105.8542];

  function createBaseMap(element, options) {
    options = options || {};
    var map = L.map(element, { center: options.center || HANOI, zoom: options.zoom || 12, preferCanvas: true });
    var data = element.dataset;
    var wardsStyle = { color: "#6b7280", weight: 1, fillColor: "#f3f4f6", fillOpacity: 0.6 };
    var wards = L.geoJSON(null, {
      style: wardsStyle,
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(feature.properties.name, { sticky: true });
      },
      attribution: data.boundaryAttribution || "",
    }).addTo(map);
    map.wardsLoaded = fetch(data.wardsUrl || "/api/units/wards.geojson")
      .then(function (r) { return r.json(); })
      .then(function (geojson) {
        wards.addData(geojson);
        wards.bringToBack();
        element.dataset.wards = "loaded";  // tests and screenshots wait for the base layer
        return wards;
      });
    if (data.tileUrl) {
      var tiles = L.tileLayer(data.tileUrl, { maxZoom: 19, attribution: data.tileAttribution || "" });
      var failures = 0;
      tiles.on("tileerror", function () {
        // No tiles reachable (offline, blocked): fall back to the boundaries alone.
        failures += 1;
        if (failures >= 4 && map.hasLayer(tiles)) { map.removeLayer(tiles); element.dataset.tiles = "unreachable"; }
      });
      tiles.on("tileload", function () { element.dataset.tiles = "loaded"; });
      tiles.addTo(map);
    } else {
      element.dataset.tiles = "none";
    }
    map.wardsLayer = wards;
    return map;
  }

  window.CongDanSo = window.CongDanSo || {};
  window.CongDanSo.createBaseMap = createBaseMap;
})();
