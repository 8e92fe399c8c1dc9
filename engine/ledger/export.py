"""A period's scores and ledger as an Excel workbook, laid out for the center's notice board (公示)."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from engine.exports import xlsx_row
from engine.ledger.models import CATEGORIES

_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD = PatternFill("solid", fgColor="DDE4EE")
_STATE_NAMES = {"active": "有效", "appealed": "复核中", "cancelled": "已撤销"}


def notice_table(sheet, title: str, subtitle: str, header: list[str], rows: list[list], widths: list[int]) -> None:
    """A titled, bordered table starting at A1 (header row 3), printed landscape on one page width."""
    sheet.append(xlsx_row(sheet, [title]))
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet["A1"].font = Font(size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(xlsx_row(sheet, [subtitle]))
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(header))
    sheet["A2"].alignment = Alignment(horizontal="center")
    sheet.append(xlsx_row(sheet, header))
    for row in rows:
        sheet.append(xlsx_row(sheet, row))
    for row in sheet.iter_rows(min_row=3, max_row=sheet.max_row, max_col=len(header)):
        for cell in row:
            cell.border = _BOX
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    for cell in sheet[3]:
        cell.font, cell.fill = Font(bold=True), _HEAD
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1


def workbook(sheet, lines: list, *, center_name: str, department_names: dict[str, str], policy) -> bytes:
    """``sheet``: a ledger ScoreSheet; ``lines``: its EntryLines. Returns the .xlsx bytes."""
    book = Workbook()
    scores = book.active
    scores.title = "考核结果"
    period = sheet.period
    share = f"{policy.excellent_share * 100:.0f}%"
    budgets = [category for category in CATEGORIES if category in sheet.scheme.budgets]
    months = sheet.period.months
    notice_table(
        scores, f"{center_name} {period.label} 窗口工作人员考核结果公示",
        f"考核期间 {period.first} 至 {period.last}；基础分 {policy.base}，最高 {policy.cap}，扣完为止；"
        f"优秀比例不超过 {share}" + (f"；考核办法 {sheet.scheme.name}" if sheet.scheme.name else ""),
        ["排名", "姓名", "部门", "岗位", *[f"{category}({sheet.scheme.budgets[category] * months:g})"
                                      for category in budgets],
         "扣分", "加分", "得分", "等次", "岗位补贴(元)", "记录数", "备注"],
        [[row.rank, sheet.staff[row.staff_id].name,
          department_names.get(sheet.staff[row.staff_id].department_code, "综合窗口"),
          {"clerk": "窗口受理", "approver": "后台审批", "chief": "首席代表"}[sheet.staff[row.staff_id].role],
          *[float(row.categories[category].remaining) for category in budgets],
          float(row.deductions), float(row.bonuses), float(row.score), row.grade, float(row.allowance),
          row.entry_count, "；".join((["一票否决"] if row.vetoed else []) + row.notes)]
         for row in sheet.rows],
        [6, 10, 22, 10, *[10] * len(budgets), 8, 8, 8, 10, 12, 8, 40],
    )
    scores.append([])
    scores.append(xlsx_row(scores, ["公示期 5 个工作日。对考核结果有异议的，可向中心督查室申请复核。"]))
    details = book.create_sheet("考核台账")
    notice_table(
        details, f"{center_name} {period.label} 考核台账明细", f"考核期间 {period.first} 至 {period.last}",
        ["日期", "姓名", "规则编号", "考核内容", "类别", "分值", "状态", "事实依据", "办件编号", "记录方式"],
        [[line.entry.occurred_on.isoformat(), line.staff_name, line.entry.rule_code, line.rule_name, line.category,
          float(line.entry.points), _STATE_NAMES.get(line.entry.state, line.entry.state), line.entry.evidence,
          line.case_number or "", "系统自动" if line.entry.recorded_by_id is None else "人工记录"]
         for line in lines],
        [12, 10, 10, 36, 10, 8, 8, 40, 20, 10],
    )
    out = BytesIO()
    book.save(out)
    return out.getvalue()
