// Draws every chart on the page from its JSON block with the bundled Chart.js. No inline script:
// the page's Content-Security-Policy allows scripts from this server only.
(function () {
  "use strict";
  var palette = {
    valid: "#2e7d32", resolved: "#2e7d32", ready: "#2e7d32", merged: "#2e7d32", processed: "#2e7d32",
    invalid: "#c62828", failed: "#c62828", cheated: "#6a1b9a", "infra-error": "#757575",
    skipped: "#f9a825", "semi-resolved": "#9ccc65", unresolved: "#ef6c00",
    candidate: "#90caf9", validating: "#1e88e5", building: "#1e88e5", pending: "#bdbdbd"
  };
  var fallback = ["#1565c0", "#2e7d32", "#ef6c00", "#c62828", "#6a1b9a", "#00838f", "#f9a825", "#757575"];
  function colour(key, i) { return palette[key] || fallback[i % fallback.length]; }
  function draw() {
    if (typeof Chart === "undefined") return;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var block = document.getElementById(canvas.getAttribute("data-chart"));
      if (!block) return;
      var spec = JSON.parse(block.textContent);
      var perSlice = spec.type === "doughnut" || spec.datasets.length === 1;
      var datasets = spec.datasets.map(function (d, i) {
        var c = perSlice && spec.type !== "line" ? spec.labels.map(colour) : colour(d.label, i);
        return { label: d.label, data: d.data, backgroundColor: c, borderColor: spec.type === "line" ? colour(d.label, i) : undefined, fill: false };
      });
      var stacked = Boolean(spec.stacked);
      new Chart(canvas, {
        type: spec.type,
        data: { labels: spec.labels, datasets: datasets },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          plugins: { legend: { display: spec.type === "doughnut" || spec.datasets.length > 1 } },
          scales: spec.type === "doughnut" ? {} : { x: { stacked: stacked }, y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } } }
        }
      });
    });
    document.documentElement.setAttribute("data-charts", "drawn");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
