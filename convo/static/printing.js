// A file being made by the background worker (the relationship map's PDF or Word): ask every
// two seconds how it stands, and when it is ready offer the download in the same status
// region (so screen readers hear it).  Without this script the page has a "Check again" link.
(function () {
  "use strict";
  var box = document.querySelector("[data-print-state]");
  if (!box) { return; }
  var state = box.getAttribute("data-print-state");
  if (state !== "pending" && state !== "working") { return; }
  var url = box.getAttribute("data-state-url");
  var delay = 2000;

  function ask() {
    fetch(url, {credentials: "same-origin", cache: "no-store",
                headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (answer) {
        delay = 2000;
        if (answer.state === "ready") {
          box.querySelectorAll("p:not([data-print-ready])").forEach(function (p) { p.remove(); });
          box.querySelectorAll("[data-print-ready]").forEach(function (p) { p.hidden = false; });
        } else if (answer.state === "pending" || answer.state === "working") {
          setTimeout(ask, delay);
        } else {
          window.location.reload();  // failed, or the map changed: the page says what to do
        }
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000);  // a dropped connection: ask again, less often
        setTimeout(ask, delay);
      });
  }
  setTimeout(ask, delay);
})();
