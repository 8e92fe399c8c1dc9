"""A realistic history behind bench/case_register.py's filler cases (its ``--history`` option).

Three template cases go through the real engine first, one per kind the filler has: completed (the
lifecycle's incomplete intake, notice, correction, review, pickup, rating), open (the same path up
to a claimed review) and not accepted (an intake refused at the window). Every row they left in
the history tables is then copied to each filler case of its kind, server-side with one
INSERT … SELECT per table: the case id replaced, ids remapped so references still match (task ids,
outbox event ids, the audit chain's last entry), unique keys made unique, timestamps and dates
moved by the filler case's receipt, the department and an open task's holder taken from the filler
case; bodies (workflow task JSON, audit details, outbox payloads and messages) as they are.

``workflow_share`` gives the workflow task rows (most of the bytes, never read by the board) to
only that share of the filler cases, to keep 1M histories within the disk.
"""

import time

from sqlalchemy import text

from bench.lifecycle import APPLICANT, ITEM, engine_step
from engine.roles import APPROVER

# Copied in this order: a row's references first (outbox_delivery needs its outbox_event).
TABLES = ("workflow_state", "workflow_task", "human_task", "audit_entry", "audit_chain", "outbox_event",
          "outbox_delivery", "decision_document", "case_rating")
# Integer ids, and the columns that refer to them.
OWN_IDS = {"audit_entry": "id", "outbox_event": "id", "outbox_delivery": "id", "decision_document": "id",
           "case_rating": "id"}
REFERENCES = {("outbox_delivery", "event_id"): "outbox_event", ("audit_chain", "last_entry_id"): "audit_entry"}
# Workflow task ids (varchar UUIDs), shared by the workflow, the human tasks and the audit entries.
TASK_IDS = {("workflow_task", "id"), ("human_task", "id"), ("audit_entry", "task_id")}
REPLACED = {
    "case_number": "f.number",
    "department_code": "CASE WHEN t.department_code IS NULL THEN NULL ELSE f.department_code END",
    ("outbox_event", "key"): "md5(t.key || ':' || f.case_id)",
    ("audit_chain", "key"): "'case:' || f.case_id",
    ("decision_document", "serial"): "f.case_id",
    ("decision_document", "number"): "t.number || '-' || f.case_id",
    # An open task keeps the case's deadline state and is held by someone of the case's department.
    ("human_task", "deadline_state"): "CASE WHEN t.state = 'open' THEN f.deadline_state ELSE t.deadline_state END",
    ("human_task", "assignee_id"): "CASE WHEN t.assignee_id IS NULL THEN NULL "
                                   "ELSE coalesce(h.ids[1 + f.case_id % cardinality(h.ids)], t.assignee_id) END",
}
KIND = "CASE c.outcome WHEN 'completed' THEN :completed WHEN 'not_accepted' THEN :not_accepted ELSE :open END"


def template_cases(engine, actors) -> dict[str, int]:
    """Kind: the id of a case of that kind run through the engine."""
    forms = actors["forms"]
    refused = {**forms[0][1], "acceptable": False, "rejection_reasons": "申请事项不属于本机关职权范围，请向省级主管部门申请"}
    ids = {"not_accepted": engine.create_case(actors["clerk1"], ITEM, APPLICANT, refused).id}
    for kind, last in (("open", "review"), ("completed", None)):
        case = engine.create_case(actors["clerk1"], ITEM, APPLICANT, forms[0][1])
        for name, form in forms[1:]:
            (task,) = engine.open_tasks(case.number)
            if name == last:
                engine.claim_task(actors["scjg_approver1"], task.id)
                break
            engine_step(engine, actors, task, form)
        ids[kind] = case.id
    return ids


def _columns(connection, table: str) -> list[tuple[str, str]]:
    return connection.execute(text(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = :table "
        "ORDER BY ordinal_position"), {"table": table}).all()


def _id_plan(connection, templates: list[int], first_filler: int) -> dict[str, str]:
    """Table: the SQL of a copied row's new id, ``base + filler index * span + template offset``, so that a
    reference to it (same table, same filler case) computes the same number."""
    plan = {}
    for table, column in OWN_IDS.items():
        low, high, top = connection.execute(text(
            f"SELECT min({column}) FILTER (WHERE case_id = ANY(:ids)),"
            f" max({column}) FILTER (WHERE case_id = ANY(:ids)), coalesce(max({column}), 0) FROM {table}"),
            {"ids": templates}).one()
        if low is not None:
            plan[table] = f"{top + 1} + (f.case_id - {first_filler})::bigint * {high - low + 1} + ({{value}} - {low})"
    return plan


def _expression(table: str, column: str, data_type: str, plan: dict[str, str]) -> str:
    value = f"t.{column}"
    if column == "case_id":
        return "f.case_id"
    if (table, column) in REPLACED or column in REPLACED:
        return REPLACED.get((table, column), REPLACED.get(column))
    if OWN_IDS.get(table) == column or (table, column) in REFERENCES:
        return plan[REFERENCES.get((table, column), table)].format(value=value)
    if (table, column) in TASK_IDS:
        return f"CASE WHEN {value} IS NULL THEN NULL ELSE md5({value} || ':' || f.case_id)::uuid::text END"
    if data_type == "timestamp with time zone":  # the template's day and hour become the filler case's
        return f"{value} + (f.received_at - f.template_received_at)"
    if data_type == "date":
        return f"{value} + (f.received_on - f.template_received_on)"
    return value


def _copy(table: str, columns: list[tuple[str, str]], plan: dict[str, str], workflow_cases: int) -> str:
    """One INSERT … SELECT: the templates' rows of ``table`` once per filler case of their kind."""
    # The audit chain has one row per case, named after it (its key, not a case id column).
    key = "t.key = 'case:' || f.template_id" if table == "audit_chain" else "t.case_id = f.template_id"
    share = f"AND f.case_id < :first + {workflow_cases}" if table == "workflow_task" else ""
    holders = ("LEFT JOIN (SELECT department_code, array_agg(id ORDER BY id) AS ids FROM staff "
               "WHERE role = :approver GROUP BY department_code) h ON h.department_code = f.department_code"
               if table == "human_task" else "")
    return (f"WITH f AS (SELECT c.id AS case_id, c.number, c.department_code, c.deadline_state, c.received_at,"
            f" c.received_on, tc.id AS template_id, tc.received_at AS template_received_at,"
            f" tc.received_on AS template_received_on"
            f" FROM service_case c JOIN service_case tc ON tc.id = {KIND} WHERE c.id >= :first)"
            f" INSERT INTO {table} ({', '.join(name for name, _type in columns)})"
            f" SELECT {', '.join(_expression(table, name, data_type, plan) for name, data_type in columns)}"
            f" FROM {table} t JOIN f ON {key} {share} {holders}")


def copy_history(engine, templates: dict[str, int], workflow_share: float = 1.0) -> None:
    """Copy the templates' rows to every filler case (the cases after the templates) of its kind."""
    ids = list(templates.values())
    with engine.db.begin() as connection:
        connection.execute(text("SET LOCAL work_mem = '256MB'"))
        first, fillers = connection.execute(text("SELECT min(id), count(*) FROM service_case WHERE id > :top"),
                                            {"top": max(ids)}).one()
        plan = _id_plan(connection, ids, first)
        for table in TABLES:
            started = time.perf_counter()
            statement = _copy(table, _columns(connection, table), plan, round(workflow_share * fillers))
            connection.execute(text(statement), {**templates, "first": first, "approver": APPROVER})
            print(f"  {table:<18} copied in {time.perf_counter() - started:6.1f} s", flush=True)
        for table, column in OWN_IDS.items():
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                                    f"(SELECT max({column}) FROM {table}))"))
    with engine.db.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in TABLES:
            connection.execute(text(f"VACUUM ANALYZE {table}"))


def report(engine) -> None:
    """Rows and bytes (with indexes and TOAST) of each history table and of the cases."""
    total = 0
    with engine.db.connect() as connection:
        for table in ("service_case", *TABLES):
            rows, size = connection.execute(text(
                f"SELECT count(*), pg_total_relation_size('{table}') FROM {table}")).one()
            total += size
            print(f"  {table:<18} {rows:>12,} rows {size / 2**20:>10,.1f} MiB")
    print(f"  {'total':<18} {'':>17} {total / 2**30:>10,.2f} GiB")
