// The leaders' dashboard (/bang-dieu-khien/): trends charts (Chart.js, served by us), the heat
// map of reports on H3 hexagons (Leaflet over the ward boundaries, see basemap.js) and the
// period picker's custom dates. The live figures are htmx polling (includes/panels.html); when
// they change the server sends HX-Trigger "dashboard-changed" and the charts and map reload.
(function () {
  "use strict";

  var PALETTE = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];

  function texts(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : {};
  }

  function format(text, n) { return text.replace("%(n)s", n); }

  // --- trends -----------------------------------------------------------------------------
  function setupTrends() {
    var section = document.querySelector("[data-trends-url]");
    if (!section || typeof Chart === "undefined") return function () {};
    var t = texts("chart-texts");
    var status = document.getElementById("chart-status");
    var daily = null;
    var weekly = null;

    function draw(data) {
      if (daily) daily.destroy();
      if (weekly) weekly.destroy();
      daily = new Chart(document.getElementById("chart-daily"), {
        type: "line",
        data: {
          labels: data.days,
          datasets: [
            { label: t.received, data: data.received, borderColor: "#1d4ed8", backgroundColor: "#1d4ed8", tension: 0.2, pointRadius: 2 },
            { label: t.handled, data: data.handled, borderColor: "#15803d", backgroundColor: "#15803d", borderDash: [6, 3], tension: 0.2, pointRadius: 2 },
          ],
        },
        options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      });
      weekly = new Chart(document.getElementById("chart-weekly"), {
        type: "bar",
        data: {
          labels: data.weeks.map(function (w) { return t.week_of + " " + w; }),
          datasets: [{ label: t.satisfied, data: data.satisfied_pct, backgroundColor: "#0f766e" }],
        },
        options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true, max: 100 } } },
      });
      var empty = data.received.every(function (n) { return n === 0; });
      status.textContent = empty ? t.no_data : "";
      section.dataset.state = "loaded";
    }

    function load() {
      fetch(section.dataset.trendsUrl, { headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(draw)
        .catch(function () { section.dataset.state = "error"; });
    }
    load();
    return load;
  }

  // --- heat map ---------------------------------------------------------------------------
  function setupHeat() {
    var element = document.getElementById("heat-map");
    var form = document.getElementById("heat-filters");
    if (!element || !form || !window.CongDanSo || !window.CongDanSo.createBaseMap) return function () {};
    var t = texts("heat-texts");
    var total = document.getElementById("heat-total");
    var legend = document.querySelector("#heat-legend ul");
    var map = window.CongDanSo.createBaseMap(element, { zoom: 11 });
    var layer = L.layerGroup().addTo(map);
    var latest = 0;

    function levels(max) {
      // Up to five levels of equal width in counts: 1–2, 3–4, … for max 10.
      var steps = Math.min(PALETTE.length, Math.max(max, 1));
      var result = [];
      var low = 1;
      for (var i = 1; i <= steps; i++) {
        var high = Math.ceil((max * i) / steps);
        if (high < low) continue;
        result.push({ low: low, high: high, colour: PALETTE[Math.round(((i - 1) * (PALETTE.length - 1)) / Math.max(steps - 1, 1))] });
        low = high + 1;
      }
      return result;
    }

    function levelOf(count, list) {
      for (var i = 0; i < list.length; i++) if (count <= list[i].high) return list[i];
      return list[list.length - 1];
    }

    function drawLegend(list) {
      legend.textContent = "";
      list.forEach(function (level, i) {
        var item = document.createElement("li");
        var swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.style.background = level.colour;
        swatch.setAttribute("aria-hidden", "true");
        item.appendChild(swatch);
        item.appendChild(document.createTextNode((i + 1) + ": " + (level.low === level.high ? level.low : level.low + "–" + level.high)));
        legend.appendChild(item);
      });
    }

    function load() {
      var params = new URLSearchParams(form.dataset.baseQuery || "");
      var category = form.elements.category.value;
      if (category) params.set("category", category);
      var mine = ++latest;
      element.dataset.state = "loading";
      fetch(form.action + "?" + params.toString(), { headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (data) {
          if (mine !== latest) return;
          layer.clearLayers();
          var list = levels(data.max);
          data.cells.forEach(function (cell) {
            var level = levelOf(cell.count, list);
            var polygon = L.polygon(cell.boundary, { color: "#7f1d1d", weight: 1, fillColor: level.colour, fillOpacity: 0.75 });
            polygon.bindTooltip(format(t.count, cell.count), { sticky: true });
            layer.addLayer(polygon);
          });
          drawLegend(data.max ? list : []);
          total.textContent = format(t.total, data.total);
          element.dataset.cells = String(data.cells.length);
          element.dataset.state = "loaded";
        })
        .catch(function () { if (mine === latest) { total.textContent = t.error; element.dataset.state = "error"; } });
    }

    form.addEventListener("change", load);
    form.addEventListener("submit", function (event) { event.preventDefault(); load(); });
    load();
    return load;
  }

  // --- period picker: typing a date chooses "custom" ----------------------------------------
  function setupPeriod() {
    document.querySelectorAll(".period-form").forEach(function (form) {
      form.querySelectorAll("input[type=date]").forEach(function (input) {
        input.addEventListener("change", function () {
          var custom = form.querySelector("input[name=period][value=custom]");
          if (custom) custom.checked = true;
        });
      });
    });
  }

  function init() {
    setupPeriod();
    var reloadTrends = setupTrends();
    var reloadHeat = setupHeat();
    document.body.addEventListener("dashboard-changed", function () {
      reloadTrends();
      reloadHeat();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
