"""The assessment results fed back to a seconding department (考核结果向派出部门反馈) as an Excel
workbook: its people's scores by category, their ledger entries, the deductions against the
department itself. Always in Chinese, like every official document."""

from io import BytesIO

from openpyxl import Workbook

from engine.exports import xlsx_row
from engine.ledger.export import notice_table
from engine.ledger.models import CATEGORIES
from engine.unit_scores import Feedback

_STATE_NAMES = {"active": "有效", "appealed": "复核中", "cancelled": "已撤销"}


def feedback_workbook(feedback: Feedback, *, center_name: str) -> bytes:
    book = Workbook()
    people = book.active
    people.title = "考核结果"
    sheet, department = feedback.sheet, feedback.department
    period = sheet.period
    budgets = [category for category in CATEGORIES if category in sheet.scheme.budgets]
    notice_table(
        people, f"{center_name} {period.label} 进驻工作人员考核结果反馈（{department.name}）",
        f"考核期间 {period.first} 至 {period.last}；进驻 {len(feedback.rows)} 人，平均得分 "
        f"{department.staff_score if department.staff_score is not None else '—'}，部门扣分 "
        f"{department.own_deductions}，部门得分 {department.score if department.score is not None else '—'}",
        ["中心排名", "姓名", "职务", "窗口", *[f"{category}({sheet.scheme.budgets[category] * period.months:g})"
                                         for category in budgets],
         "扣分", "加分", "得分", "等次", "备注"],
        [[row.rank, sheet.staff[row.staff_id].name, sheet.staff[row.staff_id].title or "",
          feedback.windows.get(row.staff_id, ""),
          *[float(row.categories[category].remaining) for category in budgets],
          float(row.deductions), float(row.bonuses), float(row.score), row.grade,
          "；".join((["一票否决"] if row.vetoed else []) + row.notes)]
         for row in feedback.rows] or [["暂无数据"]],
        [8, 10, 12, 20, *[10] * len(budgets), 8, 8, 8, 10, 36],
    )
    people.append([])
    people.append(xlsx_row(people, ["考核结果请存入个人档案，作为干部使用和晋升的依据（篇八 第二十二条）。"]))
    entries = book.create_sheet("考核台账")
    notice_table(
        entries, f"{department.name} 进驻工作人员 {period.label} 考核台账", f"考核期间 {period.first} 至 {period.last}",
        ["日期", "姓名", "规则编号", "考核内容", "类别", "分值", "状态", "事实依据", "办件编号"],
        [[line.entry.occurred_on.isoformat(), line.staff_name, line.entry.rule_code, line.rule_name, line.category,
          float(line.entry.points), _STATE_NAMES.get(line.entry.state, line.entry.state), line.entry.evidence,
          line.case_number or ""] for line in feedback.entries] or [["暂无数据"]],
        [12, 10, 10, 36, 10, 8, 8, 40, 20],
    )
    own = book.create_sheet("部门扣分")
    notice_table(
        own, f"{department.name} {period.label} 派驻部门扣分", "进驻工作人员管理办法 第十三条(二)",
        ["日期", "规则编号", "考核内容", "分值", "事实依据", "记录人"],
        [[line.entry.occurred_on.isoformat(), line.entry.rule_code, line.rule_name, float(line.entry.points),
          line.entry.evidence, line.recorded_by] for line in feedback.department_entries] or [["暂无数据"]],
        [12, 10, 36, 8, 40, 10],
    )
    out = BytesIO()
    book.save(out)
    return out.getvalue()
