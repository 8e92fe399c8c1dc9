/* Starts Swagger UI on /api/docs from the page's data attributes (no inline script: CSP). */
(function () {
  'use strict';
  var container = document.getElementById('swagger-ui-container');
  var config = JSON.parse(container.dataset.config || '{}');
  config.url = container.dataset.specUrl;
  config.dom_id = '#swagger-ui-container';
  window.ui = window.SwaggerUIBundle(config);
})();
