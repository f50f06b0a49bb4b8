// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Move the focus to the error summary after a failed submission (browsers that ignore
  // the autofocus attribute on a non-form element).
  var summary = document.querySelector(".error-summary");
  if (summary && document.activeElement !== summary) {
    summary.focus();
  }
  // A link in the error summary focuses its field, not just scrolls to it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".error-summary a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (field) {
      event.preventDefault();
      field.focus();
      field.scrollIntoView({ block: "center" });
    }
  });
})();
