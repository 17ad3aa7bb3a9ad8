/* onrecord: progressive enhancement only. Every link works without this file.
   A click on a statement's "#" link (.statement-link) or on a "Permalink"
   (.permalink) copies the link's absolute address to the clipboard and shows
   a brief "Link copied" message. The "#" link still jumps to the statement;
   a permalink click copies instead of leaving the page (Ctrl/Cmd/Shift-click
   or middle-click still opens it). Without clipboard access the link is
   simply followed. */
(function () {
  "use strict";

  var toast = null;
  var hideTimer = null;

  function showToast(message) {
    if (!toast) {
      toast = document.createElement("div");
      toast.className = "onrecord-toast";
      toast.setAttribute("role", "status");
      toast.setAttribute("aria-live", "polite");
      document.body.appendChild(toast);
    }
    toast.textContent = message;
    // Force a reflow so the transition runs again on repeated copies.
    void toast.offsetWidth;
    toast.classList.add("is-visible");
    clearTimeout(hideTimer);
    hideTimer = setTimeout(function () {
      toast.classList.remove("is-visible");
    }, 1800);
  }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 ||
        event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    var target = event.target;
    var link = target && target.closest ? target.closest("a.statement-link, a.permalink") : null;
    if (!link) return;
    if (!navigator.clipboard || !navigator.clipboard.writeText || !window.isSecureContext) return;

    var url = link.href; // the resolved, absolute address
    var samePage = link.classList.contains("statement-link");
    if (!samePage) event.preventDefault();

    navigator.clipboard.writeText(url).then(function () {
      showToast("Link copied");
    }, function () {
      // Clipboard refused: fall back to following the link.
      if (!samePage) window.location.href = url;
    });
  });

  // Arriving at article/#ID: highlight every piece of the statement (a statement that
  // crosses inline markup is marked in several pieces; only the first has the id), and
  // record whether it is in view, for readers' tools and the browser test.
  function markTarget() {
    var old = document.querySelectorAll("mark.is-target");
    for (var i = 0; i < old.length; i++) old[i].classList.remove("is-target");
    var id = decodeURIComponent(window.location.hash.slice(1));
    var first = id ? document.getElementById(id) : null;
    if (!first || !first.matches("mark.statement")) return;
    var pieces = [first].concat(Array.prototype.slice.call(
      document.querySelectorAll('mark[data-statement="' + CSS.escape(id) + '"]')));
    pieces.forEach(function (m) { m.classList.add("is-target"); });
    var record = function () {
      var box = first.getBoundingClientRect();
      var inView = box.bottom > 0 && box.top < window.innerHeight;
      first.setAttribute("data-in-view", inView ? "true" : "false");
    };
    record();
    // Again once the browser has scrolled to the fragment and laid the page out.
    requestAnimationFrame(record);
    window.addEventListener("load", record);
  }
  window.addEventListener("hashchange", markTarget);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", markTarget);
  } else {
    markTarget();
  }
})();
