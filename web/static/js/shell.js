/* The common layout's behaviour, kept out of the templates (the Content-Security-Policy runs
   no inline script): print buttons, "back" links, and the empty-table line. */
(function () {
  'use strict';

  document.addEventListener('click', function (event) {
    var target = event.target.closest('[data-print], [data-back]');
    if (!target) {
      return;
    }
    if (target.hasAttribute('data-print')) {
      window.print();
    } else if (window.history.length > 1) {
      event.preventDefault(); // the link's href (referrer or home) serves a fresh tab
      window.history.back();
    }
  });

  // A table whose body has no row says so (暂无数据) rather than showing bare headings.
  function markEmpty(body) {
    if (body.rows.length > 0) {
      return;
    }
    var table = body.closest('table');
    var head = table.tHead && table.tHead.rows[0];
    var row = body.insertRow();
    var cell = row.insertCell();
    row.className = 'empty-row';
    cell.colSpan = head ? head.cells.length : 1;
    cell.className = 'hint';
    cell.textContent = document.body.dataset.emptyText;
  }

  document.querySelectorAll('table > tbody').forEach(markEmpty);
})();
