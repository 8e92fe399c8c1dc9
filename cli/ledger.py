"""`onewindow ledger`: the staff scoring ledger (考核台账) from the command line."""

from pathlib import Path

import click

from cli.common import acting, case_engine, fail_clearly


@click.group()
def ledger():
    """The staff scoring ledger (考核台账)."""


@ledger.command("rules")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--check", is_flag=True, help="Only validate the file.")
@fail_clearly
def ledger_rules(file, check):
    """Validate and load a scoring rule file (TOML, [scheme] and [[rules]]): loading makes it the
    center's active scheme (engine/ledger/rules.toml: 篇四, rules_pian7.toml: 篇七)."""
    from engine.ledger.rules import read_rules_file, validate_scheme

    raw = read_rules_file(file)
    rules = validate_scheme(raw)[0] if check else case_engine().ledger.load_rules(raw)
    scheme = raw.get("scheme", {}).get("name") if isinstance(raw.get("scheme"), dict) else None
    click.echo(f"{file}: {len(rules)} rules " + (f"of scheme {scheme} " if scheme else "")
               + ("valid" if check else "loaded"))


@ledger.command("record")
@click.option("--user", required=True, help="The supervisor recording the entry.")
@click.option("--staff", "staff_username", required=True, help="Username of the staff member.")
@click.option("--rule", "rule_code", required=True)
@click.option("--date", "occurred_on", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--evidence", required=True, help="The facts: what happened, who saw it.")
@click.option("--quantity", type=int, default=1, show_default=True)
@fail_clearly
def ledger_record(user, staff_username, rule_code, occurred_on, evidence, quantity):
    """Record a manual entry (attendance, conduct, commendation)."""
    engine, actor, staff = case_engine(), acting(user), acting(staff_username)
    entry = engine.ledger.record(actor, staff_id=staff.id, rule_code=rule_code, occurred_on=occurred_on.date(),
                                 evidence=evidence, quantity=quantity)
    click.echo(f"entry {entry.id}: {staff.name} {entry.rule_code} {entry.points} on {entry.occurred_on}")


@ledger.command("scores")
@click.argument("period")
@fail_clearly
def ledger_scores(period):
    """Scores and grades of a period: 2026-11, 2026-Q4 or 2026."""
    sheet = case_engine().ledger.scores(period)
    click.echo(f"{sheet.period.label} ({sheet.period.first} - {sheet.period.last})")
    for row in sheet.rows:
        person = sheet.staff[row.staff_id]
        click.echo(f"{row.rank:>4}  {person.name}\t{person.username:<16} {row.score:>6}  {row.grade}"
                   f"  补贴 {row.allowance}" + ("  (一票否决)" if row.vetoed else "")
                   + (f"  {'；'.join(row.notes)}" if row.notes else ""))


@ledger.command("export")
@click.argument("period")
@click.option("--user", required=True, help="The supervisor exporting.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True)
@click.option("--center", default="政务服务中心", show_default=True, help="The center's name for the title.")
@fail_clearly
def ledger_export(period, user, out, center):
    """Write a period's scores and ledger to an Excel file for the notice board."""
    engine, actor = case_engine(), acting(user)
    out.write_bytes(engine.ledger.export(actor, period, center_name=center))
    click.echo(f"wrote {out}")


@ledger.command("windows")
@click.argument("period")
@click.option("--user", required=True, help="The supervisor asking.")
@fail_clearly
def ledger_windows(period, user):
    """Each window's score and ranking (优秀窗口, 流动红旗) for a period."""
    engine = case_engine()
    sheet, rows = engine.units.windows(acting(user), period)
    click.echo(f"{sheet.period.label} ({sheet.period.first} - {sheet.period.last})")
    for row in rows:
        satisfaction = f"{row.satisfaction}%" if row.satisfaction is not None else "—"
        click.echo(f"{row.rank:>4}  {row.code:<10} {row.name}\t人员 {row.staff_score}  满意率 {satisfaction}"
                   f"  得分 {row.score}" + ("  优秀窗口" if row.excellent else "") + ("  流动红旗" if row.red_flag else ""))


@ledger.command("departments")
@click.argument("period")
@click.option("--user", required=True, help="The supervisor asking.")
@fail_clearly
def ledger_departments(period, user):
    """Each seconding department's score: its staff's mean and the deductions against it."""
    engine = case_engine()
    sheet, rows = engine.units.departments(acting(user), period)
    click.echo(f"{sheet.period.label} ({sheet.period.first} - {sheet.period.last})")
    for row in rows:
        click.echo(f"{row.rank:>4}  {row.code:<8} {row.name}\t人员 {row.staff_score}  部门扣分 {row.own_deductions}"
                   f"  得分 {row.score}")


@ledger.command("feedback")
@click.argument("period")
@click.option("--department", required=True, help="The seconding department's code.")
@click.option("--user", required=True, help="The supervisor sending it.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True)
@click.option("--center", default="政务服务中心", show_default=True, help="The center's name for the title.")
@fail_clearly
def ledger_feedback(period, department, user, out, center):
    """Write the feedback report to a seconding department (考核结果反馈) as an Excel file."""
    from engine.unit_feedback import feedback_workbook

    engine = case_engine()
    report = engine.units.feedback(acting(user), period, department)
    out.write_bytes(feedback_workbook(report, center_name=center))
    click.echo(f"wrote {out}")
