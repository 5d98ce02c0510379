// Charts of the progress dashboards. The data sits in the page as a JSON block
// (Django's json_script: not executed, so the CSP allows it); each
// <canvas data-chart="<id of the JSON block>"> is drawn here with Chart.js 4.
"use strict";
(function () {
  var RED = "#b3191f";
  var PALETTE = ["#b3191f", "#c8902a", "#2e6da4", "#2e7d32", "#6a4c93"];

  function readData(id) {
    var block = document.getElementById(id);
    if (!block) return null;
    try { return JSON.parse(block.textContent); } catch (e) { return null; }
  }

  // On a narrow screen a long name on the side of a horizontal bar chart is cut off at
  // the left: it is set on two or three lines of at most `width` characters instead.
  var NARROW = window.matchMedia("(max-width: 575.98px)");
  function sideLabels(width) {
    return {
      autoSkip: false,
      callback: function (value) {
        var label = String(this.getLabelForValue(value));
        if (!NARROW.matches || label.length <= width) return label;
        var size = Math.ceil(label.length / Math.ceil(label.length / width));  // even lines
        var lines = [];
        for (var i = 0; i < label.length; i += size) lines.push(label.slice(i, i + size));
        return lines;
      },
    };
  }
  function rowHeight(base) { return NARROW.matches ? base + 12 : base; }

  function barChart(canvas, data) {
    // One bar per branch: give each bar room, whatever the number of branches.
    var box = canvas.parentElement;
    box.style.height = Math.max(160, data.labels.length * rowHeight(26) + 50) + "px";
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{
          label: data.label,
          data: data.values,
          backgroundColor: data.values.map(function (v) { return v >= 100 ? "#2e7d32" : RED; }),
          borderRadius: 3,
        }],
      },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        animation: false,
        scales: { x: { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } },
                  y: { ticks: sideLabels(7) } },
        plugins: { legend: { display: false } },
      },
    });
  }

  function lineChart(canvas, data) {
    return new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (s, i) {
          var colour = PALETTE[i % PALETTE.length];
          return { label: s.label, data: s.values, borderColor: colour, backgroundColor: colour, tension: 0.25 };
        }),
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  // Counts (the opinion dashboard): horizontal bars of whole numbers, one colour.
  function countChart(canvas, data) {
    var box = canvas.parentElement;
    box.style.height = Math.max(140, data.labels.length * rowHeight(28) + 50) + "px";
    return new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: [{ label: data.label, data: data.values, backgroundColor: RED, borderRadius: 3 }] },
      options: {
        indexAxis: "y", maintainAspectRatio: false, animation: false,
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { ticks: sideLabels(7) } },
        plugins: { legend: { display: false } },
      },
    });
  }

  // Stacked counts per row (e.g. praise / criticism / suggestion per branch).
  function stackedChart(canvas, data) {
    var box = canvas.parentElement;
    box.style.height = Math.max(160, data.labels.length * rowHeight(26) + 70) + "px";
    var colours = ["#2e7d32", RED, "#2e6da4", "#c8902a", "#6a4c93"];
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (s, i) {
          return { label: s.label, data: s.values, backgroundColor: colours[i % colours.length] };
        }),
      },
      options: {
        indexAxis: "y", maintainAspectRatio: false, animation: false,
        scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
                  y: { stacked: true, ticks: sideLabels(7) } },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  function draw() {
    if (!window.Chart) return;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var data = readData(canvas.getAttribute("data-chart"));
      if (!data) return;
      if (data.type === "bar") barChart(canvas, data);
      else if (data.type === "line") lineChart(canvas, data);
      else if (data.type === "counts") countChart(canvas, data);
      else if (data.type === "stacked") stackedChart(canvas, data);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
