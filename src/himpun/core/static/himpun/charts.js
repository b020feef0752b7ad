// Charts drawn from data the page embeds with json_script; the table beside each chart is
// the same data for screen readers and small screens.
(function () {
  "use strict";
  var canvas = document.getElementById("rate-chart");
  if (!canvas || typeof Chart === "undefined") return;
  var labels = JSON.parse(document.getElementById("rate-labels").textContent);
  var values = JSON.parse(document.getElementById("rate-values").textContent);
  new Chart(canvas, {
    type: "bar",
    data: { labels: labels, datasets: [{ data: values, backgroundColor: "#b02a37" }] },
    options: {
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false } },
      scales: { y: { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } } },
    },
  });
})();
