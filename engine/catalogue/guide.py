"""The public 办事指南 (十公开): what the catalogue tells an applicant about its active items.

Read-only. Search is by any part of the item's name or code; the department and category
filters take the codes and names the catalogue uses. Only active items are published.
"""

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.catalogue.models import ItemAttachment, ServiceItem

# What the guide lists at most on one page: the demo catalogue has a dozen items, a county's a few hundred.
MAX_LISTED = 500
CASE_TYPE_NOTES = {
    "即办件": "材料齐全、符合法定形式的，当场办结",
    "承诺件": "受理后在承诺时限内办结",
    "联办件": "主办部门牵头、协办部门会审，在合计时限内办结",
    "上报件": "报上级机关决定",
}


@dataclass(frozen=True)
class GuideLine:
    code: str
    name: str
    department_code: str
    department_name: str
    category: str
    case_type: str
    promised_limit_days: int


@dataclass(frozen=True)
class GuideMaterial:
    code: str
    name: str
    mandatory: bool
    form: str
    count: int
    commitment_allowed: bool
    note: str


@dataclass(frozen=True)
class GuideForm:
    id: int
    item_code: str
    kind: str  # sample (示范文本) or blank (空白表格)
    filename: str
    size: int


@dataclass(frozen=True)
class GuideItem:
    code: str
    name: str
    department_code: str
    department_name: str
    co_departments: tuple[str, ...]
    category: str
    case_type: str
    case_type_note: str
    conditions: str
    materials: tuple[GuideMaterial, ...]
    forms: tuple[GuideForm, ...]
    legal_limit_days: int
    promised_limit_days: int
    fee: str
    fee_basis: str
    procedure: str
    legal_basis: str
    result_name: str
    delivery_options: tuple[str, ...]
    place: str
    hours: str
    contacts: str


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(session: Session, q: str = "", department: str = "", category: str = "") -> list[GuideLine]:
    """Active items matching every filter given, by category, department and code."""
    query = select(ServiceItem).where(ServiceItem.active.is_(True))
    if q:
        query = query.where(or_(ServiceItem.name.ilike(_like(q), escape="\\"),
                                ServiceItem.code.ilike(_like(q), escape="\\")))
    if department:
        query = query.where(ServiceItem.department_code == department)
    if category:
        query = query.where(ServiceItem.category == category)
    query = query.order_by(ServiceItem.category, ServiceItem.department_code, ServiceItem.code).limit(MAX_LISTED)
    return [GuideLine(row.code, row.name, row.department_code, row.department.name, row.category, row.case_type,
                      row.promised_limit_days) for row in session.scalars(query)]


def item(session: Session, code: str) -> GuideItem | None:
    """The whole guide of one active item, or None when no active item has that code."""
    row = session.get(ServiceItem, code)
    if row is None or not row.active:
        return None
    forms = session.execute(select(ItemAttachment.id, ItemAttachment.item_code, ItemAttachment.kind, ItemAttachment.filename,
                                   ItemAttachment.size)
                            .where(ItemAttachment.item_code == code).order_by(ItemAttachment.kind, ItemAttachment.id))
    return GuideItem(
        code=row.code, name=row.name, department_code=row.department_code, department_name=row.department.name,
        co_departments=tuple(row.co_department_codes), category=row.category, case_type=row.case_type,
        case_type_note=CASE_TYPE_NOTES.get(row.case_type, ""), conditions=row.conditions,
        materials=tuple(GuideMaterial(m.code, m.name, m.mandatory, m.form, m.count, m.commitment_allowed, m.note or "")
                        for m in row.materials),
        forms=tuple(GuideForm(*form) for form in forms),
        legal_limit_days=row.legal_limit_days, promised_limit_days=row.promised_limit_days, fee=row.fee,
        fee_basis=row.fee_basis, procedure=row.procedure, legal_basis=row.legal_basis, result_name=row.result_name,
        delivery_options=tuple(row.delivery_options), place=row.place, hours=row.hours, contacts=row.contacts)


def published_form(session: Session, code: str, form_id: int) -> ItemAttachment | None:
    """A sample or blank form of an active item (the bytes), or None."""
    row = session.get(ItemAttachment, form_id)
    owner = session.get(ServiceItem, code)
    if row is None or row.item_code != code or owner is None or not owner.active:
        return None
    return row


def departments_and_categories(session: Session) -> tuple[list[tuple[str, str]], list[str]]:
    """The filters' choices: departments with an active item (code, name), and the categories in use."""
    rows = session.scalars(select(ServiceItem).where(ServiceItem.active.is_(True))).all()
    departments = sorted({(row.department_code, row.department.name) for row in rows})
    return departments, sorted({row.category for row in rows})
