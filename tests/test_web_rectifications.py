"""A window step's rectification on the pages and the API: shown as the center's window, closed by
the supervisors, not by the item's department."""

from tests.helpers import token_client
from tests.test_supervision import rated_case


def test_the_windows_rectification_is_shown_and_closed_by_the_supervisors(app, sign_in, engine, staff):
    bad = rated_case(engine, staff, "不满意", immediate=True)  # decided at the window by clerk1
    engine.supervision.verify_rating(staff["supervisor"], bad.number, verdict="real", reason="未一次性告知")
    chief = token_client(app, "scjg_chief")
    assert chief.get("/api/v1/supervision/rectifications").json == []
    refused = chief.post(f"/api/v1/supervision/rectifications/{bad.number}/close", json={"feedback": "越权"})
    assert refused.status_code == 403
    (line,) = token_client(app, "supervisor").get("/api/v1/supervision/rectifications").json
    assert (line["case_number"], line["department_code"], line["department_name"]) == (
        bad.number, None, "综合窗口（中心）")
    supervisor = sign_in("supervisor")
    page = supervisor.get("/supervision/rectifications").data.decode()
    assert "综合窗口（中心）" in page and f"/supervision/rectifications/{bad.number}/close" in page
    closed = supervisor.post(f"/supervision/rectifications/{bad.number}/close",
                             data={"csrf_token": supervisor.csrf, "feedback": "已对窗口人员培训并回访申请人"})
    assert closed.status_code == 303
    assert "已对窗口人员培训并回访申请人" in supervisor.get("/supervision/rectifications?state=closed").data.decode()
