/* The case diagram: loads the case's BPMN and marks what is done and what is current.
   Containers: [data-diagram-url] (GET /api/v1/tasks/diagram/<number>), [data-error-text]. */
(function () {
  'use strict';

  function mark(viewer, ids, marker) {
    var registry = viewer.get('elementRegistry');
    var canvas = viewer.get('canvas');
    ids.forEach(function (id) {
      if (registry.get(id)) {
        canvas.addMarker(id, marker);
      }
    });
  }

  function show(container) {
    if (container.dataset.diagramLoaded) {
      return; // the partial may be on a page twice; each canvas is drawn once
    }
    container.dataset.diagramLoaded = 'true';
    var viewer = new window.BpmnJS({ container: container });
    fetch(container.dataset.diagramUrl, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error('HTTP ' + response.status);
        }
        return response.json();
      })
      .then(function (diagram) {
        return viewer.importXML(diagram.bpmn).then(function () {
          viewer.get('canvas').zoom('fit-viewport');
          mark(viewer, diagram.completed, 'completed');
          mark(viewer, diagram.current, 'current');
        });
      })
      .catch(function (error) {
        viewer.destroy();
        container.textContent = container.dataset.errorText + '（' + error.message + '）';
      });
  }

  document.querySelectorAll('[data-diagram-url]').forEach(show);
})();
