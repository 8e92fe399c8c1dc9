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

  // Shapes' labels are legible from this scale up; a whole process fitted into the panel is not.
  var READABLE = 1.0;
  var STEP = 1.25;

  // Opens at a readable scale centred on the current step (or the start when none is open).
  function openOnCurrent(viewer, currentIds) {
    var canvas = viewer.get('canvas');
    var registry = viewer.get('elementRegistry');
    canvas.zoom('fit-viewport');
    if (canvas.zoom() >= READABLE) {
      return; // a small process fits whole and readable
    }
    var focus = currentIds.map(function (id) { return registry.get(id); }).filter(Boolean)[0] ||
      registry.filter(function (element) { return element.type === 'bpmn:StartEvent'; })[0];
    var size = canvas.getSize();
    var width = size.width / READABLE;
    var height = size.height / READABLE;
    var x = focus ? focus.x + focus.width / 2 : width / 2;
    var y = focus ? focus.y + focus.height / 2 : height / 2;
    canvas.viewbox({ x: x - width / 2, y: y - height / 2, width: width, height: height });
  }

  function wireZoom(container, viewer) {
    var controls = container.parentNode.querySelector('.diagram-zoom');
    if (!controls) {
      return;
    }
    var canvas = viewer.get('canvas');
    controls.addEventListener('click', function (event) {
      var button = event.target.closest('[data-zoom]');
      if (!button) {
        return;
      }
      var how = button.dataset.zoom;
      if (how === 'fit') {
        canvas.zoom('fit-viewport', 'auto');
      } else {
        canvas.zoom(canvas.zoom() * (how === 'in' ? STEP : 1 / STEP), 'auto');
      }
      container.dataset.zoom = String(canvas.zoom());
    });
    container.dataset.zoom = String(canvas.zoom());
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
          mark(viewer, diagram.completed, 'completed');
          mark(viewer, diagram.current, 'current');
          openOnCurrent(viewer, diagram.current);
          wireZoom(container, viewer);
        });
      })
      .catch(function (error) {
        viewer.destroy();
        container.textContent = container.dataset.errorText + '（' + error.message + '）';
      });
  }

  document.querySelectorAll('[data-diagram-url]').forEach(show);
})();
