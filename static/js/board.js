/* The debrief board: drag a card to another column (Sortable.js), moved on the server through htmx.
   Every drag has a keyboard twin: the "Move to…" form on each card, which also works without JavaScript. */
(function () {
  "use strict";
  var origins = {};  // card id -> where it was dragged from, to put it back if the move is refused

  function csrfHeaders() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}"); } catch (e) { return {}; }
  }

  function submitMove(evt) {
    var card = evt.item;
    var to = evt.to.getAttribute("data-stage");
    origins[card.id] = { list: evt.from, index: evt.oldIndex };
    htmx.ajax("POST", card.getAttribute("data-move-url"), {
      source: card,
      target: card,
      swap: "outerHTML",
      headers: csrfHeaders(),
      values: { to_stage: to, from_stage: card.getAttribute("data-stage") }
    });
  }

  function putBack(id) {
    var origin = origins[id];
    var card = document.getElementById(id);
    delete origins[id];
    if (!origin || !card) { return; }
    var before = origin.list.children[origin.index] || null;
    origin.list.insertBefore(card, before === card ? card.nextSibling : before);
  }

  htmx.onLoad(function (root) {
    var lists = [];
    if (root.matches && root.matches(".kcol__cards[data-droppable]")) { lists.push(root); }
    root.querySelectorAll && root.querySelectorAll(".kcol__cards[data-droppable]").forEach(function (el) { lists.push(el); });
    lists.forEach(function (list) {
      if (list._sortable) { return; }
      list._sortable = new Sortable(list, {
        group: "board",
        sort: false,  // columns keep the server's order; a card only moves between columns
        animation: 120,
        forceFallback: true,  // Sortable's own pointer dragging: the same on every browser and touch screen
        draggable: ".kcard",
        filter: "select, button, a, input, label",
        preventOnFilter: false,
        ghostClass: "kcard--ghost",
        onAdd: submitMove
      });
    });
  });

  // "Leave it where it is" closes the message in place (the link reloads the board without JavaScript).
  document.body.addEventListener("click", function (evt) {
    var link = evt.target.closest && evt.target.closest("[data-dismiss-message]");
    var box = document.getElementById("board-message");
    if (!link || !box || !box.contains(link)) { return; }
    evt.preventDefault();
    var card = document.getElementById(link.getAttribute("data-dismiss-message"));
    box.innerHTML = "";
    var ref = card && card.querySelector(".kcard__ref");
    if (ref) { ref.focus(); }
  });

  document.body.addEventListener("moveRefused", function (evt) { putBack(evt.detail.id); });
  document.body.addEventListener("moveStale", function () { origins = {}; });

  document.body.addEventListener("focusCard", function (evt) {
    delete origins[evt.detail.id];
    var link = document.querySelector("#" + evt.detail.id + " .kcard__ref");
    if (link) { link.focus(); }
  });
  document.body.addEventListener("focusMessage", function () {
    var box = document.getElementById("board-message");
    var first = box && box.querySelector("textarea, input[type=checkbox], button");
    if (box) { (first || box).focus(); }
  });
})();
