// Vanguard's own behaviour. Loaded as a file: the CSP allows no inline script.
"use strict";

// Tables that scroll sideways (.table-scroll, .overflow-auto) can be reached by keyboard:
// while a region actually overflows it takes a Tab stop (tabindex=0) as a named region
// (role=region, labelled by its table's caption or the nearest heading before it), so a
// keyboard user can scroll it with the arrow keys (WCAG 2.1.1). A region that fits gets no
// Tab stop. Rechecked when the window resizes, when a region or its content changes size
// (fonts and charts arriving late), a <details> opens or htmx swaps content in.
(function () {
  var SELECTOR = ".table-scroll, .overflow-auto";
  var counter = 0;

  function labelFor(region) {
    var caption = region.querySelector("caption");
    if (caption) { return caption; }
    for (var node = region; node && node !== document.body; node = node.parentElement) {
      for (var prev = node.previousElementSibling; prev; prev = prev.previousElementSibling) {
        if (/^H[1-6]$/.test(prev.tagName)) { return prev; }
        var inner = prev.querySelectorAll("h1, h2, h3, h4, h5, h6");
        if (inner.length) { return inner[inner.length - 1]; }
      }
    }
    return document.querySelector("h1");
  }

  function mark(region) {
    if (region.scrollWidth > region.clientWidth + 1) {
      if (!region.hasAttribute("tabindex")) {
        region.setAttribute("tabindex", "0");
        region.setAttribute("role", "region");
        var label = labelFor(region);
        if (label && !region.hasAttribute("aria-label")) {
          if (!label.id) { counter += 1; label.id = "scroll-label-" + counter; }
          region.setAttribute("aria-labelledby", label.id);
        }
        region.dataset.scrollRegion = "";
      }
    } else if (region.dataset.scrollRegion !== undefined) {
      region.removeAttribute("tabindex");
      region.removeAttribute("role");
      region.removeAttribute("aria-labelledby");
      delete region.dataset.scrollRegion;
    }
  }

  // A region's content can grow after the page is parsed (a font or a chart arriving, a
  // cell filled by script) without the window resizing: each region and what it holds are
  // watched, and a change of either size rechecks the region.
  var watched = typeof ResizeObserver === "function" ? new ResizeObserver(function (entries) {
    entries.forEach(function (entry) {
      var region = entry.target.closest(SELECTOR);
      if (region) { mark(region); }
    });
  }) : null;

  function watch(region) {
    if (!watched || region.dataset.scrollWatched !== undefined) { return; }
    region.dataset.scrollWatched = "";
    watched.observe(region);
    Array.prototype.forEach.call(region.children, function (child) { watched.observe(child); });
  }

  function markAll() {
    document.querySelectorAll(SELECTOR).forEach(function (region) { mark(region); watch(region); });
  }

  document.addEventListener("DOMContentLoaded", markAll);
  window.addEventListener("load", markAll);
  window.addEventListener("resize", markAll);
  document.addEventListener("htmx:afterSettle", markAll);
  document.addEventListener("toggle", markAll, true);  // a table inside <details> opened
})();

// The top menu's groups (<details class="navgroup">): one open at a time, closed by Escape
// (focus back on its name), by a click elsewhere or by focus moving on. Without script
// each still opens and closes.
(function () {
  function groups() { return document.querySelectorAll(".mainnav details.navgroup"); }
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!opened.matches || !opened.matches(".mainnav details.navgroup") || !opened.open) { return; }
    groups().forEach(function (group) { if (group !== opened) { group.open = false; } });
  }, true);
  function closeOutside(event) {
    groups().forEach(function (group) { if (group.open && !group.contains(event.target)) { group.open = false; } });
  }
  document.addEventListener("click", closeOutside);
  document.addEventListener("focusin", closeOutside);  // Tab past a group's last link
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
