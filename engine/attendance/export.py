"""The weekly attendance bulletin (每周考勤通报) as an Excel workbook, in Chinese (an official notice)."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from engine.exports import xlsx_row

HEADER = ["姓名", "用户名", "部门", "迟到早退10分钟以内", "迟到早退10至30分钟", "迟到早退30分钟以上", "其中早退",
          "旷工（半天）", "请假（天）"]


def bulletin_workbook(bulletin, center_name: str) -> bytes:
    """``bulletin``: engine.attendance_book.Bulletin. Returns the .xlsx bytes."""
    book = Workbook()
    sheet = book.active
    sheet.title = "每周考勤通报"
    sheet.append(xlsx_row(sheet, [f"{center_name} 考勤通报（{bulletin.first} 至 {bulletin.last}）"]))
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet["A1"].font, sheet["A1"].alignment = Font(size=16, bold=True), Alignment(horizontal="center")
    sheet.append(xlsx_row(sheet, HEADER))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for line in bulletin.lines:
        # The first three bands count lateness and leaving early alike, as the rules do; 其中早退 the early part.
        sheet.append(xlsx_row(sheet, [line.name, line.username, line.department_code or "综合窗口", line.minor,
                                      line.late, line.major, line.early, line.absent_half_days, line.leave_days]))
    if not bulletin.lines:
        sheet.append(xlsx_row(sheet, ["暂无数据"]))
    for column, width in zip("ABCDEFGHI", (12, 16, 12, 12, 12, 12, 10, 12, 10), strict=True):
        sheet.column_dimensions[column].width = width
    out = BytesIO()
    book.save(out)
    return out.getvalue()
