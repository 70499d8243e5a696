// Points typed while the connection is down: the one queue, used by the facilitator's console
// (console.js) and participants' phones (participant.js).
//
//   var box = ConvoOutbox.open({key, url, token, headers, fresh, on...});
//   box.add({client_id, text, kind, ...});     kept in localStorage at once, then sent
//
// Each point waits in this browser (under `key`) until the server acknowledges it, so nothing
// is lost to a dropped connection, a refresh or a server restart; points go one at a time, in
// order, and the server stores each client id once, so sending again is always safe.
// Answers:
//   2xx          sent: forgotten here; on.sent(entry, data)
//   422          not storable as it is: forgotten here; on.refused(entry, data) hands it back
//   409          that client id was taken: the same words go again under a new id
//   400          the form's token expired: with `fresh` (a function returning a promise of
//                a new token) tried once more, otherwise refused like a 422
//   401/403      on.gone(status): return true to stop here (a reload), or it is tried again
//   other, none  on.offline(); tried again after 1, 2, 4 ... 15 seconds, and when online
(function (global) {
  "use strict";

  function newId() {
    var bytes = new Uint8Array(18);
    global.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function open(options) {
    var on = options.on || {};
    var sending = false;
    var retryTimer = null;
    var retryDelay = 1000;
    var queue = read();

    function read() {
      try { return JSON.parse(global.localStorage.getItem(options.key) || "[]") || []; } catch (e) { return []; }
    }
    function write() {
      try {
        global.localStorage.setItem(options.key, JSON.stringify(queue));
      } catch (e) { /* private browsing or full: kept in memory, the server has what is sent */ }
      if (on.change) { on.change(queue.slice()); }
    }
    function drop(entry) {
      queue = queue.filter(function (e) { return e.client_id !== entry.client_id; });
      write();
    }
    function retryLater() {
      clearTimeout(retryTimer);
      retryTimer = setTimeout(flush, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 15000);
    }

    function flush() {
      if (sending || !queue.length || (options.ready && !options.ready())) { return; }
      sending = true;
      var entry = queue[0];
      var body = new URLSearchParams();
      Object.keys(entry).forEach(function (name) {
        if (name !== "retried") { body.append(name, entry[name] === undefined || entry[name] === null ? "" : entry[name]); }
      });
      body.append("csrf_token", options.token());
      fetch(options.url, {
        method: "POST", credentials: "same-origin", cache: "no-store",
        headers: Object.assign({"Accept": "application/json", "X-CSRFToken": options.token()}, options.headers || {}),
        body: body
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          sending = false;
          var status = response.status;
          if (status >= 200 && status < 300 && data.ok !== false) {
            retryDelay = 1000;
            drop(entry);
            if (on.sent) { on.sent(entry, data, queue.length); }
            flush();
          } else if (status === 422 || (status === 400 && (entry.retried || !options.fresh))) {
            drop(entry);
            if (on.refused) { on.refused(entry, data); }
            flush();
          } else if (status === 409 && data.reason === "client_id") {
            entry.client_id = newId();
            write();
            flush();
          } else if (status === 400) {
            entry.retried = true;
            write();
            options.fresh().then(flush, retryLater);
          } else if ((status === 401 || status === 403) && on.gone && on.gone(status)) {
            return;
          } else {
            throw new Error("status " + status);
          }
        });
      }).catch(function () {
        sending = false;
        if (on.offline) { on.offline(); }
        retryLater();
      });
    }

    global.addEventListener("online", function () { retryDelay = 1000; flush(); });

    return {
      add: function (entry) {
        queue.push(entry);
        write();
        retryDelay = 1000;
        flush();
      },
      flush: flush,
      waiting: function () { return queue.slice(); }
    };
  }

  global.ConvoOutbox = {open: open, newId: newId};
})(window);
