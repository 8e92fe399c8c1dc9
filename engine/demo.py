"""The demo service center: processes, calendar, catalogue and staff accounts.

Used by ``onewindow serve`` on a fresh database, by the simulation and by the tests, so
a newcomer sees a working center without typing anything.
"""

from sqlalchemy import select

from engine.actor import SYSTEM
from engine.appointments.models import AppointmentSlot
from engine.catalogue.loader import DEMO_CATALOGUE, read_catalogue_file
from engine.ledger.rules import DEMO_RULES, read_rules_file
from engine.staff.models import ServiceWindow, Staff
from engine.staff.passwords import set_password
from engine.staff.service import create_staff

# Every demo account signs in with this password (printed by `onewindow serve`).
DEMO_PASSWORD = "onewindow-demo"
CLERKS = [("clerk1", "王晓燕"), ("clerk2", "刘建国"), ("clerk3", "陈美玲")]
SUPERVISORS = [("supervisor", "赵督查")]
ADMINS = [("admin", "系统管理员")]
DIRECTORS = [("director", "周主任")]
# Per department: two approvers and the chief representative (首席代表).
DEPARTMENT_STAFF = {
    "SCJG": [("scjg_approver1", "李明"), ("scjg_approver2", "周红"), ("scjg_chief", "孙首席")],
    "ZRGH": [("zrgh_approver1", "吴刚"), ("zrgh_approver2", "郑丽"), ("zrgh_chief", "钱首席")],
    "ZJJ": [("zjj_approver1", "冯强"), ("zjj_approver2", "何静"), ("zjj_chief", "许首席")],
    "JTYS": [("jtys_approver1", "马骏"), ("jtys_approver2", "高敏"), ("jtys_chief", "林首席")],
    "CJR": [("cjr_approver1", "罗平"), ("cjr_approver2", "梁芳"), ("cjr_chief", "宋首席")],
    "WJW": [("wjw_approver1", "唐磊"), ("wjw_approver2", "韩雪"), ("wjw_chief", "曹首席")],
}
# Windows with their A and B posts (AB岗): (code, name, department or None for 综合窗口, A, B).
WINDOWS = [
    ("ZH-01", "综合窗口1", None, "clerk1", "clerk2"),
    ("ZH-02", "综合窗口2", None, "clerk2", "clerk3"),
    ("SCJG-01", "市场监管审批窗口", "SCJG", "scjg_approver1", "scjg_approver2"),
]

# Appointment slots (预约) of the comprehensive windows: (start, end, places) of every working day.
APPOINTMENT_SLOTS = [("09:00", "10:00", 4), ("10:00", "11:00", 4), ("11:00", "12:00", 3),
                     ("14:00", "15:00", 4), ("15:00", "16:00", 4), ("16:00", "17:00", 3)]


def demo_staff() -> list[tuple[str, str, str, str | None]]:
    """(username, name, role, department) of every demo account."""
    accounts = [(u, n, "clerk", None) for u, n in CLERKS]
    for department, people in DEPARTMENT_STAFF.items():
        for username, name in people:
            accounts.append((username, name, "chief" if username.endswith("_chief") else "approver", department))
    accounts += [(u, n, "supervisor", None) for u, n in SUPERVISORS]
    accounts += [(u, n, "admin", None) for u, n in ADMINS]
    accounts += [(u, n, "director", None) for u, n in DIRECTORS]
    return accounts


def seed_demo_center(engine, *, production: bool = False) -> dict:
    """Bring a migrated database to a working demo center; safe to run again. Demo accounts are
    marked as such; in ``production`` each must choose its own password at its first sign-in."""
    versions = engine.deploy_processes()
    years = engine.seed_calendar()
    catalogue = engine.load_catalogue(read_catalogue_file(DEMO_CATALOGUE))
    rules = engine.ledger.load_rules(read_rules_file(DEMO_RULES))
    created = []
    with engine.transaction() as session:
        existing = set(session.scalars(select(Staff.username)))
        for username, name, role, department in demo_staff():
            if username not in existing:
                staff = create_staff(session, username=username, name=name, role=role,
                                     department_code=department, now=engine.clock.now())
                set_password(staff, DEMO_PASSWORD)
                staff.is_demo, staff.must_change_password = True, production
                created.append(staff.username)
    with engine.session() as session:
        have = set(session.scalars(select(ServiceWindow.code)))
    windows = [engine.posts.save_window(SYSTEM, code=code, name=name, department_code=department, a_staff=a,
                                        b_staff=b).window.code
               for code, name, department, a, b in WINDOWS if code not in have]
    with engine.session() as session:
        slotted = set(session.scalars(select(AppointmentSlot.window_code)))
    for code, _name, department, _a, _b in WINDOWS:
        if department is None and code not in slotted:
            for starts, ends, places in APPOINTMENT_SLOTS:
                engine.appointments.save_slot(SYSTEM, window=code, starts_at=starts, ends_at=ends, capacity=places)
    return {"processes": [v.process_id for v in versions], "calendar_years": years,
            "items": len(catalogue["items"]), "staff": created, "center_name": catalogue["center_name"],
            "ledger_rules": len(rules), "windows": windows}
