/* Site behaviour. No inline scripts anywhere: the CSP allows only files from 'self'. */
(function () {
  "use strict";

  function showMessage(level, text) {
    var area = document.getElementById("flash");
    if (!area) { return; }
    var p = document.createElement("p");
    p.className = "flash flash--" + (level === "error" ? "error" : "info");
    p.textContent = text;
    area.appendChild(p);
  }

  // Server-sent messages: HX-Trigger: {"showMessage": {"level": "...", "message": "..."}}
  document.body.addEventListener("showMessage", function (evt) {
    var d = evt.detail || {};
    showMessage(d.level, d.message || "");
  });

  // Escape leaves an inline edit without saving (the form's Cancel link does the rest).
  document.body.addEventListener("keydown", function (evt) {
    if (evt.key !== "Escape") { return; }
    var form = evt.target.closest && evt.target.closest("form[data-escape-cancels]");
    var cancel = form && form.querySelector("[data-cancel]");
    if (cancel) { evt.preventDefault(); cancel.click(); }
  });

  // Print buttons (no inline handlers under the CSP).
  document.body.addEventListener("click", function (evt) {
    if (evt.target.closest && evt.target.closest("[data-print]")) { window.print(); }
  });

  // A region marked data-keep-scroll keeps its scroll position when a swap replaces it (the wall board's
  // columns, refreshed every minute).
  var kept = {};
  document.body.addEventListener("htmx:beforeSwap", function (evt) {
    kept = {};
    var target = evt.detail.target;
    if (!target || !target.querySelectorAll) { return; }
    target.querySelectorAll("[data-keep-scroll][id]").forEach(function (el) { kept[el.id] = el.scrollTop; });
  });
  document.body.addEventListener("htmx:afterSettle", function () {
    Object.keys(kept).forEach(function (id) {
      var el = document.getElementById(id);
      if (el) { el.scrollTop = kept[id]; }
    });
    kept = {};
  });

  // A request that failed without a message of its own still says so.
  document.body.addEventListener("htmx:sendError", function () {
    showMessage("error", "The server could not be reached. Check your connection and try again.");
  });
  document.body.addEventListener("htmx:responseError", function (evt) {
    var xhr = evt.detail.xhr;
    if (xhr && xhr.getResponseHeader("HX-Trigger")) { return; }
    showMessage("error", "Something went wrong (status " + (xhr ? xhr.status : "?") + "). Nothing was saved.");
  });
})();
