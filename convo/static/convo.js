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
  });
  // Select a one-time link when it receives focus, ready to copy.
  document.querySelectorAll("input[readonly]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();
