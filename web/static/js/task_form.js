/* Task forms: "add a row" for list fields (e.g. material defects). A new row copies the
   last one with its inputs emptied and its index in every field name moved on by one. */
(function () {
  'use strict';

  function addRow(button) {
    var name = button.dataset.addRow;
    var rows = document.querySelector('[data-rows="' + name + '"]');
    var last = rows && rows.lastElementChild;
    if (!last) {
      return;
    }
    var max = parseInt(rows.dataset.maxRows || '0', 10);
    if (max && rows.children.length >= max) {
      button.disabled = true;
      return;
    }
    var index = parseInt(last.dataset.rowIndex, 10) + 1;
    var row = last.cloneNode(true);
    row.dataset.rowIndex = String(index);
    var prefix = name + '.' + last.dataset.rowIndex + '.';
    row.querySelectorAll('[name]').forEach(function (input) {
      if (input.name.indexOf(prefix) === 0) {
        input.name = name + '.' + index + '.' + input.name.slice(prefix.length);
      }
      if (input.type === 'checkbox' || input.type === 'radio') {
        input.checked = false;
      } else {
        input.value = '';
      }
    });
    row.querySelectorAll('.field-error').forEach(function (message) { message.remove(); });
    rows.appendChild(row);
  }

  document.querySelectorAll('[data-add-row]').forEach(function (button) {
    button.addEventListener('click', function () { addRow(button); });
  });
})();
