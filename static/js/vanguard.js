// Vanguard's own behaviour. Loaded as a file: the CSP allows no inline script.
"use strict";

// The top menu's groups (<details class="navgroup">): one open at a time, closed by Escape
// (focus back on its name) or by a click elsewhere. Without script each still opens and closes.
(function () {
  function groups() { return document.querySelectorAll(".mainnav details.navgroup"); }
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!opened.matches || !opened.matches(".mainnav details.navgroup") || !opened.open) { return; }
    groups().forEach(function (group) { if (group !== opened) { group.open = false; } });
  }, true);
  document.addEventListener("click", function (event) {
    groups().forEach(function (group) { if (group.open && !group.contains(event.target)) { group.open = false; } });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    groups().forEach(function (group) {
      if (group.open) { group.open = false; group.querySelector("summary").focus(); }
    });
  });
})();

// A table that is not already in a scrolling box gets one (.table-scroll), so a wide table
// scrolls inside the page instead of the whole page scrolling sideways on a phone (the
// script above gives the box a Tab stop and a name while it overflows). Run at once (the
// script is deferred: the page is parsed) and on content htmx swaps in.
(function () {
  function wrap(root) {
    root.querySelectorAll("main table").forEach(function (table) {
      if (table.closest(".table-scroll, .overflow-auto, .no-table-scroll")) { return; }
      var box = document.createElement("div");
      box.className = "table-scroll";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    });
  }
  wrap(document);
  document.addEventListener("htmx:afterSwap", function (event) { wrap(event.target.parentNode || document); });
})();
