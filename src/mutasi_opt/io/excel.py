"""Cells of the workbooks we write: text from the user's files stays text.

A name or a reason that starts with ``=``, ``+``, ``-`` or ``@`` is a formula
to a spreadsheet (formula injection: ``=HYPERLINK(...)`` in a name would run
when the report is opened).  Every such text cell is stored as text and
marked with Excel's text prefix (the ``'`` a user types), so it stays text
also when edited.  Control characters, which a worksheet cannot hold, are
written as ``\\u001b``.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["FORMULA_START", "cell_value", "keep_text"]

#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@")

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def cell_value(value: Any) -> Any:
    """``value`` as a worksheet can hold it: control characters in text written as
    ``\\u001b`` (a worksheet refuses them); anything else unchanged."""
    if isinstance(value, str):
        return _ILLEGAL.sub(lambda m: f"\\u{ord(m.group()):04x}", value)
    return value


def keep_text(sheet: Any) -> None:
    """Store every text cell of ``sheet`` that starts like a formula as text, with
    Excel's text prefix (call it when the sheet is filled, before saving)."""
    for row in sheet.iter_rows():
        for cell in row:
            value = cell.value
            if isinstance(value, str) and value.startswith(FORMULA_START):
                cell.data_type = "s"
                cell.quotePrefix = True
