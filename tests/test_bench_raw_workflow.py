"""The engine benchmark's baseline (bench/raw_workflow.py) does a persistent system's work: it
finishes the case, keeps the state only (no spec) in its row, and a second instance (another
process) reads the case back from the database, not from memory."""

import json
import shutil

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from sqlalchemy import select

from bench.lifecycle import prepare, raw_case, raw_system
from bench.raw_workflow import RAW_CASES


def test_the_raw_baseline_finishes_the_case_from_its_row_with_the_state_only(sqlite_template, tmp_path):
    path = tmp_path / "bench.sqlite"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    engine, actors = prepare(url, seed=False)
    raw, other = raw_system(engine, url), raw_system(engine, url)
    try:
        first, second = raw.start(), raw.start()
        assert other.step(first, dict(actors["forms"]), expected="intake") == "intake"
        assert not raw.completed(second)
        finished = raw_case(other, actors)
        assert raw.completed(finished) and not raw.completed(first)
        with raw.db.connect() as connection:
            state = connection.execute(select(RAW_CASES.c.state).where(RAW_CASES.c.id == finished)).scalar_one()
        assert {"spec", "subprocess_specs"}.isdisjoint(json.loads(state))
        whole = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG)).serialize_json(raw._loads(state))
        assert len(state) * 2 < len(whole)  # the spec, never changed by a step, is most of SpiffWorkflow's blob
        assert raw.step(finished, dict(actors["forms"])) is None  # nothing left to do
    finally:
        raw.dispose()
        other.dispose()
        engine.db.dispose()
