"""`onewindow leave`: the leave (请销假) of the command line, each command as the person named by
``--user``: list, request, approve, refuse, withdraw, return. The engine checks who may."""

import click

from cli.common import acting, case_engine, fail_clearly

SCOPES = ("mine", "to_approve", "all")


def _show(line) -> str:
    leave = line.leave
    first = f"{leave.starts_on}{' pm' if leave.starts_half == 'pm' else ''}"
    last = f"{leave.ends_on}{' am' if leave.ends_half == 'am' else ''}"
    shown = (f"#{leave.id}\t{line.name}({line.username})\t{line.kind_name}\t{first}..{last}\t"
             f"cover {line.cover_username or '-'}\t{leave.state}")
    if leave.state == "refused":
        shown += f" ({leave.refused_stage}: {leave.refusal_reason})"
    return shown + ("\t超假 overrun" if line.overrun else "")


@click.group()
def leave():
    """Leave (请销假): request, the department's and the center's approval or refusal, withdrawal, return."""


@leave.command("list")
@click.option("--user", required=True, help="Whose view: the person, an approver or a supervisor.")
@click.option("--scope", type=click.Choice(SCOPES), default="mine", show_default=True,
              help="mine; to_approve: at a stage you approve; all: every leave (supervisors).")
@fail_clearly
def leave_list(user, scope):
    """List leave, newest first (to_approve: soonest first)."""
    engine, actor = case_engine(), acting(user)
    lines = {"mine": engine.leave.mine, "to_approve": engine.leave.to_approve, "all": engine.leave.all}[scope](actor)
    for line in lines:
        click.echo(_show(line))
    if not lines:
        click.echo("暂无数据 (none)")


@leave.command("request")
@click.option("--user", required=True, help="Who asks for leave.")
@click.option("--kind", required=True, help="personal, sick, annual, marriage, maternity, bereavement, "
                                            "business_trip or meeting.")
@click.option("--from", "starts_on", required=True, help="First day, YYYY-MM-DD.")
@click.option("--to", "ends_on", required=True, help="Last day (inclusive), YYYY-MM-DD.")
@click.option("--reason", required=True)
@click.option("--cover", default=None, help="Username of who covers (a window's A post: its B post).")
@click.option("--starts-half", type=click.Choice(("am", "pm")), default=None, help="pm: from the first day's afternoon.")
@click.option("--ends-half", type=click.Choice(("am", "pm")), default=None, help="am: until the last day's noon.")
@fail_clearly
def leave_request(user, **fields):
    """Ask for leave; the department approves, then the center."""
    engine, actor = case_engine(), acting(user)
    click.echo(_show(engine.leave.request(actor, **fields)))


@leave.command("approve")
@click.argument("leave_id", type=int)
@click.option("--user", required=True, help="The approver of the stage the leave is at.")
@fail_clearly
def leave_approve(leave_id, user):
    """Approve the stage the leave is at (the department's, then the center's)."""
    engine, actor = case_engine(), acting(user)
    click.echo(_show(engine.leave.approve(actor, leave_id)))


@leave.command("refuse")
@click.argument("leave_id", type=int)
@click.option("--user", required=True, help="The approver of the stage the leave is at.")
@click.option("--reason", required=True, help="Why it is refused (不予批准理由).")
@fail_clearly
def leave_refuse(leave_id, user, reason):
    """Refuse the leave at the stage it is at; it ends and excuses nothing."""
    engine, actor = case_engine(), acting(user)
    click.echo(_show(engine.leave.refuse(actor, leave_id, reason)))


@leave.command("withdraw")
@click.argument("leave_id", type=int)
@click.option("--user", required=True, help="The requester.")
@fail_clearly
def leave_withdraw(leave_id, user):
    """Withdraw your own leave before the center has approved it."""
    engine, actor = case_engine(), acting(user)
    click.echo(_show(engine.leave.withdraw(actor, leave_id)))


@leave.command("return")
@click.argument("leave_id", type=int)
@click.option("--user", required=True, help="The person back, or a supervisor for him.")
@fail_clearly
def leave_return(leave_id, user):
    """销假 today: the leave stops excusing absence and its AB absence ends."""
    engine, actor = case_engine(), acting(user)
    click.echo(_show(engine.leave.record_return(actor, leave_id)))
