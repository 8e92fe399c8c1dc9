"""The 否决备案 register as an Excel sheet: one row per refusal, text written safely (engine.exports)."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from engine.clock import beijing
from engine.exports import xlsx_row

HEADER = ["备案日期", "时间", "类型", "办件编号", "决定书文号", "部门", "事项编码", "事项名称", "申请人",
          "理由及依据", "经办人"]
WIDTHS = [12, 18, 10, 18, 24, 20, 14, 30, 16, 60, 10]


def workbook(lines: list, *, title: str, subtitle: str, department_names: dict[str, str]) -> bytes:
    """``lines``: engine.decisions.service.RegisterLine rows. Returns the .xlsx bytes."""
    book = Workbook()
    sheet = book.active
    sheet.title = "否决备案"
    sheet.append(xlsx_row(sheet, [title]))
    sheet.append(xlsx_row(sheet, [subtitle]))
    sheet.append(xlsx_row(sheet, HEADER))
    sheet["A1"].font = Font(size=14, bold=True)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for line in lines:
        record = line.record
        sheet.append(xlsx_row(sheet, [
            record.refused_on.isoformat(), beijing(record.refused_at), line.title, record.case_number,
            record.document_number or "", department_names.get(record.department_code, record.department_code),
            record.item_code, record.item_name, record.applicant_name, record.reasons, line.refused_by or "系统"]))
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A4"
    out = BytesIO()
    book.save(out)
    return out.getvalue()
