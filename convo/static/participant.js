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

  function randomId() {
    var bytes = new Uint8Array(18);
    global.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  // --- following the conversation ---------------------------------------------------------

  var live = document.getElementById("live-view");
  var addForm = document.getElementById("add-form");

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
        if (state === "live") { flush(); }
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

  var queue = load("queue", []);
  var unsentBox = document.getElementById("unsent");
  var unsentList = document.getElementById("unsent-items");
  var myItems = document.getElementById("my-items");
  var noItems = document.getElementById("no-items");
  var addStatus = document.getElementById("add-status");

  function showUnsent() {
    if (!unsentBox) { return; }
    unsentList.textContent = "";
    queue.forEach(function (entry) {
      var li = document.createElement("li");
      li.className = "my-item my-item--unsent";
      var p = document.createElement("p");
      p.className = "my-item__text";
      p.dir = "auto";
      p.textContent = entry.text;
      li.appendChild(p);
      unsentList.appendChild(li);
    });
    unsentBox.hidden = queue.length === 0;
    if (!addForm && queue.length) {  // the conversation has closed: say what happened to them
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

  function drop(entry) {
    queue = queue.filter(function (e) { return e.client_id !== entry.client_id; });
    store("queue", queue);
    showUnsent();
  }

  var sending = false;
  var retryTimer = null;
  var retryDelay = 1000;

  function retryLater() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 15000);
  }

  function flush() {
    if (!addForm || sending || !queue.length) { return; }
    sending = true;
    var entry = queue[0];
    var body = new URLSearchParams();
    body.append("csrf_token", addForm.elements.csrf_token.value);
    body.append("client_id", entry.client_id);
    body.append("text", entry.text);
    body.append("kind", entry.kind);
    body.append("stage_id", entry.stage_id || "");
    body.append("question_id", entry.question_id || "");
    post(addForm.action, body).then(function (result) {
      sending = false;
      var status = result.status;
      if (status === 200 || status === 201) {
        retryDelay = 1000;
        setConnection(true);
        drop(entry);
        if (result.data.html) { showItem(result.data.html); }
        say(result.data.note || (queue.length ? msg.sending : msg.sent), !!result.data.note);
        flush();
      } else if (status === 422) {
        drop(entry);
        putBack(entry, result.data.error);
        flush();
      } else if (status === 409) {  // that id was taken: the same words with a new id
        entry.client_id = randomId();
        store("queue", queue);
        flush();
      } else if (status === 400 && !entry.retried) {  // the form token expired
        entry.retried = true;
        freshToken().then(flush, retryLater);
      } else if (status === 400) {
        drop(entry);
        putBack(entry, "");
      } else if (status === 401 || status === 403) {  // closed, or this device was removed
        global.location.reload();
      } else {
        throw new Error("status " + status);
      }
    }).catch(function () {
      sending = false;
      setConnection(false);
      say(msg.queued);
      retryLater();
    });
  }

  if (addForm) {
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
      queue.push({
        client_id: addForm.elements.client_id.value,
        text: text,
        kind: checkedKind(),
        stage_id: addForm.elements.stage_id.value,
        question_id: addForm.elements.question_id.value
      });
      store("queue", queue);
      store("draft", null);
      box.value = "";
      setKind("note");
      addForm.elements.client_id.value = randomId();
      showUnsent();
      say(msg.sending);
      retryDelay = 1000;
      flush();
    });
    global.addEventListener("online", function () { retryDelay = 1000; flush(); });
  }
  showUnsent();
  flush();

  // Forms that save as you go (scores, changing a point) are autosave.js's (data-save).
})();
