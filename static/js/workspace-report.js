/* The workspace report page: refusals are swapped in like successes, and the response
   template picker fills the answer field without a page load. No inline script (CSP). */
(function () {
  "use strict";

  // A refused action (400: the service said why; 403: not allowed) comes back as the live
  // part of the page with the message on the form: show it instead of ignoring it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 403) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // The template picker: load the chosen template's text into the answer field (htmx GET
  // of workspace:response_template). Without JavaScript the form reloads the page instead.
  function loadTemplate(form) {
    var select = form.querySelector("select");
    var option = select.options[select.selectedIndex];
    if (!option || !option.dataset.url || !window.htmx) return false;
    window.htmx.ajax("GET", option.dataset.url, {
      target: "#" + form.dataset.target,
      swap: "outerHTML",
    });
    return true;
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-template-picker]");
    if (form) loadTemplate(form);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target.closest && event.target.closest("form[data-template-picker]");
    if (form && loadTemplate(form)) event.preventDefault();
  });
})();
