"""The BPMN runtime: SpiffWorkflow specs, safe expressions, forms, timers, persistence."""
