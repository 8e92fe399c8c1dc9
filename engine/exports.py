"""Stored text written safely into a spreadsheet: the one rule of every export (xlsx and csv).

Two things in stored text break an export or its reader. A character XML cannot hold (most
C0 controls, lone surrogates) makes openpyxl refuse the cell, and the whole file fails;
input refuses them today (``engine.validation.text``), but older rows may hold them, so they
are replaced by U+FFFD here. And text a spreadsheet takes for a formula (``=``, ``+``, ``-``,
``@``, tab, carriage return first) runs when a supervisor opens the file (formula injection,
e.g. ``=HYPERLINK(…)`` in an entry's evidence): an xlsx cell holds it as a string with
Excel's quote prefix, a csv field gets a leading ``'``.
"""

import re

from openpyxl.cell.cell import Cell

_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def writable_text(value: str) -> str:
    """``value`` with every character an xlsx file cannot hold replaced by U+FFFD."""
    return _UNWRITABLE.sub("\ufffd", value)


def looks_like_formula(value: str) -> bool:
    return value.startswith(FORMULA_STARTS)


def xlsx_row(sheet, values: list) -> list:
    """``values`` as cells for ``sheet.append``: text made writable and never a formula."""
    cells = []
    for value in values:
        if not isinstance(value, str):
            cells.append(value)
            continue
        cell = Cell(sheet, value=writable_text(value))
        if looks_like_formula(value):
            # A string cell, and the quote prefix keeps it text when someone edits it in Excel.
            cell.data_type, cell.quotePrefix = "s", True
        cells.append(cell)
    return cells


def csv_field(value):
    """A csv field: text made writable, and a leading ``'`` where a spreadsheet would see a formula."""
    if not isinstance(value, str):
        return value
    value = writable_text(value)
    return "'" + value if looks_like_formula(value) else value
