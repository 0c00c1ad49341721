/* The unit's inbox: selecting reports for a bulk action (every report on the page with the
   header box, then every report the filter matches, Gmail-style), the count of what is
   selected, and not re-reading the list (the minute's live refresh) while a leader is in the
   middle of a selection. Without JavaScript the page has its own button for "all matching"
   and the server asks for a confirmation either way. No inline script (CSP). */
(function () {
  "use strict";

  function listOf(node) {
    return node && node.closest ? node.closest("#inbox-list") : null;
  }

  function boxes(list) {
    return Array.prototype.slice.call(list.querySelectorAll('input[name="codes"]'));
  }

  function show(node, visible) {
    if (node) node.hidden = !visible;
  }

  function update(list) {
    var bar = list.querySelector("[data-bulk-bar]");
    var header = list.querySelector("[data-pick-page]");
    var scope = list.querySelector("[data-bulk-scope]");
    if (!bar || !scope) return;
    var all = boxes(list);
    var ticked = all.filter(function (b) { return b.checked; }).length;
    var every = scope.value === "all";
    var wholePage = all.length > 0 && ticked === all.length;
    if (header) {
      header.checked = wholePage;
      header.indeterminate = ticked > 0 && !wholePage;
    }
    var count = bar.querySelector("[data-bulk-count]");
    if (every) {
      count.textContent = bar.dataset.textAll;
    } else if (ticked) {
      count.textContent = bar.dataset.textSome.replace("{n}", String(ticked));
    } else {
      count.textContent = "";
    }
    show(bar.querySelector("[data-bulk-offer]"), wholePage && !every);
    show(bar.querySelector("[data-bulk-clear]"), every);
  }

  function init(root) {
    (root || document).querySelectorAll("[data-pick-page]").forEach(function (header) {
      header.hidden = false;
    });
    (root || document).querySelectorAll("[data-no-js-all]").forEach(function (button) {
      button.hidden = true;
    });
    var list = document.getElementById("inbox-list");
    if (list) update(list);
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    var list = listOf(target);
    if (!list) return;
    var scope = list.querySelector("[data-bulk-scope]");
    if (target.matches("[data-pick-page]")) {
      boxes(list).forEach(function (b) { b.checked = target.checked; });
      if (scope) scope.value = "selected";
      update(list);
    } else if (target.matches('input[name="codes"]')) {
      if (scope) scope.value = "selected";
      update(list);
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-select-matching], [data-clear-selection]");
    var list = listOf(button);
    if (!list) return;
    var scope = list.querySelector("[data-bulk-scope]");
    if (button.matches("[data-select-matching]")) {
      boxes(list).forEach(function (b) { b.checked = true; });
      scope.value = "all";
    } else {
      boxes(list).forEach(function (b) { b.checked = false; });
      scope.value = "selected";
    }
    update(list);
  });

  // The live refresh would swap the list and lose a selection in progress: wait until the
  // leader has applied it or cleared it. The outcome of the last bulk action stays on screen
  // across refreshes (it lists what was skipped and why: it may take a while to read).
  var keptSummary = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    keptSummary = null;
    if (!elt || !elt.hasAttribute || !elt.hasAttribute("data-live-poll")) return;
    var list = listOf(elt);
    if (!list) return;
    if (boxes(list).some(function (b) { return b.checked; })) {
      event.preventDefault();
      return;
    }
    var summary = list.querySelector(".bulk-summary");
    keptSummary = summary ? summary.cloneNode(true) : null;
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!keptSummary || !target || target.id !== "inbox-list") return;
    var poller = target.querySelector("[data-live-poll]");
    if (poller && !target.querySelector(".bulk-summary")) poller.after(keptSummary);
    keptSummary = null;
  });

  document.addEventListener("htmx:afterSettle", function () { init(); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(); });
  } else {
    init();
  }
})();
