// The statistics page: two charts (ECharts, vendored) drawn from the rows the page carries in data-rows.
(function () {
  "use strict";
  const holder = document.getElementById("report-charts");
  if (!holder || !window.echarts) return;
  const rows = JSON.parse(holder.dataset.rows);
  const labels = JSON.parse(holder.dataset.labels);
  const names = rows.map((row) => row.name);
  // Department names are long (示范市市场监督管理局): slanted, they stay apart however many there are.
  const crowded = names.length * Math.max(0, ...names.map((name) => name.length)) > 40;
  const base = {
    animation: false,  // drawn at once: the page is printed as it stands
    grid: {left: 48, right: 16, top: 48, bottom: 16, containLabel: true},
    tooltip: {trigger: "axis"},
    legend: {top: 0},
    xAxis: {type: "category", data: names, axisLabel: {interval: 0, rotate: crowded ? 35 : 0}},
  };
  const volume = window.echarts.init(document.getElementById("chart-volume"));
  volume.setOption(Object.assign({}, base, {
    yAxis: {type: "value", minInterval: 1},
    series: ["received", "decided"].map((key) => ({name: labels[key], type: "bar", data: rows.map((row) => row[key])})),
  }));
  const rates = window.echarts.init(document.getElementById("chart-rates"));
  rates.setOption(Object.assign({}, base, {
    yAxis: {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%"}},
    series: ["on_time_rate", "satisfaction_rate"].map((key) => ({name: labels[key], type: "bar", data: rows.map((row) => row[key])})),
  }));
  window.addEventListener("resize", () => { volume.resize(); rates.resize(); });
  window.addEventListener("beforeprint", () => { volume.resize(); rates.resize(); });
})();
