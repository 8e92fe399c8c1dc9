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

/* Sections that apply only to one choice (data-shown-when="field=value …", from the form's if/then)
   are hidden, and their inputs left out of the submission, while another choice is made. */
(function () {
  'use strict';

  var form = document.querySelector('form.task-form');
  if (!form) {
    return;
  }
  var sections = form.querySelectorAll('[data-shown-when]');
  var active = Boolean(form.querySelector('[type="submit"]'));  // a read-only form stays disabled

  function chosen(name) {
    var values = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (input) {
      if ((input.type !== 'radio' && input.type !== 'checkbox') || input.checked) {
        values.push(input.value);
      }
    });
    return values;
  }

  function update() {
    sections.forEach(function (section) {
      var applies = section.dataset.shownWhen.split(' ').some(function (rule) {
        var parts = rule.split('=');
        return chosen(parts[0]).indexOf(parts.slice(1).join('=')) !== -1;
      });
      section.hidden = !applies;
      if (active) {
        section.querySelectorAll('input, select, textarea, button').forEach(function (input) {
          input.disabled = !applies;
        });
      }
    });
  }

  if (sections.length) {
    form.addEventListener('change', update);
    update();
  }
})();
