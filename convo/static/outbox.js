// Points typed on any device (the facilitator's console, a participant's phone) wait here until
// the server has them.  One queue, shared by console.js and participant.js.
//
//   var outbox = ConvoOutbox.create({key: "convo:queue:…", url: form.action,
//                                    fields: function () { return {csrf_token: …}; }, on: {…}});
//   outbox.add({client_id: …, text: …, kind: …});
//
// Each point is kept in this browser's localStorage (in memory if the browser won't store) from
// the moment it is added until the server answers that it has it, and the points are sent one
// at a time, oldest first.  The server stores each client id once, so sending again after a lost
// answer is always safe.  What happens to a point, by the server's answer:
//  - 200/201: stored.  on.sent(entry, data).
//  - 422 (or 400 when the form token can't be renewed): it can't be stored as it is; it leaves
//    the queue and on.refused(entry, reason) hands the words back to the person.
//  - 400 once: the form token expired; on.renewToken() fetches a fresh one, then it goes again.
//  - 409 with reason "client_id": that id was taken; the same words go again with a new id.
//  - 429 or 503: the server asks for a pause; on.busy(message, seconds, status), and the point
//    goes again after Retry-After.
//  - 401: signed out; on.signedOut(), and tried again now and then (signing in elsewhere works).
//  - 403: this device may no longer add points (removed, or the conversation closed): on.gone().
//  - no answer or anything else: on.offline(), and tried again, waiting a little longer each time
//    (up to five seconds), and at once when the browser says the connection is back.
// on.changed(entries) follows every change to what is waiting (to show it).
(function (global) {
  "use strict";

  var FIRST_WAIT = 1000;
  var LONGEST_WAIT = 5000;

  function newId() {
    var bytes = new Uint8Array(18);
    global.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function reasonOf(data) {
    if (!data) { return ""; }
    if (data.error) { return data.error; }
    var errors = data.errors || {};
    var first = Object.keys(errors).map(function (name) { return errors[name] && errors[name][0]; })
      .filter(Boolean)[0];
    return first || data.message || "";
  }

  function create(options) {
    var on = options.on || {};
    var memory = [];
    var sending = false;
    var timer = null;
    var wait = FIRST_WAIT;

    function read() {
      try {
        var kept = global.localStorage.getItem(options.key);
        return kept ? JSON.parse(kept) : [];
      } catch (e) { return memory.slice(); }
    }

    function write(entries) {
      memory = entries.slice();
      try {
        if (entries.length) { global.localStorage.setItem(options.key, JSON.stringify(entries)); }
        else { global.localStorage.removeItem(options.key); }
      } catch (e) { /* full or private browsing: kept in memory for this page */ }
      if (on.changed) { on.changed(entries); }
    }

    function without(entry) {
      return read().filter(function (e) { return e.client_id !== entry.client_id; });
    }

    function later(ms) {
      clearTimeout(timer);
      timer = setTimeout(flush, ms);
    }

    function backOff() {
      later(wait);
      wait = Math.min(wait * 2, LONGEST_WAIT);
    }

    function send(entry) {
      var body = new URLSearchParams();
      var extra = options.fields ? options.fields() : {};
      Object.keys(entry).forEach(function (name) {
        if (name !== "retried") { body.append(name, entry[name] === undefined ? "" : entry[name]); }
      });
      Object.keys(extra).forEach(function (name) { body.append(name, extra[name]); });
      return fetch(options.url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        cache: "no-store",
        headers: Object.assign({"Accept": "application/json", "X-Requested-With": "fetch"},
                               options.headers ? options.headers() : {})
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return {status: response.status, data: data, retryAfter: response.headers.get("Retry-After")};
        });
      });
    }

    function answered(entry, result) {
      var status = result.status;
      var data = result.data || {};
      if ((status === 200 || status === 201) && data.ok !== false) {
        wait = FIRST_WAIT;
        write(without(entry));
        if (on.sent) { on.sent(entry, data); }
        flush();
      } else if (status === 422 || (status === 400 && (entry.retried || !on.renewToken))) {
        write(without(entry));
        if (on.refused) { on.refused(entry, reasonOf(data)); }
        flush();
      } else if (status === 400) {
        write(read().map(function (e) {
          return e.client_id === entry.client_id ? Object.assign({}, e, {retried: true}) : e;
        }));
        on.renewToken().then(flush, backOff);
      } else if (status === 409 && data.reason === "client_id") {
        var fresh = newId();
        write(read().map(function (e) {
          return e.client_id === entry.client_id ? Object.assign({}, e, {client_id: fresh}) : e;
        }));
        flush();
      } else if (status === 429 || status === 503) {
        var seconds = Math.min(Math.max(parseInt(result.retryAfter, 10) || 2, 1), 60);
        if (on.busy) { on.busy(reasonOf(data), seconds, status); }
        later(seconds * 1000);
      } else if (status === 401) {
        if (on.signedOut) { on.signedOut(); }
        later(LONGEST_WAIT);
      } else if (status === 403 && on.gone) {
        on.gone();
      } else {
        throw new Error("status " + status);
      }
    }

    function flush() {
      clearTimeout(timer);
      if (sending || (options.ready && !options.ready())) { return; }
      var entry = read()[0];
      if (!entry) { if (on.changed) { on.changed([]); } return; }
      sending = true;
      send(entry).then(function (result) {
        sending = false;
        answered(entry, result);
      }).catch(function () {
        sending = false;
        if (on.offline) { on.offline(); }
        backOff();
      });
    }

    global.addEventListener("online", function () { wait = FIRST_WAIT; flush(); });

    return {
      add: function (entry) {
        var kept = Object.assign({client_id: newId()}, entry);
        var entries = read();
        entries.push(kept);
        write(entries);
        wait = FIRST_WAIT;
        flush();
        return kept;
      },
      entries: read,
      flush: flush,
      newId: newId
    };
  }

  global.ConvoOutbox = {create: create};
})(window);
