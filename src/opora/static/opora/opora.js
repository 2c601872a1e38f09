// Small behaviours of the pages, kept out of the HTML so that the Content-Security-Policy
// can forbid inline scripts.

// Filter panels start open on wide screens; on a phone they stay folded under «Фильтры».
function openWide(root) {
  if (window.matchMedia("(min-width: 768px)").matches) {
    root.querySelectorAll("details[data-open-wide]").forEach(function (d) { d.open = true; });
  }
}
document.addEventListener("DOMContentLoaded", function () { openWide(document); });
// ...and in content htmx brings in.
document.addEventListener("htmx:load", function (event) { openWide(event.detail.elt); });

document.addEventListener("click", function (event) {
  var target = event.target.closest("[data-print], [data-back]");
  if (!target) { return; }
  if (target.hasAttribute("data-print")) {
    window.print();
  } else if (window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});

// A step that cannot be undone asks first: the form's data-confirm holds the question.
// Captured before any other handler, so a «no» sends nothing. Without JavaScript the form
// is sent as it is.
document.addEventListener("submit", function (event) {
  var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
