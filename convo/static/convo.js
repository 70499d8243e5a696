// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Move focus to an error summary so screen-reader and keyboard users hear it first.
  var summary = document.querySelector("[data-autofocus]");
  if (summary) { summary.focus(); }
  // A print button, where printing a page is its point (the toolkit).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  // A list grouped by another list's choice shows only that choice's group (the kinds of
  // health agency once "Health agency" is chosen).  data-filter-by: the other list's id.
  document.querySelectorAll("select[data-filter-by]").forEach(function (select) {
    var by = document.getElementById(select.getAttribute("data-filter-by"));
    if (!by) { return; }
    function filter() {
      var chosen = by.options[by.selectedIndex] ? by.options[by.selectedIndex].text : "";
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        var show = !chosen || group.label === chosen;
        group.hidden = !show;
        group.disabled = !show;
        if (!show && select.selectedOptions[0] && select.selectedOptions[0].parentNode === group) {
          select.value = "";
        }
      });
    }
    by.addEventListener("change", filter);
    filter();
  });
  // The plan: its total and each stage's clock times follow what is typed, before saving.
  document.querySelectorAll("form[data-plan]").forEach(function (form) {
    var total = form.querySelector("[data-plan-total]");
    var start = form.hasAttribute("data-start") ? Number(form.getAttribute("data-start")) : 0;
    function clock(minutes) {
      var m = minutes % 60;
      return (Math.floor(minutes / 60) % 24) + ":" + (m < 10 ? "0" : "") + m;
    }
    function update() {
      var at = start;
      var sum = 0;
      form.querySelectorAll("[data-plan-time]").forEach(function (cell) {
        var id = cell.getAttribute("data-plan-time");
        var used = form.querySelector("#include-" + id);
        var box = form.querySelector("#minutes-" + id);
        var minutes = box && /^\d+$/.test(box.value.trim()) ? Number(box.value.trim()) : null;
        if (!used || !used.checked || minutes === null) { cell.textContent = ""; return; }
        cell.textContent = clock(at) + "–" + clock(at + minutes);
        at += minutes;
        sum += minutes;
      });
      if (total) {
        var words = (total.getAttribute("data-words") || "{n}").replace("{n}", sum);
        if (total.textContent !== words) { total.textContent = words; }
      }
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    // Moving a stage up or down: the row moves here, at once (the times follow), and the
    // move is said to screen readers; it is saved with the plan.  Without this script each
    // button posts the form and the page comes back with the stage moved.
    var order = form.querySelector("[data-plan-order]");
    var said = form.querySelector("[data-plan-moved]");
    form.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("button[name=move]");
      if (!button || !order) { return; }
      event.preventDefault();
      var parts = button.value.split(":");
      var row = form.querySelector("tr[data-plan-stage='" + parts[1] + "']");
      if (!row) { return; }
      var other = parts[0] === "up" ? row.previousElementSibling : row.nextElementSibling;
      if (!other) { return; }
      if (parts[0] === "up") { row.parentNode.insertBefore(row, other); }
      else { row.parentNode.insertBefore(other, row); }
      var rows = Array.prototype.slice.call(form.querySelectorAll("tr[data-plan-stage]"));
      order.value = rows.map(function (r) { return r.getAttribute("data-plan-stage"); }).join(",");
      rows.forEach(function (r, i) {
        r.querySelector("button[value^='up:']").disabled = i === 0;
        r.querySelector("button[value^='down:']").disabled = i === rows.length - 1;
      });
      update();
      (button.disabled ? row.querySelector("button[name=move]:not([disabled])") : button).focus();
      if (said) {
        var label = row.querySelector("th label");
        said.textContent = (said.getAttribute("data-words") || "")
          .replace("{title}", label ? label.textContent.trim() : "")
          .replace("{n}", rows.indexOf(row) + 1).replace("{count}", rows.length);
      }
    });
  });
  // Select a one-time link when it receives focus, ready to copy.
  document.querySelectorAll("input[readonly]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();
