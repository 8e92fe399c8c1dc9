"""OneWindow case engine: one-window cases run from BPMN models, persisted transactionally.

No Flask imports live under this package; the web app, the scheduler and the CLI all
drive it through :class:`engine.runtime.CaseEngine`.
"""
