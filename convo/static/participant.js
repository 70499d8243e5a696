// Participants' own devices.  Every page works without this file; it adds:
//  - following the conversation live (ConvoLive.follow, from live.js);
//  - adding points that survive a dropped connection, a refresh or a server restart: each
//    point waits in localStorage until the server acknowledges it (the server stores a
//    client id once, so sending again is always safe), and a half-typed point is kept too;
//  - saying plainly when there is no connection.
(function () {
  "use strict";

  var global = window;
  var messagesBox = document.getElementById("participant-messages");
  if (!messagesBox) { return; }
  var msg = messagesBox.dataset;
  var connection = document.getElementById("connection");

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      cache: "no-store",
      headers: {"Accept": "application/json"}
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return {status: response.status, data: data};
      });
    });
  }

  function setConnection(ok) {
    if (!connection) { return; }
    if (ok) {
      connection.hidden = true;
      connection.textContent = "";
    } else if (connection.hidden) {
      connection.textContent = msg.offline;
      connection.hidden = false;
    }
  }

  // A fresh form token (after a very long wait the old one expires): the live view has one.
  function freshToken() {
    var live = document.getElementById("live-view");
    var url = live ? live.dataset.url : "/p/view";
    return fetch(url, {credentials: "same-origin", cache: "no-store"})
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var match = /data-csrf="([^"]+)"/.exec(html);
        var token = match ? match[1] : null;
        if (token) {
          document.querySelectorAll("input[name=csrf_token]").forEach(function (input) {
            input.value = token;
          });
        }
        return token;
      });
  }

  // --- following the conversation ---------------------------------------------------------

  var live = document.getElementById("live-view");
  var addForm = document.getElementById("add-form");
  var outbox = null;

  function comparable(node) {
    var copy = node.cloneNode(true);
    copy.querySelectorAll("[data-csrf]").forEach(function (el) {
      el.removeAttribute("data-csrf");
    });
    return copy.innerHTML;
  }

  // A new question (or stage) is said once to screen readers, without taking the focus.
  function announce(now) {
    var box = document.getElementById("now-announce");
    if (!box) { return; }
    var question = live.querySelector(".now__question");
    var stage = live.querySelector(".now__stage span[dir]");
    var words = question ? box.getAttribute("data-new-question") + " " + question.textContent.trim()
      : (stage ? box.getAttribute("data-new-stage") + " " + stage.textContent.trim() : "");
    box.textContent = "";
    if (words) { setTimeout(function () { box.textContent = words; }, 100); }
  }

  if (live && global.ConvoLive) {
    global.ConvoLive.follow({
      url: live.dataset.url,
      version: live.dataset.version,
      interval: 1500,
      onUpdate: function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var now = holder.querySelector(".now");
        if (!now) { return; }
        if (now.dataset.closed && addForm) { global.location.reload(); return; }
        if (now.dataset.csrf) {
          document.querySelectorAll("input[name=csrf_token]").forEach(function (input) {
            input.value = now.dataset.csrf;
          });
        }
        // A point being typed belongs to the question it was started under.
        if (addForm && !addForm.elements.text.value.trim()) {
          addForm.elements.stage_id.value = now.dataset.stage || "";
          addForm.elements.question_id.value = now.dataset.question || "";
        }
        if (comparable(holder) !== comparable(live)) {
          var before = live.querySelector(".now");
          var moved = before && (before.dataset.question !== (now.dataset.question || "") ||
                                 before.dataset.stage !== (now.dataset.stage || ""));
          live.innerHTML = html;
          if (moved) { announce(now); }
        }
      },
      onStatus: function (state) {
        setConnection(state !== "reconnecting");
        if (state === "live" && outbox) { outbox.flush(); }
      },
      onGone: function () { global.location.reload(); }
    });
  }

  // --- adding points ------------------------------------------------------------------------

  var root = document.getElementById("participant");
  var storePrefix = root ? root.dataset.store : null;

  function load(name, fallback) {
    if (!storePrefix) { return fallback; }
    try {
      var value = global.localStorage.getItem(storePrefix + ":" + name);
      return value ? JSON.parse(value) : fallback;
    } catch (e) { return fallback; }
  }
  function store(name, value) {
    if (!storePrefix) { return; }
    try {
      if (value === null) { global.localStorage.removeItem(storePrefix + ":" + name); }
      else { global.localStorage.setItem(storePrefix + ":" + name, JSON.stringify(value)); }
    } catch (e) { /* private browsing: the server still has everything sent */ }
  }

  var unsentBox = document.getElementById("unsent");
  var unsentList = document.getElementById("unsent-items");
  var myItems = document.getElementById("my-items");
  var noItems = document.getElementById("no-items");
  var addStatus = document.getElementById("add-status");

  function showUnsent(entries) {
    if (!unsentBox) { return; }
    unsentList.textContent = "";
    entries.forEach(function (entry) {
      var li = document.createElement("li");
      li.className = "my-item my-item--unsent";
      var p = document.createElement("p");
      p.className = "my-item__text";
      p.dir = "auto";
      p.textContent = entry.text;
      li.appendChild(p);
      unsentList.appendChild(li);
    });
    unsentBox.hidden = entries.length === 0;
    if (!addForm && entries.length) {  // the conversation has closed: say what happened to them
      document.getElementById("unsent-hint").textContent = msg.unsentClosed;
    }
  }

  function say(text, isError) {
    if (!addStatus) { return; }
    addStatus.textContent = text || "";
    addStatus.classList.toggle("save-status--error", !!isError);
  }

  function countOf(text) { return Array.from(text).length; }

  function tooLong(text) {
    return msg.tooLong.replace("{count}", countOf(text).toLocaleString("en-GB"));
  }

  function checkedKind() {
    var checked = addForm.querySelector("input[name=kind]:checked");
    return checked ? checked.value : "note";
  }

  function setKind(value) {
    var input = addForm.querySelector("input[name=kind][value='" + value + "']");
    if (input) { input.checked = true; }
  }

  function saveDraft() {
    var text = addForm.elements.text.value;
    store("draft", text.trim() ? {text: text, kind: checkedKind()} : null);
  }

  function showItem(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    var item = holder.content.firstElementChild;
    if (item && !document.getElementById(item.id)) {
      myItems.appendChild(item);
    }
    if (noItems) { noItems.hidden = true; }
  }

  function putBack(entry, error) {
    var box = addForm.elements.text;
    box.value = box.value.trim() ? entry.text + "\n\n" + box.value : entry.text;
    setKind(entry.kind);
    saveDraft();
    say(error, true);
    box.focus();
  }

  // Points wait in this browser until the server has them (outbox.js, shared with the console).
  if (storePrefix && global.ConvoOutbox) {
    outbox = global.ConvoOutbox.create({
      key: storePrefix + ":queue",
      url: addForm ? addForm.action : "",
      ready: function () { return !!addForm; },
      fields: function () { return {csrf_token: addForm.elements.csrf_token.value}; },
      on: {
        changed: showUnsent,
        sent: function (entry, data) {
          setConnection(true);
          if (data.html) { showItem(data.html); }
          say(data.note || (outbox.entries().length ? msg.sending : msg.sent), !!data.note);
        },
        refused: function (entry, reason) { putBack(entry, reason); },
        renewToken: freshToken,
        busy: function (message, seconds, status) {
          say(status === 429 ? msg.slowDown.replace("{seconds}", seconds) : msg.busy, true);
        },
        signedOut: function () { global.location.reload(); },
        gone: function () { global.location.reload(); },
        offline: function () {
          setConnection(false);
          say(msg.queued);
        }
      }
    });
  }

  if (addForm && outbox) {
    var box = addForm.elements.text;
    var draft = load("draft", null);
    if (draft && !box.value.trim()) {
      box.value = draft.text;
      setKind(draft.kind);
    }
    box.addEventListener("input", saveDraft);
    addForm.addEventListener("change", saveDraft);

    addForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = box.value.trim();
      if (!text) { say(msg.empty, true); box.focus(); return; }
      if (countOf(text) > Number(msg.max)) { say(tooLong(text), true); box.focus(); return; }
      var entry = {
        client_id: addForm.elements.client_id.value,
        text: text,
        kind: checkedKind(),
        stage_id: addForm.elements.stage_id.value,
        question_id: addForm.elements.question_id.value
      };
      store("draft", null);
      box.value = "";
      setKind("note");
      addForm.elements.client_id.value = outbox.newId();
      say(msg.sending);
      outbox.add(entry);
    });
  }
  if (outbox) {
    showUnsent(outbox.entries());
    outbox.flush();
  }

  // Forms that save as you go (scores, changing a point) are autosave.js's (data-save).
})();
