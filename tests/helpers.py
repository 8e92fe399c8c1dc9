"""Builders for test data: valid applicants, intake forms, and walking a case through its steps."""

from engine.cases.identity import resident_id_check, uscc_check


def resident_id(birth: str = "19850312", serial: str = "123", region: str = "330102") -> str:
    first17 = f"{region}{birth}{serial}"
    return first17 + resident_id_check(first17)


def uscc(body: str = "91330100MA2ABCDE1") -> str:
    return body + uscc_check(body)


def person(name: str = "张三", **overrides) -> dict:
    data = {"kind": "person", "name": name, "id_type": "居民身份证", "id_number": resident_id(),
            "phone": "13800138000", "address": "示范市人民路1号"}
    data.update(overrides)
    return data


def organization(name: str = "示范市好味餐饮有限公司", **overrides) -> dict:
    data = {"kind": "organization", "name": name, "id_type": "统一社会信用代码", "id_number": uscc(),
            "phone": "0571-87654321", "contact_name": "李四"}
    data.update(overrides)
    return data


def intake(engine, item_code: str, *, missing: int = 0, acceptable: bool = True, delivery: str = "pickup",
           defects: list | None = None) -> dict:
    """An intake form for the item: all mandatory materials except the last ``missing`` ones."""
    with engine.session() as session:
        from engine.catalogue.models import ServiceItem
        item = session.get(ServiceItem, item_code)
        mandatory = [m.code for m in item.materials if m.mandatory]
        optional = [m.code for m in item.materials if not m.mandatory]
    received = mandatory[: len(mandatory) - missing] + optional[:1]
    form = {"received_materials": received, "material_defects": defects or [], "acceptable": acceptable,
            "delivery_method": delivery}
    if not acceptable:
        form["rejection_reasons"] = "申请事项不属于本机关职权范围，请向省级主管部门申请"
    if delivery == "post":
        form["postal_address"] = {"recipient": "张三", "phone": "13800138000", "address": "示范市人民路1号3幢201室",
                                  "region": "same_city"}
    return form


def full_materials(engine, item_code: str) -> list[str]:
    with engine.session() as session:
        from engine.catalogue.models import ServiceItem
        return [m.code for m in session.get(ServiceItem, item_code).materials if m.mandatory]


def only_task(engine, number: str):
    tasks = engine.open_tasks(number)
    assert len(tasks) == 1, f"expected one open task, found {[t.name for t in tasks]}"
    return tasks[0]


def approve_in_back_office(engine, number: str, approver, decision: str = "approve"):
    task = only_task(engine, number)
    assert task.bpmn_id == "review"
    engine.claim_task(approver, task.id)
    form = {"decision": decision, "opinion": "经审查，申请材料齐全，符合法定条件"}
    if decision == "reject":
        form["refusal_reasons"] = "经现场核查，经营场所不符合卫生要求（《食品经营许可和备案管理办法》第十二条）"
    return engine.complete_task(approver, task.id, form)


def item_code(engine, *, case_type: str | None = None, name: str | None = None, post: bool = False) -> str:
    """The code of a demo item by case type and/or name fragment."""
    from sqlalchemy import select

    from engine.catalogue.models import ServiceItem

    with engine.session() as session:
        for item in session.scalars(select(ServiceItem).where(ServiceItem.active.is_(True)).order_by(ServiceItem.code)):
            if case_type and item.case_type != case_type:
                continue
            if name and name not in item.name:
                continue
            if post and "post" not in item.delivery_options:
                continue
            return item.code
    raise LookupError(f"no demo item with case_type={case_type} name={name}")


DEMO_PASSWORD = "onewindow-demo"


def csrf_token_of(html: bytes) -> str:
    import re

    return re.search(rb'name="csrf-token" content="([^"]+)"', html).group(1).decode()


def signed_in_client(app, username: str):
    client = app.test_client()
    client.csrf = csrf_token_of(client.get("/login").data)
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": client.csrf})
    assert response.status_code == 303, response.data.decode()[:500]
    client.csrf = csrf_token_of(client.get("/progress/").data)  # a new session on sign-in: a new token
    return client


def token_client(app, username: str):
    """A client signed in with a bearer token, as an API client would be (no session, no CSRF)."""
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": username, "password": DEMO_PASSWORD}).json
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token['token']}"
    return client


def pickup_form(applicant: dict | None = None, **overrides) -> dict:
    """The window's 窗口出件 form: the applicant (``person()`` by default) collects in person."""
    applicant = applicant or person()
    data = {"recipient_role": "申请人本人", "recipient_name": applicant["name"], "recipient_id_type": applicant["id_type"],
            "recipient_id_number": applicant["id_number"], "id_checked": True}
    data.update(overrides)
    return data
