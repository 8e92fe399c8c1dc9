// Refresh the board's tables every 30 seconds without reloading the page.
(function () {
  const board = document.getElementById("board");
  if (!board) return;
  const cell = (text, badge) => {
    const td = document.createElement("td");
    if (badge) {
      const span = document.createElement("span");
      span.className = "badge " + badge;
      span.textContent = text;
      td.appendChild(span);
    } else {
      td.textContent = text;
    }
    return td;
  };
  const fill = (id, rows, toCells) => {
    const body = document.getElementById(id);
    body.replaceChildren(...rows.map((row) => {
      const tr = document.createElement("tr");
      tr.append(...toCells(row));
      return tr;
    }));
  };
  const counts = (row) => [cell(row.name), cell(row.normal), cell(row.yellow, "yellow"), cell(row.red, "red")];
  async function refresh() {
    const response = await fetch(board.dataset.summaryUrl, {headers: {Accept: "application/json"}});
    if (!response.ok) return;
    const data = await response.json();
    fill("departments", data.departments, counts);
    fill("people", data.people, counts);
    fill("flagged", data.flagged, (row) => {
      const link = document.createElement("a");
      link.href = "/cases/" + encodeURIComponent(row.number);
      link.textContent = row.number;
      const first = document.createElement("td");
      first.appendChild(link);
      return [first, cell(row.department_code), cell(row.state, row.state), cell(row.due_date),
              cell(row.working_days_late), cell(row.stage)];
    });
    document.getElementById("refreshed").textContent = new Date().toLocaleTimeString();
  }
  setInterval(refresh, 30000);
})();
