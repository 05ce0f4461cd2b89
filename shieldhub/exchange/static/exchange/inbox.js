// Live inbox. The rows (#inbox-rows) poll every 60 s through htmx; this script skips the poll while
// the page is hidden, refreshes at once when the page is shown again after a missed poll, and when
// the unread count in the navigation changes. Without it the rows still poll every 60 s.
(function () {
  "use strict";
  var missed = false;
  var lastUnread = null;

  function refresh() {
    var rows = document.getElementById("inbox-rows");
    if (rows && window.htmx) { window.htmx.trigger(rows, "inbox-refresh"); }
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.id === "inbox-rows" && document.visibilityState === "hidden") {
      missed = true;
      event.preventDefault();
    }
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && missed) {
      missed = false;
      refresh();
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || !target.classList || !target.classList.contains("unread-badge")) { return; }
    var unread = target.textContent.trim();
    if (lastUnread !== null && unread !== lastUnread) { refresh(); }
    lastUnread = unread;
  });
})();
