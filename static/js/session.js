/* Sessions that do not lose work.
 *
 * 1. Before an idle session ends, a warning (announced, focus on its button) offers "Stay signed in".
 *    The server is asked first how long is really left, so another tab's activity counts.
 * 2. Text that could not be saved because the session had ended is kept in this tab (sessionStorage,
 *    cleared by signing out) and put back into the same form after signing in again:
 *    - an htmx save answered 401 keeps the fields it sent;
 *    - a full-page form that lands on the sign-in page keeps the fields it sent;
 *    - when the warning runs out, every form on the page with changes is kept.
 *    If the form is not on the page any more (an inline editor), the kept text is shown to copy back.
 */
(function () {
  "use strict";

  var KEY = "hpd-kept-text";
  var WARN_BEFORE = 120; // seconds
  var body = document.body;
  var idle = parseInt(body.getAttribute("data-idle-seconds") || "0", 10);
  var here = location.pathname + location.search;

  function csrf() {
    try { return JSON.parse(body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function announce(level, text) {
    body.dispatchEvent(new CustomEvent("showMessage", { detail: { level: level, message: text } }));
  }

  // ---- keeping text ---------------------------------------------------------------------------------

  function fieldsOf(form, data) {
    var out = [];
    var entries = data ? Array.from(data.entries()) : Array.from(new FormData(form).entries());
    entries.forEach(function (pair) {
      if (pair[0] === "csrf_token" || typeof pair[1] !== "string") { return; }
      out.push([pair[0], pair[1]]);
    });
    return out;
  }

  // How to find the form again after signing in: its id, or what it posts to (for an inline editor that is
  // not a form, the button's own target).
  function formKey(form, elt) {
    var action = form.tagName === "FORM" ? (form.getAttribute("action") || form.getAttribute("hx-post")) : null;
    return { id: form.id || "", action: action || (elt && elt.getAttribute("hx-post")) || "" };
  }

  function labelFor(form, name) {
    var input = form && form.querySelector("[name='" + CSS.escape(name) + "']");
    var label = input && input.id && document.querySelector("label[for='" + CSS.escape(input.id) + "']");
    return label ? label.textContent.trim() : name;
  }

  function typedIn(form, name) {
    var selector = "[name='" + CSS.escape(name) + "']";
    var el = form.matches(selector) ? form : form.querySelector(selector);
    return !!el && (el.tagName === "TEXTAREA" || /^(text|search|email|url|tel|date|time|number)$/.test(el.type));
  }

  // Several requests can be refused at once (a save, and the name check its field ran on leaving it): what
  // each sent is merged into one record per form, the later value winning.
  function keep(forms, refused) {
    if (!forms.length) { return; }
    var kept = null;
    try { kept = JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { kept = null; }
    if (!kept || kept.path !== here || kept.refused !== refused || Date.now() - kept.at > 60000) {
      kept = { path: here, refused: refused, at: Date.now(), forms: [] };
    }
    forms.forEach(function (f) {
      var same = kept.forms.find(function (k) { return f.id ? k.id === f.id : k.action === f.action; });
      if (!same) { kept.forms.push(f); return; }
      f.fields.forEach(function (pair, i) {
        var at = same.fields.findIndex(function (p) { return p[0] === pair[0]; });
        if (at >= 0) { same.fields[at] = pair; same.typed[at] = same.typed[at] || f.typed[i]; }
        else { same.fields.push(pair); same.labels.push(f.labels[i]); same.typed.push(f.typed[i]); }
      });
    });
    kept.at = Date.now();
    sessionStorage.setItem(KEY, JSON.stringify(kept));
  }

  function snapshot(form, data, elt) {
    var fields = fieldsOf(form, data);
    var key = formKey(form, elt);
    return { id: key.id, action: key.action, fields: fields,
             labels: fields.map(function (f) { return labelFor(form, f[0]); }),
             typed: fields.map(function (f) { return typedIn(form, f[0]); }) };
  }

  function changed(form) {
    return Array.from(form.elements).some(function (el) {
      if (el.type === "hidden" || !el.name) { return false; }
      if (el.type === "checkbox" || el.type === "radio") { return el.checked !== el.defaultChecked; }
      if (el.tagName === "SELECT") {
        return Array.from(el.options).some(function (o) { return o.selected !== o.defaultSelected; });
      }
      return el.value !== el.defaultValue;
    });
  }

  // An htmx save refused because the session ended: keep what it sent, before htmx goes to the sign-in page.
  body.addEventListener("htmx:beforeOnLoad", function (evt) {
    var d = evt.detail;
    if (!d.xhr || d.xhr.status !== 401) { return; }
    // The fields sent came from a form, or from the row or block an inline editor's button includes.
    var form = d.elt && (d.elt.tagName === "FORM" ? d.elt : (d.elt.closest("form") || d.elt.closest("tr") ||
                                                            d.elt.parentElement.closest("[id]")));
    var data = d.requestConfig && d.requestConfig.formData;
    if (form && data && (d.requestConfig.verb || "").toLowerCase() !== "get") {
      keep([snapshot(form, data, d.elt)], true);
    }
  });

  // A full-page form: keep what it sends; whether it was refused is known on the next page.
  body.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (evt.defaultPrevented || form.hasAttribute("hx-post") || (form.method || "").toLowerCase() !== "post") { return; }
    if (form.closest("[data-no-keep]") || /\/(login|logout)(\/|$)/.test(form.getAttribute("action") || "")) { return; }
    keep([snapshot(form)], false);
  });

  function restore() {
    var kept;
    try { kept = JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { kept = null; }
    if (!kept) { return; }
    if (location.pathname === "/login" || location.pathname === "/login/code") {
      if (!kept.refused) { kept.refused = true; sessionStorage.setItem(KEY, JSON.stringify(kept)); }
      return; // signing in again: the text waits for the page it came from
    }
    if (!kept.refused || kept.path !== here || Date.now() - kept.at > 12 * 3600 * 1000) {
      sessionStorage.removeItem(KEY); // the form went through, or this is another page
      return;
    }
    sessionStorage.removeItem(KEY);
    var lost = [];
    var first = null, anyField = null;
    kept.forms.forEach(function (k) {
      var form = (k.id && document.getElementById(k.id)) ||
        Array.from(document.forms).find(function (f) { return formKey(f).action === k.action && k.action; });
      var inputs = form && k.fields.filter(function (pair) {
        return form.querySelector("[name='" + CSS.escape(pair[0]) + "']:not([type=hidden])");
      });
      if (!form || !inputs.length) { lost.push(k); return; }
      k.fields.forEach(function (pair) {
        var els = form.querySelectorAll("[name='" + CSS.escape(pair[0]) + "']");
        els.forEach(function (el) {
          if (el.type === "checkbox" || el.type === "radio") { el.checked = el.value === pair[1] || el.checked; }
          else if (el.type !== "file") {
            // Focus goes to the first field whose text differs from what the page came with: what was typed.
            if (!first && el.type !== "hidden" && el.value !== pair[1]) { first = el; }
            if (!anyField && el.type !== "hidden") { anyField = el; }
            el.value = pair[1];
          }
        });
      });
    });
    if (lost.length) { showLost(lost); }
    first = first || anyField;
    if (first) { first.focus(); }
    announce("info", "Your session had ended. What you typed has been put back: check it and save again.");
  }

  function showLost(forms) {
    var main = document.getElementById("main") || body;
    var box = document.createElement("section");
    box.className = "notice kept-text";
    box.setAttribute("aria-labelledby", "kept-text-h");
    var h = document.createElement("h2");
    h.id = "kept-text-h";
    h.textContent = "The text you typed before your session ended";
    box.appendChild(h);
    var p = document.createElement("p");
    p.textContent = "It was not saved. Open the form again and copy it back.";
    box.appendChild(p);
    forms.forEach(function (k) {
      k.fields.forEach(function (pair, i) {
        if (!pair[1] || !k.typed[i]) { return; }
        var label = document.createElement("label");
        label.textContent = k.labels[i] || pair[0];
        var area = document.createElement("textarea");
        area.readOnly = true;
        area.className = "input";
        area.value = pair[1];
        var id = "kept-" + Math.random().toString(36).slice(2);
        area.id = id;
        label.htmlFor = id;
        box.appendChild(label);
        box.appendChild(area);
      });
    });
    main.insertBefore(box, main.firstChild);
    h.tabIndex = -1;
    h.focus();
  }

  // ---- the warning before an idle session ends ----------------------------------------------------------

  var timer = null;
  var countdown = null;
  var dialog = null;

  function schedule(seconds) {
    clearTimeout(timer);
    timer = setTimeout(check, Math.max(5, seconds - WARN_BEFORE) * 1000);
  }

  function check() {
    fetch("/session/status", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { remaining: 0 }; })
      .then(function (d) {
        if (d.remaining > WARN_BEFORE + 10) { schedule(d.remaining); } else { warn(d.remaining); }
      })
      .catch(function () { schedule(60 + WARN_BEFORE); });
  }

  function warn(remaining) {
    if (!dialog) {
      dialog = document.createElement("div");
      dialog.className = "session-warning";
      dialog.setAttribute("role", "alertdialog");
      dialog.setAttribute("aria-labelledby", "session-warning-text");
      dialog.innerHTML = '<p id="session-warning-text"></p><button type="button" class="button">Stay signed in</button>';
      body.appendChild(dialog);
      dialog.querySelector("button").addEventListener("click", stay);
    }
    var text = dialog.querySelector("p");
    var left = remaining;
    function tick() {
      if (left <= 0) {
        clearInterval(countdown);
        var dirty = Array.from(document.forms).filter(function (f) { return f.closest("main") && changed(f); });
        keep(dirty.map(function (f) { return snapshot(f); }), true);
        text.textContent = "Your session has ended. " + (dirty.length ? "What you typed is kept in this tab: " : "") +
          "sign in again to carry on.";
        var btn = dialog.querySelector("button");
        btn.textContent = "Sign in again";
        btn.removeEventListener("click", stay);
        btn.addEventListener("click", function () { location.href = "/login?next=" + encodeURIComponent(here); });
        return;
      }
      var m = Math.floor(left / 60), s = left % 60;
      text.textContent = "For your security you will be signed out in " + (m ? m + " min " : "") + s +
        " s, as nothing has been saved or opened for a while.";
      left -= 1;
    }
    clearInterval(countdown);
    tick();
    countdown = setInterval(tick, 1000);
    dialog.hidden = false;
    dialog.querySelector("button").focus();
  }

  function stay() {
    fetch("/session/keepalive", { method: "POST", credentials: "same-origin",
                                  headers: { "X-CSRFToken": csrf(), "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("ended"); } return r.json(); })
      .then(function (d) {
        clearInterval(countdown);
        dialog.hidden = true;
        announce("info", "You are still signed in.");
        schedule(d.remaining);
      })
      .catch(function () { warn(0); });
  }

  restore();
  if (idle > 0) {
    schedule(idle);
    // Any request the page makes keeps the session alive: start counting again.
    body.addEventListener("htmx:afterRequest", function () { if (!dialog || dialog.hidden) { schedule(idle); } });
  }
})();
