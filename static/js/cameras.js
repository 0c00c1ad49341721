// "Nearest to me first": the phone's position reloads the list sorted by distance.
(function () {
  var button = document.getElementById("near-me");
  if (!button || !navigator.geolocation) { if (button) button.hidden = true; return; }
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("near-lat").value = pos.coords.latitude.toFixed(5);
      document.getElementById("near-lon").value = pos.coords.longitude.toFixed(5);
      document.getElementById("near-form").submit();
    });
  });
})();

// The map: a marker per camera (red when it shows nothing), each linking to its place in the list.
(function () {
  var element = document.getElementById("camera-map");
  var data = document.getElementById("camera-points");
  if (!element || !data || !window.L || !window.CongDanSo) return;
  var points = JSON.parse(data.textContent);
  var map = window.CongDanSo.createBaseMap(element);
  var markers = points.map(function (p) {
    var marker = L.circleMarker([p.lat, p.lon], {
      radius: 8, weight: 2, color: p.bad ? "#b91c1c" : "#15803d",
      fillColor: p.bad ? "#fca5a5" : "#86efac", fillOpacity: 0.9,
    });
    var link = document.createElement("a");
    link.href = "#camera-" + p.code;
    link.textContent = p.name + " (" + p.health + ")";
    marker.bindPopup(link);
    marker.addTo(map);
    return marker;
  });
  if (markers.length) map.fitBounds(L.featureGroup(markers).getBounds().pad(0.2), { maxZoom: 15 });
  element.dataset.markers = String(markers.length);
})();
