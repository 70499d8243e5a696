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
  // Select a one-time link when it receives focus, ready to copy.
  document.querySelectorAll("input[readonly]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();
