// Following a conversation live: ask the server, about once a second, whether the
// conversation's version has moved on; fetch the new view only when it has.
//
//   ConvoLive.follow({url, version, interval, onUpdate(html, version), onStatus(state),
//                     query()})
//
// query(), if given, adds to each request's query string (the console says which phone
// version its regions were drawn at, so that it can be sent only the regions that changed).
//
// The server answers GET url?v=N with 204 (nothing new) or 200 and the new view, with the
// current version in the X-Convo-Version header.  Dropped networks and server restarts are
// retried with a gentle back-off; states reported: "live", "reconnecting", "stopped".
(function (global) {
  "use strict";

  function follow(options) {
    var version = Number(options.version || 0);
    var interval = options.interval || 1000;
    var failures = 0;
    var timer = null;
    var stopped = false;
    var inFlight = false;

    function report(state) {
      if (options.onStatus) { options.onStatus(state); }
    }

    function schedule(delay) {
      if (stopped) { return; }
      clearTimeout(timer);
      timer = setTimeout(poll, delay);
    }

    function poll() {
      if (stopped || inFlight) { return; }
      inFlight = true;
      var sep = options.url.indexOf("?") === -1 ? "?" : "&";
      var controller = global.AbortController ? new AbortController() : null;
      var guard = setTimeout(function () { if (controller) { controller.abort(); } }, 8000);
      var more = options.query ? options.query() : "";
      fetch(options.url + sep + "v=" + version + (more ? "&" + more : ""), {
        credentials: "same-origin",
        cache: "no-store",
        headers: {"Accept": "text/html"},
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        clearTimeout(guard);
        inFlight = false;
        if (response.status === 204) {
          failures = 0;
          report("live");
          schedule(interval);
          return null;
        }
        if (response.status === 200) {
          var next = Number(response.headers.get("X-Convo-Version") || version);
          return response.text().then(function (html) {
            failures = 0;
            version = next;
            report("live");
            options.onUpdate(html, version);
            schedule(interval);
          });
        }
        if ([401, 403, 404, 410].indexOf(response.status) !== -1) {
          stopped = true;
          report("stopped");
          if (options.onGone) { options.onGone(response.status); }
          return null;
        }
        throw new Error("status " + response.status);
      }).catch(function () {
        clearTimeout(guard);
        inFlight = false;
        failures += 1;
        report("reconnecting");
        schedule(Math.min(5000, interval * Math.pow(1.5, failures)));
      });
    }

    global.addEventListener("online", function () { failures = 0; schedule(0); });
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) { schedule(0); }
    });
    schedule(0);
    return {
      stop: function () { stopped = true; clearTimeout(timer); },
      now: function () { schedule(0); },
      version: function () { return version; }
    };
  }

  // --- clocks that move by themselves --------------------------------------------------------
  // An element with data-tick-seconds shows a time the server worked out when it drew the page
  // (seconds left, or seconds spent); from then on it counts here, once a second, so no clock
  // waits for the next change to move.  Counting from the moment the element arrived makes a
  // wrong clock on this device harmless.  Attributes:
  //   data-tick-seconds   the value when drawn          data-tick-step   -1 counts down, 1 up
  //   data-tick-running   "1" while it counts           data-tick-format "clock" (m:ss) or "minutes"
  //   data-tick-text      words with {t} for the time   data-tick-over   words once over
  //   data-tick-limit     (counting up) over after this many seconds
  var born = typeof WeakMap === "function" ? new WeakMap() : null;

  function show(el, now) {
    var start = born.get(el);
    if (start === undefined) { start = now; born.set(el, now); }
    var running = el.getAttribute("data-tick-running") === "1";
    var step = Number(el.getAttribute("data-tick-step") || -1);
    var value = Number(el.getAttribute("data-tick-seconds") || 0) +
      (running ? step * Math.floor((now - start) / 1000) : 0);
    var limit = el.hasAttribute("data-tick-limit") ? Number(el.getAttribute("data-tick-limit")) : null;
    var over = step < 0 ? value < 0 : (limit !== null && value > limit);
    var size = Math.abs(value);
    var shown;
    if (el.getAttribute("data-tick-format") === "clock") {
      var minutes = Math.floor(size / 60);
      var seconds = size % 60;
      shown = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
    } else {
      shown = String(step < 0 ? Math.ceil(size / 60) : Math.floor(size / 60));
    }
    var words = (over && el.getAttribute("data-tick-over")) || el.getAttribute("data-tick-text") || "{t}";
    var text = words.replace("{t}", shown);
    var target = el.querySelector("[data-tick-value]") || el;
    if (target.textContent !== text) { target.textContent = text; }
    el.classList.toggle("is-over", over);
  }

  function tickAll() {
    if (!born) { return; }
    var now = Date.now();
    document.querySelectorAll("[data-tick-seconds]").forEach(function (el) { show(el, now); });
  }

  if (born) {
    setInterval(tickAll, 1000);
    document.addEventListener("DOMContentLoaded", tickAll);
  }

  global.ConvoLive = {follow: follow, tick: tickAll};
})(window);
