// The shared screen: follow the conversation and swap in each new view as it comes.
// The first view is already in the page (rendered on the server); this only keeps it live.
// A short "Reconnecting…" notice shows only when the server has been unreachable for a
// couple of seconds, so a single dropped request doesn't flash it on the projector.
// Every view is paged on the server to fit a 16:9 screen; if one still doesn't fit (another
// shape of screen, a browser with toolbars), the type is made a little smaller until it does.
(function () {
  "use strict";

  var view = document.getElementById("screen-view");
  if (!view || !window.ConvoLive) { return; }
  var reconnecting = document.getElementById("screen-reconnecting");
  var stopped = document.getElementById("screen-stopped");
  var gone = document.getElementById("screen-gone");
  var pending = null;
  var root = document.documentElement;

  function fit() {
    var scale = 1;
    root.style.setProperty("--fit", "1");
    while (root.scrollHeight > window.innerHeight + 1 && scale > 0.6) {
      scale = Math.round((scale - 0.04) * 100) / 100;
      root.style.setProperty("--fit", String(scale));
    }
  }

  function showReconnecting(show) {
    if (!reconnecting) { return; }
    if (show) {
      if (pending === null && reconnecting.hidden) {
        pending = setTimeout(function () {
          pending = null;
          reconnecting.hidden = false;
        }, 2000);
      }
    } else {
      clearTimeout(pending);
      pending = null;
      reconnecting.hidden = true;
    }
  }

  fit();
  window.addEventListener("resize", fit);
  if (document.fonts && document.fonts.ready) { document.fonts.ready.then(fit); }

  window.ConvoLive.follow({
    url: view.getAttribute("data-view-url"),
    version: Number(view.getAttribute("data-version") || 0),
    interval: 1000,
    onUpdate: function (html) {
      view.innerHTML = html;
      window.ConvoLive.tick();
      fit();
    },
    onStatus: function (state) {
      showReconnecting(state === "reconnecting");
      if (stopped) { stopped.hidden = state !== "stopped"; }
    },
    onGone: function (status) {
      // Deleted, or no longer this facilitator's: take what it said off the projector.
      if ((status === 404 || status === 410) && gone) {
        view.innerHTML = "";
        if (stopped) { stopped.hidden = true; }
        gone.hidden = false;
      }
    }
  });
})();
