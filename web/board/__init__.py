"""The supervisor's board (监督看板): deadline states, late cases, charts."""
