/* Live figures that are polled (htmx `every …` on an element with data-live-poll): no poll
   while the tab is hidden (nobody reads it; a backgrounded tab of every officer would still
   cost a query a minute each), and one right away when the tab is shown again, so a page
   left open at 13:59 shows 14:00's overdue reports as soon as someone looks. No inline
   script and no htmx trigger filters (those need eval, which our CSP refuses). */
(function () {
  "use strict";

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-live-poll") && document.hidden) {
      event.preventDefault();
    }
  });

  document.addEventListener("visibilitychange", function () {
    if (document.hidden || !window.htmx) return;
    document.querySelectorAll("[data-live-poll]").forEach(function (elt) {
      window.htmx.trigger(elt, "live-refresh");
    });
  });
})();
