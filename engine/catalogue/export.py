"""The catalogue back out as the TOML the loader reads (`onewindow catalogue export`)."""

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.catalogue.models import Department, ServiceItem, ServiceItemVersion


def catalogue_raw(session: Session, center_name: str) -> dict:
    """Departments and active items, each item as its current version's snapshot (the loader's own form)."""
    departments = [{"code": row.code, "name": row.name, "short_name": row.short_name}
                   for row in session.scalars(select(Department).order_by(Department.code))]
    items = []
    for row in session.scalars(select(ServiceItem).where(ServiceItem.active.is_(True)).order_by(ServiceItem.code)):
        version = session.scalar(select(ServiceItemVersion).where(ServiceItemVersion.item_code == row.code,
                                                                  ServiceItemVersion.version == row.version))
        if version is not None:
            items.append(version.snapshot)
    return {"center_name": center_name, "departments": departments, "items": items}


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(element) for element in value) + "]"
    # A JSON string is a valid TOML basic string (the same escapes).
    return json.dumps(str(value), ensure_ascii=False)


def _table(header: str, table: dict) -> list[str]:
    lines = [header]
    nested = []
    for key, value in table.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            nested.append((key, value))
        else:
            lines.append(f"{key} = {_value(value)}")
    for key, rows in nested:
        for row in rows:
            lines += [""] + _table(f"[[{header.strip('[]')}.{key}]]", row)
    return lines


def to_toml(raw: dict) -> str:
    lines = [f"center_name = {_value(raw['center_name'])}"]
    for department in raw["departments"]:
        lines += [""] + _table("[[departments]]", department)
    for item in raw["items"]:
        lines += [""] + _table("[[items]]", item)
    return "\n".join(lines) + "\n"
