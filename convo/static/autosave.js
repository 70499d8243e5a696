// Forms that save themselves, against what their writer saw (convo/core/edits.py).
//
//   <form data-save="auto" data-save-store="KEY" data-save-next="URL">
//
// data-save="auto" saves a second after typing stops (at once for a choice); data-save alone
// saves when the form is submitted.  Either way the post goes in the background, one at a
// time per form, and every field's hidden "seen-<name>" fingerprint travels with it:
//  - saved (200): each field's fingerprint moves on to what is saved now; a field somebody
//    else changed, that this writer hasn't touched, shows their words;
//  - conflict (409): somebody else changed the same words.  Both wordings are shown, the
//    writer's stay in the box, and nothing is sent again until they choose which to keep;
//  - refused (422): the reason is shown; nothing was stored;
//  - no connection, server busy (503, with Retry-After) or down: tried again by itself, and
//    with data-save-store the words wait in this browser (with the fingerprints they were
//    typed against) through a refresh or a restart;
//  - signed out (401): said plainly; the words are kept and sent once signed in again;
//  - a participant removed or the conversation closed (403): the page reloads to say so.
// data-save-next: after a save the writer asked for with the form's button, go there.
// Without JavaScript the same forms post normally and the server answers with a page.
(function (global) {
  "use strict";

  var strings = null;
  function t(key) {
    if (!strings) { strings = document.getElementById("convo-save-strings"); }
    return (strings && strings.getAttribute("data-" + key)) || "";
  }

  var states = new WeakMap();

  function stateOf(form) {
    var state = states.get(form);
    if (!state) {
      state = {timer: null, inFlight: false, again: false, navigate: false, retryDelay: 1000,
               tokenRetried: false, conflicts: 0, synced: null};
      states.set(form, state);
      // What the server had when this form was last in step: the values the page was served
      // with (not the values now, which may already hold the writer's unsaved choices).
      state.synced = served(form);
    }
    return state;
  }

  function statusOf(form) {
    return form.querySelector("[data-save-status]") ||
      (form.id ? document.querySelector("[data-save-status][data-for='" + form.id + "']") : null);
  }

  function say(form, text, isError) {
    var status = statusOf(form);
    if (!status) { return; }
    status.textContent = text || "";
    status.classList.toggle("is-error", !!isError);
    status.classList.toggle("save-status--error", !!isError);
  }

  // --- fields: every one with a fingerprint, text boxes, choices and tick boxes alike ------

  function fieldNames(form) {
    var names = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.name.indexOf("seen-") === 0) { names.push(el.name.slice(5)); }
    });
    return names;
  }

  function field(form, name) { return form.elements.namedItem(name); }

  function valueOf(form, name) {
    var el = field(form, name);
    if (!el) { return ""; }
    if (el.type === "checkbox") { return el.checked ? "1" : ""; }
    return el.value === undefined ? "" : String(el.value);
  }

  function setValue(form, name, value) {
    var el = field(form, name);
    if (!el) { return; }
    if (el.type === "checkbox") { el.checked = value === "1"; return; }
    if (typeof RadioNodeList !== "undefined" && el instanceof RadioNodeList) {
      Array.prototype.forEach.call(el, function (radio) { radio.checked = radio.value === value; });
      return;
    }
    el.value = value;
  }

  function seenInput(form, name) { return field(form, "seen-" + name); }

  function servedValueOf(form, name) {
    var el = field(form, name);
    if (!el) { return ""; }
    if (el.type === "checkbox") { return el.defaultChecked ? "1" : ""; }
    if (typeof RadioNodeList !== "undefined" && el instanceof RadioNodeList) {
      var chosen = Array.prototype.filter.call(el, function (radio) { return radio.defaultChecked; })[0];
      return chosen ? chosen.value : "";
    }
    if (el.tagName === "SELECT") {
      var selected = Array.prototype.filter.call(el.options, function (o) { return o.defaultSelected; })[0];
      return selected ? selected.value : (el.options.length ? el.options[0].value : "");
    }
    return el.defaultValue === undefined ? "" : String(el.defaultValue);
  }

  function served(form) {
    var values = {};
    fieldNames(form).forEach(function (name) { values[name] = servedValueOf(form, name); });
    return values;
  }

  function snapshot(form) {
    var values = {};
    fieldNames(form).forEach(function (name) { values[name] = valueOf(form, name); });
    return values;
  }

  // --- kept in this browser until the server has it -------------------------------------------

  function storeKey(form) {
    var key = form.getAttribute("data-save-store");
    return key ? "convo:save:" + key + ":" + form.action : null;
  }

  function keepLocally(form) {
    var key = storeKey(form);
    if (!key) { return; }
    var seen = {};
    fieldNames(form).forEach(function (name) { seen[name] = seenInput(form, name).value; });
    try {
      global.localStorage.setItem(key, JSON.stringify({values: snapshot(form), seen: seen}));
    } catch (e) { /* private browsing or full: the server still gets what is sent */ }
  }

  function forget(form) {
    var key = storeKey(form);
    if (key) { try { global.localStorage.removeItem(key); } catch (e) { /* ignore */ } }
  }

  function restore(form) {
    var key = storeKey(form);
    if (!key) { return false; }
    var kept = null;
    try { kept = JSON.parse(global.localStorage.getItem(key) || "null"); } catch (e) { kept = null; }
    if (!kept || !kept.values) { return false; }
    var changed = false;
    Object.keys(kept.values).forEach(function (name) {
      var seen = seenInput(form, name);
      if (!seen) { return; }
      if (valueOf(form, name) !== kept.values[name]) {
        setValue(form, name, kept.values[name]);
        // Measured against what the words were typed against, not the page's fresh copy:
        // if somebody saved meanwhile, that is a conflict to show, never a silent overwrite.
        if (kept.seen && kept.seen[name]) { seen.value = kept.seen[name]; }
        changed = true;
      }
    });
    if (!changed) { forget(form); }
    return changed;
  }

  // --- conflicts ------------------------------------------------------------------------------

  function anchorFor(form, name) {
    var el = field(form, name);
    if (!el) { return null; }
    if (typeof RadioNodeList !== "undefined" && el instanceof RadioNodeList) {
      var last = el[el.length - 1];
      return {inside: last.closest("fieldset") || last.parentNode};
    }
    return {after: el.type === "checkbox" ? (el.closest(".checkbox") || el) : el};
  }

  function removeNotice(form, name) {
    var notice = form.querySelector("[data-conflict='" + cssEscape(name) + "']") ||
      document.querySelector("[data-conflict='" + cssEscape(name) + "'][data-form='" + form.id + "']");
    if (notice) { notice.remove(); }
  }

  function cssEscape(text) {
    return global.CSS && global.CSS.escape ? global.CSS.escape(text) : text.replace(/["'\\\]]/g, "\\$&");
  }

  function showConflict(form, conflict) {
    removeNotice(form, conflict.field);
    var where = anchorFor(form, conflict.field);
    if (!where) { return; }
    var id = "conflict-" + Math.random().toString(36).slice(2);
    var box = document.createElement("div");
    box.className = "conflict";
    box.setAttribute("role", "group");
    box.setAttribute("aria-labelledby", id);
    box.setAttribute("data-conflict", conflict.field);
    if (form.id) { box.setAttribute("data-form", form.id); }
    function para(cls, text) {
      var p = document.createElement("p");
      p.className = cls;
      p.textContent = text;
      box.appendChild(p);
      return p;
    }
    para("conflict__title", t("conflict-title")).id = id;
    para("conflict__lead", t("conflict-theirs"));
    var quote = document.createElement("blockquote");
    quote.className = "conflict__theirs prewrap";
    quote.dir = "auto";
    quote.textContent = conflict.shown || conflict.theirs;
    box.appendChild(quote);
    para("conflict__lead", t("conflict-choose"));
    var choices = document.createElement("div");
    choices.className = "conflict__choices";
    [["keep", "button button--small"], ["take", "button button--small button--secondary"]].forEach(function (pair) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = pair[1];
      button.textContent = t("conflict-" + pair[0]);
      button.addEventListener("click", function () { resolve(form, conflict, pair[0] === "take"); });
      choices.appendChild(button);
    });
    box.appendChild(choices);
    if (where.inside) { where.inside.appendChild(box); } else { where.after.insertAdjacentElement("afterend", box); }
    var control = field(form, conflict.field);
    if (control && control.setAttribute) {
      control.setAttribute("aria-describedby", ((control.getAttribute("aria-describedby") || "") + " " + id).trim());
    }
  }

  function resolve(form, conflict, takeTheirs) {
    var state = stateOf(form);
    if (takeTheirs) { setValue(form, conflict.field, conflict.theirs); }
    removeNotice(form, conflict.field);
    state.conflicts = Math.max(0, state.conflicts - 1);
    keepLocally(form);
    if (state.conflicts === 0) { send(form); }
    var control = field(form, conflict.field);
    if (control && control.focus) { control.focus(); }
  }

  // Conflict notices the server drew into a page (after a post without this script) get the
  // same buttons' behaviour.
  function wireServerNotices(form) {
    var notices = form.querySelectorAll("[data-conflict]");
    if (!notices.length) { return; }
    var state = stateOf(form);
    state.conflicts = notices.length;
    Array.prototype.forEach.call(notices, function (notice) {
      var name = notice.getAttribute("data-conflict");
      var theirs = notice.querySelector("[data-theirs]");
      var conflict = {field: name, theirs: theirs ? theirs.getAttribute("data-value") || theirs.textContent : ""};
      ["keep-mine", "take-theirs"].forEach(function (which) {
        var button = notice.querySelector("[data-" + which + "]");
        if (button) {
          button.addEventListener("click", function (event) {
            event.preventDefault();
            resolve(form, conflict, which === "take-theirs");
          });
        }
      });
    });
    form.setAttribute("data-dirty", "1");
  }

  // --- sending ------------------------------------------------------------------------------

  function schedule(form, wait) {
    var state = stateOf(form);
    clearTimeout(state.timer);
    state.timer = setTimeout(function () { send(form); }, wait);
  }

  function freshToken() {
    return fetch(global.location.href, {credentials: "same-origin", cache: "no-store"})
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var match = /name="csrf_token"[^>]*value="([^"]+)"/.exec(html) || /data-csrf="([^"]+)"/.exec(html);
        if (!match) { throw new Error("no token"); }
        document.querySelectorAll("input[name=csrf_token]").forEach(function (input) { input.value = match[1]; });
      });
  }

  function retryLater(form, seconds) {
    var state = stateOf(form);
    var wait = seconds ? seconds * 1000 : state.retryDelay;
    state.retryDelay = Math.min(state.retryDelay * 2, 15000);
    schedule(form, wait);
  }

  function send(form) {
    var state = stateOf(form);
    clearTimeout(state.timer);
    if (state.conflicts > 0) { return; }  // the writer chooses first
    if (state.inFlight) { state.again = true; return; }
    state.inFlight = true;
    state.again = false;
    var sent = snapshot(form);
    say(form, t("saving"));
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: {"X-Requested-With": "fetch", "Accept": "application/json"},
      body: new URLSearchParams(new FormData(form))
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        state.inFlight = false;
        handle(form, response, data, sent);
      });
    }).catch(function () {
      state.inFlight = false;
      say(form, t("offline"), true);
      retryLater(form);
    });
  }

  function handle(form, response, data, sent) {
    var state = stateOf(form);
    var status = response.status;
    if (status >= 200 && status < 300 && data.ok !== false) {
      state.retryDelay = 1000;
      state.tokenRetried = false;
      var fields = data.fields || {};
      Object.keys(fields).forEach(function (name) {
        var saved = fields[name];
        var seen = seenInput(form, name);
        if (!seen) { return; }
        if (saved.value === sent[name]) {
          seen.value = saved.seen;  // the writer's own words are what is saved now
          state.synced[name] = saved.value;
        } else if (valueOf(form, name) === sent[name]) {
          setValue(form, name, saved.value);  // somebody else's words, untouched here
          seen.value = saved.seen;
          state.synced[name] = saved.value;
        }
      });
      var unchanged = JSON.stringify(snapshot(form)) === JSON.stringify(sent);
      if (unchanged && !state.again) {
        forget(form);
        form.removeAttribute("data-dirty");
        say(form, data.note || t("saved"), !!data.note);
        if (state.navigate && form.getAttribute("data-save-next")) {
          global.location.assign(form.getAttribute("data-save-next"));
        }
      } else {
        keepLocally(form);
        send(form);
      }
      if (global.ConvoConsole) { global.ConvoConsole.refresh(); }
      return;
    }
    if (status === 409 && data.conflict) {
      (data.conflicts || []).forEach(function (conflict) {
        var seen = seenInput(form, conflict.field);
        if (seen) { seen.value = conflict.seen; }
        showConflict(form, conflict);
      });
      state.conflicts = (data.conflicts || []).length;
      keepLocally(form);
      say(form, t("conflict"), true);
      return;
    }
    if (status === 409 || status === 422) {
      var first = data.message || data.error || "";
      var errors = data.errors || {};
      Object.keys(errors).forEach(function (name) {
        if (!first && errors[name] && errors[name][0]) { first = errors[name][0]; }
      });
      say(form, first || t("refused"), true);
      return;
    }
    if (status === 400 && !state.tokenRetried) {  // the form's token expired
      state.tokenRetried = true;
      freshToken().then(function () { send(form); }, function () { retryLater(form); });
      return;
    }
    if (status === 401) {
      keepLocally(form);
      say(form, t("signed-out"), true);
      retryLater(form, 10);
      return;
    }
    if (status === 403 || status === 404) {
      keepLocally(form);
      global.location.reload();
      return;
    }
    var after = Number(response.headers.get("Retry-After"));
    say(form, status === 503 || status === 429 ? t("busy") : t("offline"), true);
    retryLater(form, after > 0 ? Math.min(after, 60) : 0);
  }

  // --- wiring: one listener for every form on the page, present or swapped in later ---------

  function saveForm(el) {
    var form = el && (el.form || (el.closest && el.closest("form")));
    return form && form.hasAttribute("data-save") ? form : null;
  }

  function changed(event) {
    var target = event.target;
    var form = saveForm(target);
    if (!form || !target.name || target.type === "hidden" || target.name.indexOf("seen-") === 0) { return; }
    form.setAttribute("data-dirty", "1");
    keepLocally(form);
    if (stateOf(form).conflicts === 0) { say(form, t("unsaved")); }
    if (form.getAttribute("data-save") === "auto") {
      var typing = target.tagName === "TEXTAREA" || (target.tagName === "INPUT" &&
        /^(text|email|url|search|number|tel)$/.test(target.type));
      if (typing && event.type === "input") { schedule(form, 1000); }
      if (!typing && event.type === "change") { schedule(form, 0); }
    }
  }

  document.addEventListener("input", changed);
  document.addEventListener("change", changed);
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-save")) { return; }
    event.preventDefault();
    var submitter = event.submitter;
    if (submitter && (submitter.name === "keep-mine" || submitter.name === "take-theirs")) {
      return;  // the notice's own buttons (wireServerNotices) decide
    }
    var state = stateOf(form);
    state.navigate = true;
    send(form);
  });
  global.addEventListener("online", function () {
    document.querySelectorAll("form[data-save][data-dirty]").forEach(function (form) {
      stateOf(form).retryDelay = 1000;
      send(form);
    });
  });

  function start(root) {
    (root || document).querySelectorAll("form[data-save]").forEach(function (form) {
      wireServerNotices(form);
      if (restore(form)) {
        form.setAttribute("data-dirty", "1");
        say(form, t("unsaved"));
        if (stateOf(form).conflicts === 0) { schedule(form, 500); }
      }
    });
  }

  // A newer copy of the form (the console's live view): take in every field that has no
  // unsaved words here and isn't being typed in; leave the rest, whose next save is then
  // measured against what the writer saw.
  function update(form, fresh) {
    var state = stateOf(form);
    fieldNames(fresh).forEach(function (name) {
      var mine = field(form, name);
      var seen = seenInput(form, name);
      if (!mine || !seen) { return; }
      var focused = document.activeElement && (document.activeElement === mine ||
        (mine.length && Array.prototype.indexOf.call(mine, document.activeElement) !== -1));
      if (valueOf(form, name) !== state.synced[name]) { return; }
      var newer = {value: valueOf(fresh, name), seen: seenInput(fresh, name).value};
      if (focused) {  // brought in when the writer moves on, if they haven't typed by then
        state.pending = state.pending || {};
        state.pending[name] = newer;
        return;
      }
      take(form, name, newer);
    });
  }

  function take(form, name, newer) {
    var state = stateOf(form);
    setValue(form, name, newer.value);
    seenInput(form, name).value = newer.seen;
    state.synced[name] = newer.value;
    if (state.pending) { delete state.pending[name]; }
  }

  document.addEventListener("focusout", function (event) {
    var form = saveForm(event.target);
    var state = form && states.get(form);
    var name = event.target.name;
    if (!state || !state.pending || !state.pending[name]) { return; }
    if (valueOf(form, name) === state.synced[name]) { take(form, name, state.pending[name]); }
    else { delete state.pending[name]; }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { start(); });
  } else {
    start();
  }
  global.ConvoSave = {start: start, send: send, update: update};
})(window);
