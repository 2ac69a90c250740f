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

  // Focus never falls back to the top of the page after a swap. If it was inside what was replaced (a row
  // signed off, sent back or saved, a form refused or in conflict), it goes to what replaced it: first an
  // error summary, conflict panel or alert in it, else the new content itself, else the message area.
  var hadFocus = false;
  document.body.addEventListener("htmx:beforeSwap", function (evt) {
    var target = evt.detail.target;
    hadFocus = !!(target && target.contains && target.contains(document.activeElement));
  });
  document.body.addEventListener("htmx:afterSettle", function (evt) {
    var active = document.activeElement;
    if (!hadFocus || (active && active !== document.body && document.contains(active))) { return; }
    hadFocus = false;
    var el = evt.detail.elt;
    var into = el && document.contains(el) ? el : null;
    var spot = (into && into.querySelector && into.querySelector(".error-summary, .conflict, [role=alert]")) ||
      into || document.getElementById("flash");
    if (!spot) { return; }
    if (!spot.matches("a, button, input, select, textarea, [tabindex]")) { spot.setAttribute("tabindex", "-1"); }
    spot.focus();
  });

  // A full page that comes back with form errors puts focus on their summary.
  var summary = document.querySelector(".error-summary");
  if (summary) {
    if (!summary.hasAttribute("tabindex")) { summary.setAttribute("tabindex", "-1"); }
    summary.focus();
  }

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
