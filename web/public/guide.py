"""The public 办事指南 (no sign-in): what the page and GET /api/v1/public/items read from the catalogue."""

from engine.catalogue import guide
from engine.errors import InvalidInput, NotFound
from web.access import case_engine

# The guide's page and API count against one budget per client address, as the progress lookup does.
GUIDE_LIMIT, GUIDE_SCOPE = "60 per minute", "public_guide"
MAX_QUERY = 50


def _filter(value, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_QUERY:
        raise InvalidInput(f"查询条件最多 {MAX_QUERY} 个字 (a filter has at most {MAX_QUERY} characters)", field=field)
    return value.strip()


def items(q=None, department=None, category=None) -> list[guide.GuideLine]:
    q, department, category = _filter(q, "q"), _filter(department, "department"), _filter(category, "category")
    with case_engine().session() as session:
        return guide.search(session, q, department.upper(), category)


def filters() -> tuple[list[tuple[str, str]], list[str]]:
    with case_engine().session() as session:
        return guide.departments_and_categories(session)


def item(code) -> guide.GuideItem:
    code = _filter(code, "code").upper()
    with case_engine().session() as session:
        found = guide.item(session, code)
    if found is None:
        raise NotFound(f"未找到办理事项 {code} (no published service item {code})", field="code")
    return found


def form_file(code, form_id: int):
    with case_engine().session() as session:
        row = guide.published_form(session, (code or "").upper(), form_id)
        if row is None:
            raise NotFound(f"未找到该表格 (no form {form_id} of item {code})", field="form_id")
        session.expunge(row)
        return row
