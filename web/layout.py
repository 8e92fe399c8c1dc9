"""What the common layout (base.html) shows about the signed-in person: names, not codes."""

from flask import g
from flask_babel import gettext as _
from sqlalchemy import select

from engine.catalogue.models import Department
from web.access import case_engine


def department_names() -> dict[str, str]:
    """Every department's name by code, read once per request (a handful of rows)."""
    if "department_names" not in g:
        with case_engine().session() as session:
            g.department_names = dict(session.execute(select(Department.code, Department.name)).all())
    return g.department_names


def department_name(code: str | None) -> str:
    """The department's name; no code is the center's comprehensive window (综合窗口)."""
    if not code:
        return _("综合窗口（中心）")
    return department_names().get(code, code)


def init_app(app) -> None:
    app.add_template_global(department_name, "department_name")
