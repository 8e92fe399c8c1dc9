/* The notice page's print button (no inline handler: the pages run under a content security policy). */
(function () {
  'use strict';

  document.querySelectorAll('[data-print]').forEach(function (button) {
    button.addEventListener('click', function () { window.print(); });
  });
})();
