// The board: draws the three charts (ECharts) and refreshes them with the tables (flags, stopped clocks,
// late parcels) every 30 seconds.
(function () {
  const board = document.getElementById("board");
  if (!board) return;
  const labels = JSON.parse(board.dataset.labels);
  const pageUrl = board.dataset.pageUrl;

  const cell = (content, badge) => {
    const td = document.createElement("td");
    if (badge) {
      const span = document.createElement("span");
      span.className = "badge " + badge;
      span.textContent = content;
      td.appendChild(span);
    } else if (content instanceof Node) {
      td.appendChild(content);
    } else {
      td.textContent = content;
    }
    return td;
  };
  const link = (href, text) => {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  };
  const fill = (id, rows, toCells) => {
    document.getElementById(id).replaceChildren(...rows.map((row) => {
      const tr = document.createElement("tr");
      tr.append(...toCells(row));
      return tr;
    }));
  };
  const counts = (row) => [cell(row.normal), cell(row.yellow, "yellow"), cell(row.red, "red")];
  const caseLink = (number) => cell(link("/cases/" + encodeURIComponent(number), number));

  function showSummary(data) {
    fill("departments", data.departments, (row) =>
      [cell(link(pageUrl + "?department=" + encodeURIComponent(row.code), row.name)), ...counts(row),
       cell(row.commitment_yellow, "yellow"), cell(row.commitment_red, "red")]);
    fill("people", data.people, (row) =>
      [cell(row.staff_id ? link(pageUrl + "?staff_id=" + row.staff_id, row.name) : row.name), ...counts(row)]);
    fill("flagged", data.flagged, (row) => [
      caseLink(row.number), cell(row.department_code), cell(labels[row.flag] || row.flag),
      cell(labels[row.state] || row.state, row.state), cell(row.due_date), cell(row.working_days_late), cell(row.stage)]);
  }

  function showSuspended(data) {
    fill("suspended", data.cases, (row) => [
      caseLink(row.number), cell(row.department_code), cell(labels.kinds[row.kind] || row.kind), cell(row.since),
      cell(row.working_days_stopped), cell(row.due_date || "—"), cell(row.stage)]);
  }

  function showDeliveries(data) {
    for (const target of document.querySelectorAll("#delivery-totals [data-delivery]")) {
      const value = data[target.dataset.delivery];
      target.textContent = target.dataset.delivery === "on_time_rate"
        ? (value === null ? "—" : value.toFixed(1) + "%") : value;
    }
    fill("late-parcels", data.parcels, (row) => [
      caseLink(row.number), cell(row.department_code), cell(row.carrier), cell(row.waybill_number),
      cell(labels[row.scope] || row.scope), cell(row.dispatched_on), cell(row.due_on),
      row.delivered_on ? cell(row.delivered_on) : cell(labels.unconfirmed, "red"), cell(row.working_days_late)]);
  }

  // Charts: one ECharts instance per figure; the page may lack ECharts (then only the tables refresh).
  const percent = (value) => (value === null || value === undefined ? labels.no_cases : value.toFixed(1) + "%");
  const chartOf = (id) => {
    const element = document.getElementById(id);
    return element && window.echarts ? window.echarts.init(element) : null;
  };
  const charts = {intake: chartOf("chart-intake"), onTime: chartOf("chart-on-time"), onSite: chartOf("chart-on-site")};
  const base = (days) => ({
    animationDuration: 0,  // drawn at once (a line's reveal would hide the latest day for a second)
    grid: {left: 44, right: 24, top: 52, bottom: 28},
    tooltip: {trigger: "axis"},
    // Days as bands, so a point sits over its day's bar and never on the chart's edge.
    xAxis: {type: "category", boundaryGap: true, data: days.map((day) => day.day.slice(5))},
  });
  const rateAxis = {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%"}};
  const rateLine = (name, values, extra) => Object.assign({
    // A day without cases is a gap; a lone day between gaps must still show its point.
    name, type: "line", data: values, connectNulls: false, showAllSymbol: true, symbolSize: 6,
    tooltip: {valueFormatter: percent},
  }, extra);

  function showCharts(data) {
    const days = data.days;
    for (const [key, value] of Object.entries(data.total)) {
      const target = document.querySelector('#chart-totals [data-total="' + key + '"]');
      if (target) target.textContent = key.endsWith("_rate") ? (value === null ? "—" : value.toFixed(1) + "%") : value;
    }
    if (charts.intake) charts.intake.setOption(Object.assign(base(days), {
      title: {text: labels.received, textStyle: {fontSize: 14}, left: 0},
      yAxis: {type: "value", minInterval: 1},
      series: [{name: labels.received, type: "bar", data: days.map((day) => day.received)}],
    }));
    if (charts.onTime) charts.onTime.setOption(Object.assign(base(days), {
      title: {text: labels.on_time_rate, textStyle: {fontSize: 14}, left: 0},
      yAxis: rateAxis,
      series: [rateLine(labels.on_time_rate, days.map((day) => day.on_time_rate))],
    }));
    if (charts.onSite) charts.onSite.setOption(Object.assign(base(days), {
      title: {text: labels.on_site_rate, textStyle: {fontSize: 14}, left: 0},
      yAxis: rateAxis,
      series: [rateLine(labels.on_site_rate, days.map((day) => day.on_site_rate), {
        markLine: {
          symbol: "none",
          data: [
            {name: labels.target, yAxis: data.on_site_target, lineStyle: {color: "#c0392b", type: "solid"},
             label: {formatter: labels.target, position: "insideEndTop"}},
            {name: labels.aim, yAxis: data.on_site_aim, lineStyle: {color: "#8a6100", type: "dashed"},
             label: {formatter: labels.aim, position: "insideStartTop"}},
          ],
        },
      })],
    }));
  }

  async function load(url) {
    const response = await fetch(url, {headers: {Accept: "application/json"}});
    return response.ok ? response.json() : null;
  }

  async function refresh() {
    const dataset = board.dataset;
    const [summary, chartData, suspended, deliveries] = await Promise.all(
      [dataset.summaryUrl, dataset.chartsUrl, dataset.suspendedUrl, dataset.deliveriesUrl].map(load));
    if (summary) showSummary(summary);
    if (chartData) showCharts(chartData);
    if (suspended) showSuspended(suspended);
    if (deliveries) showDeliveries(deliveries);
    if (summary && chartData && suspended && deliveries) {
      document.getElementById("refreshed").textContent = new Date().toLocaleTimeString();
      board.dataset.refreshedAt = String(Date.now());
    }
  }

  showCharts(JSON.parse(board.dataset.charts));
  window.addEventListener("resize", () => Object.values(charts).forEach((chart) => chart && chart.resize()));
  setInterval(refresh, 30000);
})();
