"""A process error shows the clerk a reference, never the model's expression text; the
detail is logged under that reference (issue 13, point 11)."""

import logging
import re
import shutil

from engine.workflow.bundles import PROCESS_DIR
from tests.helpers import intake, person

FOOD = "SCJG-002"
BROKEN = 'intake_outcome["internal_secret"] == "reject"'  # valid, but fails on every case at run time


def test_a_failing_expression_gives_a_reference_and_logs_the_detail(sign_in, engine, tmp_path, caplog):
    directory = tmp_path / "processes"
    shutil.copytree(PROCESS_DIR, directory)
    model = directory / "one_window.bpmn"
    model.write_text(model.read_text("utf-8").replace('intake_outcome == "reject"', BROKEN), encoding="utf-8")
    engine.deploy_processes(directory)
    clerk = sign_in("clerk1")
    body = {"item_code": FOOD, "applicant": person(), "intake": intake(engine, FOOD)}
    with caplog.at_level(logging.ERROR, logger="engine.casework"):
        refused = clerk.post("/api/v1/cases", json=body, headers={"X-CSRFToken": clerk.csrf})
    assert refused.status_code == 409 and refused.get_json()["code"] == "process_error"
    message = refused.get_json()["message"]
    reference = re.search(r"ERR-[0-9A-F]{8}", message).group()
    assert "internal_secret" not in message and "intake_outcome" not in message
    logged = [record for record in caplog.records if reference in record.getMessage()]
    assert logged and "internal_secret" in logged[0].getMessage()
    page = clerk.post(f"/cases/new/{FOOD}", data={
        "csrf_token": clerk.csrf, "received_materials": body["intake"]["received_materials"], "acceptable": "yes",
        "delivery_method": "pickup", **{f"applicant.{key}": value for key, value in person().items()}})
    assert page.status_code == 409 and "ERR-" in page.data.decode() and "internal_secret" not in page.data.decode()


def test_an_unexpected_error_gives_a_reference_too(app, caplog):
    @app.route("/boom")
    def boom():
        raise RuntimeError("secret detail of the failure")

    client = app.test_client()
    with caplog.at_level(logging.ERROR, logger="web.failures"):
        answer = client.get("/boom", headers={"Accept": "application/json"})
    assert answer.status_code == 500 and answer.get_json()["code"] == "internal_error"
    reference = answer.get_json()["reference"]
    assert reference in answer.get_json()["message"] and "secret" not in answer.get_json()["message"]
    assert any(reference in record.getMessage() and record.exc_info for record in caplog.records)
    assert "secret" not in client.get("/boom").data.decode()
