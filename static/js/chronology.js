/* Inline editing of chronology rows: click a row or press Enter on it to edit; in the row,
   Enter saves and Escape cancels; one row in edit at a time. Every row also has an Edit link
   to a full-page form, which is what works without JavaScript. */
(function () {
  "use strict";
  var rows = function () { return document.getElementById("chronology-rows"); };

  function editingRow() { return document.querySelector("#chronology-rows tr.crow--editing"); }

  function say(text) {
    var box = document.getElementById("chronology-message");
    if (box) { box.innerHTML = ""; var p = document.createElement("p"); p.className = "flash flash--info"; p.textContent = text; box.appendChild(p); }
  }

  function focusFirstField(row) {
    var first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) { first.focus(); }
  }

  function openEdit(row) {
    var current = editingRow();
    if (current) {
      say("Save or cancel the entry you are editing first.");
      focusFirstField(current);
      return;
    }
    htmx.ajax("GET", row.getAttribute("data-edit-url"), { source: row, target: row, swap: "outerHTML" });
  }

  document.addEventListener("click", function (evt) {
    var body = rows();
    if (!body || !body.contains(evt.target)) { return; }
    if (evt.target.closest("a, button, input, select, textarea, label, form")) { return; }
    var row = evt.target.closest("tr[data-edit-url]");
    if (row) { openEdit(row); }
  });

  document.addEventListener("keydown", function (evt) {
    var body = rows();
    if (!body || !body.contains(evt.target)) { return; }
    var target = evt.target;
    if (evt.key === "Enter" && target.matches("tr[data-edit-url]")) {
      evt.preventDefault();
      openEdit(target);
      return;
    }
    var form = target.closest("tr.crow--editing");
    if (!form) { return; }
    if (evt.key === "Escape") {
      evt.preventDefault();
      form.querySelector("[data-cancel]").click();
    } else if (evt.key === "Enter" && !target.matches("textarea, button, a")) {
      evt.preventDefault();
      form.querySelector("[data-save]").click();
    }
  });

  // "New entry" while another row is open: finish that one first.
  document.body.addEventListener("htmx:beforeRequest", function (evt) {
    if (evt.detail.elt && evt.detail.elt.id === "new-entry" && editingRow()) {
      evt.preventDefault();
      say("Save or cancel the entry you are editing first.");
      focusFirstField(editingRow());
    }
  });

  // A row just added goes to its place in date order at once (its data-sort: date, then timed before
  // untimed, then time, then entry order, as the server sorts), before the month heading it belongs under.
  function placeInOrder(row) {
    var body = rows();
    var key = row.getAttribute("data-sort");
    var month = key.slice(0, 7);
    var after = Array.from(body.querySelectorAll("tr[data-sort]")).find(function (r) {
      return r !== row && !r.hasAttribute("data-new") && r.getAttribute("data-sort") > key;
    });
    var before = after || null;
    if (after) {
      var heading = after.previousElementSibling;
      if (heading && heading.classList.contains("crow--month") && heading.getAttribute("data-month") !== month) {
        before = heading;
      }
    }
    body.insertBefore(row, before);
    row.removeAttribute("data-new");
    row.scrollIntoView({ block: "center" });
  }

  // After a swap, put the keyboard where the user expects it.
  document.body.addEventListener("htmx:afterSettle", function (evt) {
    var empty = document.querySelector("#chronology-rows tr.crow--empty");
    if (empty && empty.parentNode.children.length > 1) { empty.remove(); }
    var added = document.querySelectorAll("#chronology-rows tr[data-new]");
    if (added.length) {
      added.forEach(placeInOrder);
      var next = document.querySelector("#chronology-rows tr.crow--editing");
      if (next) { focusFirstField(next); } else { added[added.length - 1].focus(); }
      return;
    }
    var el = evt.detail.elt;
    if (!el || !el.matches) { return; }
    if (el.matches("tr.crow--editing")) { focusFirstField(el); return; }
    var row = el.matches("tbody") ? el.querySelector("tr.crow--editing") : null;
    if (row) { focusFirstField(row); return; }
    if (el.matches("tr[data-edit-url]")) { el.focus(); }
  });
})();
