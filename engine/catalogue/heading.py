"""An item's heading (code, name, legal basis, result) read by itself: a case step names its item in
the decision document, the refusal register and its events, and an ORM load would bring the item's
department, materials and co-departments along (three statements for each reader). The item's
department comes along in the same statement: the decision document is issued in its name."""

from sqlalchemy import Select, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from engine.catalogue.models import Department, ServiceItem

# Department as an entity: it enters the session, so session.get(Department, ...) then asks nothing.
_COLUMNS = (ServiceItem.code, ServiceItem.name, ServiceItem.legal_basis, ServiceItem.result_name, Department)
_HEADING = select(*_COLUMNS).join(Department, Department.code == ServiceItem.department_code)


def with_item_heading(statement: Select, item_code) -> Select:
    """``statement`` with the heading of the item ``item_code`` (a column) names, for ``remember_heading``."""
    return (statement.add_columns(*_COLUMNS).join(ServiceItem, ServiceItem.code == item_code)
            .join(Department, Department.code == ServiceItem.department_code))


def remember_heading(session: Session, row) -> None:
    """A row of ``with_item_heading``, read with something else (a step's case under its lock), is the
    heading ``item_heading`` answers with in this session."""
    session.info.setdefault("item_headings", {})[row.code] = row


def item_heading(session: Session, code: str):
    """Item ``code``'s ``code``, ``name``, ``legal_basis`` and ``result_name``: the item itself if the
    session holds it already (registering a case does), else the row of those four, read once per
    session (a decision's document and its events both name the item); None if there is none."""
    held = session.identity_map.get(identity_key(ServiceItem, code))
    if held is not None:
        return held
    read = session.info.setdefault("item_headings", {})
    if code not in read:
        read[code] = session.execute(_HEADING.where(ServiceItem.code == code)).one_or_none()
    return read[code]
