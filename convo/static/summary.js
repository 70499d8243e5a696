// The summary page follows issuing and sending live: sections 3 and 4 (#summary-progress)
// are fetched again whenever the conversation's version moves on (live.js), and swapped in
// only when what they say has changed.  Anything the facilitator has typed or ticked there
// and not yet sent is kept across the swap.  Without JavaScript, reloading shows the same.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var root = document.getElementById("summary-progress");
  if (!root || !window.ConvoLive) { return; }

  // The send form's one-time key differs on every rendering: leave it out of the comparison.
  function comparable(html) {
    return html.replace(/name="request_key" value="[^"]*"/g, "").replace(/\s+/g, " ").trim();
  }

  function changedByPerson(field) {
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked !== field.defaultChecked;
    }
    return field.value !== field.defaultValue;
  }

  function swap(html) {
    if (comparable(html) === comparable(root.innerHTML)) { return; }
    var kept = {};
    root.querySelectorAll("input[id], textarea[id]").forEach(function (field) {
      if (field.type !== "hidden" && changedByPerson(field)) {
        kept[field.id] = field.type === "checkbox" || field.type === "radio" ? field.checked : field.value;
      }
    });
    var focusedId = document.activeElement && root.contains(document.activeElement) ? document.activeElement.id : null;
    root.innerHTML = html;
    Object.keys(kept).forEach(function (id) {
      var field = document.getElementById(id);
      if (!field) { return; }
      if (field.type === "checkbox" || field.type === "radio") { field.checked = kept[id]; } else { field.value = kept[id]; }
    });
    if (focusedId && document.getElementById(focusedId)) { document.getElementById(focusedId).focus(); }
  }

  window.ConvoLive.follow({
    url: root.getAttribute("data-view-url"),
    version: Number(root.getAttribute("data-version") || 0),
    interval: 1000,
    onUpdate: swap
  });
})();
