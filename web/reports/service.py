"""What the statistics page, its Excel sheet and GET /api/v1/reports/statistics need from the engine."""

from flask import current_app

from engine import register, statistics
from engine.actor import Actor
from engine.ledger.scores import parse_period
from engine.permissions import may_read_reports
from web.access import case_engine

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GROUP_NAMES = {statistics.DEPARTMENT: "按部门", statistics.ITEM: "按事项", statistics.STAFF: "按人员"}


def report(actor: Actor, period: str | None, by: str, department: str | None) -> statistics.Report:
    """The period's report within what ``actor`` may read (a chief representative: his department)."""
    may_read_reports(actor).check()
    engine = case_engine()
    today = engine.clock.today()
    chosen = parse_period(period or today.strftime("%Y-%m"))
    with engine.session() as session:
        return statistics.report(session, register.scope(session, actor, department), chosen, by, today)


def title(result: statistics.Report) -> str:
    """The sheet's and the printed page's heading, in Chinese as official reports are."""
    kind = {1: "月统计", 3: "季通报"}.get(result.period.months, "年度统计")
    return (f"{current_app.config['CENTER_NAME']} {result.period.label} 政务服务{kind}（{GROUP_NAMES[result.by]}，"
            f"{result.period.first.isoformat()} 至 {result.period.last.isoformat()}）")


def export(result: statistics.Report) -> tuple[str, bytes]:
    return f"statistics-{result.period.label}-{result.by}.xlsx", statistics.workbook(result, title(result))
