// The summary page follows issuing and sending live: sections 3 and 4 (#summary-progress)
// are fetched again whenever the conversation's version moves on (live.js), and swapped in
// only when what they say has changed.  Anything the facilitator has typed or ticked there
// and not yet sent is kept across the swap.  Without JavaScript, reloading shows the same.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Moving a point up or down, leaving it out or putting it back: sent in the background,
  // then that heading's list alone is drawn again, so the page doesn't reload and what is
  // being typed elsewhere stays.  Without JavaScript each button is an ordinary form.
  var said = document.getElementById("points-status");
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var item = form.closest && form.closest(".point__tools") ? form.closest("li.point") : null;
    if (!item) { return; }
    event.preventDefault();
    var list = item.closest("ol.points");
    var kind = form.getAttribute("action").split("/").pop();
    fetch(form.getAttribute("action"), {
      method: "POST", credentials: "same-origin",
      headers: {"X-Requested-With": "fetch", "Accept": "application/json"},
      body: new URLSearchParams(new FormData(form))
    }).then(function (response) {
      if (!response.ok) { throw new Error("status " + response.status); }
      return response.json();
    }).then(function (data) {
      var holder = document.createElement("div");
      holder.innerHTML = data.html || "";
      var fresh = holder.querySelector("ol.points");
      if (!data.ok || !fresh) { window.location.reload(); return; }
      list.replaceWith(fresh);
      var again = document.getElementById(item.id);
      var target = again && (again.querySelector("form[action$='/" + kind + "'] button") ||
                             again.querySelector(".point__tools button"));
      if (target) { target.focus(); }
      if (said) { said.textContent = said.getAttribute("data-done") || ""; }
    }).catch(function () { form.submit(); });
  });

  // Issue and Send: pressed once, the button says what is happening ("Issuing…",
  // "Sending…") and can't be pressed again; the page that comes back shows the worker's
  // progress, and follows it (below).  Without JavaScript the same page shows it too.
  var progressSaid = document.getElementById("summary-said");
  function say(text) {
    if (!progressSaid || !text) { return; }
    progressSaid.textContent = "";
    setTimeout(function () { progressSaid.textContent = text; }, 50);
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter || (form.querySelector && form.querySelector("button[data-busy]"));
    if (!button || !button.hasAttribute || !button.hasAttribute("data-busy")) { return; }
    if (form.hasAttribute("data-busy-sent")) { event.preventDefault(); return; }
    form.setAttribute("data-busy-sent", "1");
    button.setAttribute("aria-disabled", "true");
    button.classList.add("is-busy");
    button.textContent = button.getAttribute("data-busy");
    say(button.getAttribute("data-busy"));
  });

  var root = document.getElementById("summary-progress");
  if (!root || !window.ConvoLive) { return; }

  // What the worker came to, from the part as it is drawn: a version issued (or not), and
  // once nothing is waiting to be sent, how many were sent.
  function progressOf(node) {
    return {
      issuing: !!node.querySelector(".progress"),
      failed: node.querySelector("#issue-failed"),
      versions: node.querySelectorAll("table tbody tr").length,
      newest: node.querySelector("table tbody tr th"),
      active: node.querySelectorAll(".send--queued, .send--sending, .send--retrying").length,
      sent: node.querySelectorAll(".send--sent").length,
      unsent: node.querySelectorAll(".send--failed").length
    };
  }

  function announce(before, after) {
    if (before.issuing && !after.issuing) {
      if (after.versions > before.versions && after.newest) {
        say((progressSaid.getAttribute("data-issued") || "").replace("{n}", after.newest.firstChild.textContent.trim()));
      } else if (after.failed) {
        say(after.failed.textContent.replace(/\s+/g, " ").trim());
      }
    }
    if (before.active > 0 && after.active === 0) {
      say((progressSaid.getAttribute("data-sent") || "").replace("{sent}", after.sent).replace("{unsent}", after.unsent));
    }
  }

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
    var before = progressOf(root);
    root.innerHTML = html;
    announce(before, progressOf(root));
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
