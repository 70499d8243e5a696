// Forms marked data-autosave save themselves a second after typing stops, and keep what was
// typed in this browser until the server has it, so a dropped connection or a refresh loses
// nothing.  Without JavaScript the form's own button saves.
(function () {
  "use strict";
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var status = form.querySelector("[data-autosave-status]");
    // Scoped by the conversation's store key when the form gives one: the phone's forms
    // post to the same address in every conversation.
    var scope = form.getAttribute("data-autosave");
    var key = "convo:autosave:" + (scope ? scope + ":" : "") + form.action;
    var timer = null;
    var saving = false;
    var again = false;

    function say(which, isError) {
      if (!status) { return; }
      status.textContent = status.getAttribute("data-" + which) || "";
      status.classList.toggle("is-error", !!isError);
    }

    function keepLocally() {
      var values = {};
      Array.prototype.forEach.call(form.elements, function (f) {
        if (f.tagName === "TEXTAREA" || f.type === "text") { values[f.name] = f.value; }
      });
      try { window.localStorage.setItem(key, JSON.stringify(values)); } catch (e) { /* ignore */ }
    }

    // Words kept from a save that never reached the server come back after a refresh.
    try {
      var kept = JSON.parse(window.localStorage.getItem(key) || "null");
      if (kept) {
        Object.keys(kept).forEach(function (name) {
          var f = form.elements.namedItem(name);
          if (f && f.value !== kept[name]) { f.value = kept[name]; }
        });
        timer = setTimeout(save, 500);
      }
    } catch (e) { /* ignore */ }

    function save() {
      if (saving) { again = true; return; }
      saving = true;
      say("saving");
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: {"X-Requested-With": "fetch", "Accept": "application/json"},
        body: new URLSearchParams(new FormData(form))
      }).then(function (response) {
        saving = false;
        if (!response.ok) { throw new Error(String(response.status)); }
        try { window.localStorage.removeItem(key); } catch (e) { /* ignore */ }
        say("saved");
        if (again) { again = false; save(); }
      }).catch(function () {
        saving = false;
        say("failed", true);
        clearTimeout(timer);
        timer = setTimeout(save, 3000);
      });
    }

    // Fields may sit anywhere on the page (form="..."), so listen on each of them.
    function changed() {
      keepLocally();
      say("unsaved");
      clearTimeout(timer);
      timer = setTimeout(save, 1000);
    }
    Array.prototype.forEach.call(form.elements, function (f) {
      if (f.tagName === "TEXTAREA" || f.type === "text") { f.addEventListener("input", changed); }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      save();
    });
    window.addEventListener("online", function () { if (window.localStorage.getItem(key)) { save(); } });
  });
})();
