// The facilitator console: fast capture that never loses a word, keyboard shortcuts, and
// live regions that follow every change (from this tab, another tab or participants' phones).
// Without this script every control still works as an ordinary form.
(function () {
  "use strict";
  var root = document.querySelector("[data-console]");
  if (!root) { return; }

  // Kept per conversation, under a name no later conversation can share (see store_key).
  var store = root.getAttribute("data-store") || root.getAttribute("data-conversation");
  var draftKey = "convo:draft:" + store;
  var captureForm = root.querySelector("[data-capture]");
  var textBox = captureForm ? captureForm.querySelector("textarea[name=text]") : null;
  var captureStatus = root.querySelector("[data-capture-status]");
  var connection = root.querySelector("[data-connection]");
  var csrf = captureForm ? captureForm.querySelector("input[name=csrf_token]").value : "";
  var live = null;
  var signedOut = false;
  var outbox = null;

  function t(key) {
    var el = document.getElementById("console-strings");
    return (el && el.getAttribute("data-" + key)) || key;
  }

  function setStatus(message, isError) {
    if (!captureStatus) { return; }
    captureStatus.textContent = message;
    captureStatus.classList.toggle("is-error", !!isError);
  }

  function setConnection(state) {
    if (!connection) { return; }
    if (signedOut) {
      connection.textContent = t("signedout");
      connection.classList.add("is-offline");
      return;
    }
    var waiting = outbox ? outbox.entries().length : 0;
    if (state === "reconnecting" || state === "offline") {
      connection.textContent = t("offline") + (waiting ? " " + t("waiting").replace("{n}", waiting) : "");
      connection.classList.add("is-offline");
    } else {
      connection.textContent = waiting ? t("waiting").replace("{n}", waiting) : "";
      connection.classList.remove("is-offline");
    }
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"X-Requested-With": "fetch", "X-CSRFToken": csrf, "Accept": "application/json"},
      body: body
    });
  }

  // --- capture: kept first (outbox.js), then sent; the server stores each client id once -----
  function saveDraft() {
    try { window.localStorage.setItem(draftKey, textBox.value); } catch (e) { /* ignore */ }
  }

  if (captureForm && textBox && window.ConvoOutbox) {
    outbox = window.ConvoOutbox.create({
      key: "convo:queue:" + store,
      url: captureForm.action,
      fields: function () { return {csrf_token: csrf}; },
      headers: function () { return {"X-CSRFToken": csrf}; },
      on: {
        changed: function () { setConnection(signedOut ? "offline" : "live"); },
        sent: function (entry, data) {
          signedOut = false;
          setStatus(data.note || t("saved"), !!data.note);
          if (live) { live.now(); }
        },
        refused: function (entry, reason) {
          // Not storable as it is: hand the words back to the person, with the reason.
          if (!textBox.value) { textBox.value = entry.text; saveDraft(); }
          setStatus(reason || t("notsaved"), true);
        },
        busy: function () { setStatus(t("busy"), true); },
        signedOut: function () {
          signedOut = true;
          setConnection("offline");
          setStatus(t("signedout"), true);
        },
        offline: function () {
          setConnection("offline");
          setStatus(t("queued"), true);
        }
      }
    });
    if (!textBox.value) {
      try { textBox.value = window.localStorage.getItem(draftKey) || ""; } catch (e) { /* ignore */ }
    }
    textBox.addEventListener("input", saveDraft);
    textBox.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        captureForm.requestSubmit();
      }
    });
    captureForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = textBox.value.trim();
      if (!text) { setStatus(t("empty"), true); return; }
      var here = document.getElementById("live-question");
      textBox.value = "";
      saveDraft();
      setStatus(t("saving"));
      outbox.add({
        text: text,
        kind: (captureForm.querySelector("input[name=kind]:checked") || {}).value || "note",
        raised_by: (captureForm.querySelector("input[name=raised_by]:checked") || {}).value || "both",
        stage_id: here ? here.getAttribute("data-stage") : "",
        question_id: here ? here.getAttribute("data-question") : ""
      });
      textBox.focus();
    });
    outbox.flush();
  }

  // --- keyboard shortcuts ----------------------------------------------------------------------
  function choose(name, key) {
    var input = captureForm && captureForm.querySelector("input[name=" + name + "][data-key='" + key + "']");
    if (input) { input.checked = true; return true; }
    return false;
  }

  function navigate(direction) {
    var button = root.querySelector("[data-shortcut=" + direction + "]");
    if (button && !button.disabled) { button.form.requestSubmit(); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey && !event.ctrlKey && !event.metaKey) {
      var code = event.code || "";
      if (code === "ArrowDown") { event.preventDefault(); navigate("next"); return; }
      if (code === "ArrowUp") { event.preventDefault(); navigate("back"); return; }
      // The shared screen's pages (a long list, the draft summary).
      if (code === "PageDown") { event.preventDefault(); navigate("page-next"); return; }
      if (code === "PageUp") { event.preventDefault(); navigate("page-back"); return; }
      var letter = code.indexOf("Key") === 0 ? code.slice(3).toLowerCase() : "";
      var digit = code.indexOf("Digit") === 0 ? code.slice(5) : "";
      if ((letter && choose("kind", letter)) || (digit && choose("raised_by", digit))) {
        event.preventDefault();
      }
      return;
    }
    var tag = (event.target.tagName || "").toLowerCase();
    var typing = tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable;
    if (!typing && event.key === "/" && textBox) { event.preventDefault(); textBox.focus(); }
  });

  // --- every other console form: send in the background, then refresh the live regions -------
  // (except those marked data-navigate: starting, closing and reopening change the whole page,
  // and closing goes on to the summary, so they stay ordinary form posts; and those marked
  // data-save, which edit shared words and are saved by autosave.js against what was shown)
  root.addEventListener("submit", function (event) {
    var form = event.target;
    if (form === captureForm || form.method.toLowerCase() !== "post" ||
        form.hasAttribute("data-navigate") || form.hasAttribute("data-save")) { return; }
    event.preventDefault();
    var body = new URLSearchParams(new FormData(form));
    if (event.submitter && event.submitter.name) { body.append(event.submitter.name, event.submitter.value); }
    post(form.action, body).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok && data.ok) {
          form.removeAttribute("data-dirty");
          if (live) { live.now(); }
          return;
        }
        window.alert(data.message || t("notsaved"));
        // Refused as out of date (another tab changed it first): show what it is now.
        if (response.status === 409 && live) { live.now(); }
      });
    }).catch(function () {
      setConnection("offline");
      window.alert(t("noconnection"));
    });
  });

  // A choice half-made in another form (say, how last time's action is going) is marked, so
  // live refreshes never undo it.  (autosave.js marks its own forms.)
  root.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form !== captureForm && !form.hasAttribute("data-save")) { form.setAttribute("data-dirty", "1"); }
  });

  // --- live regions --------------------------------------------------------------------------
  // A region is swapped whole; the control that had focus (found again by its id) gets it back,
  // so a keyboard user who pressed Next or a screen button stays where they were.
  function busy(region) {
    var active = document.activeElement;
    if (active && region.contains(active) && active !== document.body &&
        /^(input|textarea|select)$/i.test(active.tagName) && active.type !== "radio" && active.type !== "checkbox") {
      return true;
    }
    return !!region.querySelector("form[data-dirty]");
  }

  // The server sends only the regions that show points and actions while nothing else has
  // changed since this page's version (it can tell from the version asked with).  A region
  // kept as it was because someone was typing in it, or an answer without the whole view,
  // makes the next answer a whole one, so everything is brought up to date as soon as it can.
  var whole = false;

  function swap(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var view = holder.querySelector("[data-phone-version]");
    var kept = false;
    holder.querySelectorAll("[id^='live-']").forEach(function (fresh) {
      var current = document.getElementById(fresh.id);
      if (!current) { return; }
      if (busy(current)) {
        kept = true;
        // Someone is typing here: bring in only what they aren't changing (autosave.js).
        if (window.ConvoSave) {
          current.querySelectorAll("form[data-save]").forEach(function (form) {
            var twin = fresh.querySelector("form[data-save][action='" + form.getAttribute("action") + "']");
            if (twin) { window.ConvoSave.update(form, twin); }
          });
        }
        return;
      }
      var open = [];
      current.querySelectorAll("details[open]").forEach(function (d) {
        var owner = d.closest("[id]");
        open.push(owner ? owner.id + "|" + Array.prototype.indexOf.call(owner.querySelectorAll("details"), d) : "");
      });
      var focusedId = document.activeElement && current.contains(document.activeElement) ? document.activeElement.id : null;
      current.replaceWith(fresh);
      open.forEach(function (key) {
        var parts = key.split("|");
        var owner = document.getElementById(parts[0]);
        var d = owner && owner.querySelectorAll("details")[Number(parts[1])];
        if (d) { d.open = true; }
      });
      if (focusedId && document.getElementById(focusedId)) { document.getElementById(focusedId).focus(); }
    });
    whole = kept || !view;
  }

  // autosave.js asks for a refresh after each save, so this tab shows it at once.
  window.ConvoConsole = {refresh: function () { if (live) { live.now(); } }};

  if (window.ConvoLive) {
    live = window.ConvoLive.follow({
      url: root.getAttribute("data-view-url"),
      version: root.getAttribute("data-version"),
      interval: 1000,
      query: function () { return whole ? "whole=1" : ""; },
      onUpdate: swap,
      onStatus: function (state) {
        setConnection(state === "reconnecting" ? "offline" : "live");
        if (state === "live" && outbox) { outbox.flush(); }
      },
      onGone: function (status) {
        if (status !== 401) { window.location.reload(); return; }
        // Signed out: say so, and keep everything typed (the capture box and the points
        // waiting to be sent stay in this browser until the facilitator is back).
        if (connection) {
          connection.textContent = t("signedout");
          connection.classList.add("is-offline");
        }
        signedOut = true;
      }
    });
  }
})();
