"""Reading one table (CSV, XLSX or DataFrame) into raw cells with row numbers.

Cells are kept as the user wrote them: CSV cells are always text (so a NIP
never loses digits), XLSX and DataFrame cells keep their Python type until
:func:`cell_text` turns them into text (numbers to their exact digits,
``NaN``/``None`` to an empty cell).

CSV files may be UTF-8 (with or without byte-order mark), UTF-16 with a
byte-order mark, or Windows-1252; the delimiter (``,``, ``;`` or tab) is taken
from the header line.  In ``;`` files a decimal comma (``0,5``) is a decimal
point.

Row numbers are spreadsheet rows: the header is row 1, the first data row is
row 2, and blank lines count (so they match the row numbers Excel shows).
Blank rows are skipped.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..domain.arrays import ObjectArray
from ..domain.errors import InputError, InputIssue
from ..domain.values import Golongan

__all__ = ["Source", "cell_text", "read_source", "read_table", "source_from_frame"]

logger = logging.getLogger("mutasi_opt")


EXCEL_HINT = 'reading .xlsx files needs openpyxl; install it with: pip install "mutasi-opt[excel]"'


@dataclass
class Source:
    """The raw cells of one table.

    Attributes
    ----------
    file
        Name shown in messages (``employees.csv``, or ``employees`` for a DataFrame).
    headers
        Column names exactly as written.
    cells
        One object array per header, one entry per (non-blank) record.
    rows
        Spreadsheet row number of each record.
    decimal_comma
        A ``;``-delimited CSV: ``0,5`` in a number column means 0.5.
    text_only
        Every cell is a ``str`` (CSV); otherwise cells go through :func:`cell_text`.
    issues
        Problems found while reading (e.g. a row with too many values).
    """

    file: str
    headers: list[str]
    cells: list[ObjectArray]
    rows: npt.NDArray[np.int64]
    decimal_comma: bool = False
    text_only: bool = False
    issues: list[InputIssue] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)


# ------------------------------------------------------------------ cell text
def cell_text(value: Any, *, keep_float: bool = False) -> Any:
    """The text of one cell as a CSV would hold it.

    ``None``/``NaN``/``NA`` → ``""``; bools → ``true``/``false``; integers →
    their exact digits; floats → ``repr`` (shortest exact form), or the float
    itself with ``keep_float`` (for the NIP column, so a NIP stored as a number
    is reported instead of guessed); lists → ``a;b``; pairs and mappings →
    ``code:level;code:level``.
    """
    if isinstance(value, str):
        return value
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return ""
        return number if keep_float else repr(number)
    if isinstance(value, Golongan):
        return value.value
    if isinstance(value, Mapping):
        return ";".join(f"{k}:{v}" for k, v in value.items())
    if isinstance(value, set | frozenset):
        return ";".join(sorted(str(cell_text(v)) for v in value))
    if isinstance(value, list | tuple | np.ndarray):
        parts = []
        for item in value:
            if isinstance(item, list | tuple) and len(item) == 2:
                parts.append(f"{item[0]}:{item[1]}")
            else:
                parts.append(str(cell_text(item)))
        return ";".join(parts)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _blank(cells: list[ObjectArray], n: int, text_only: bool) -> npt.NDArray[np.bool_]:
    """Records whose every cell is empty (or whitespace, NaN, None)."""
    if not cells:
        return np.ones(n, dtype=np.bool_)

    def empty(v: Any) -> bool:
        text = cell_text(v)
        return isinstance(text, str) and not text.strip()

    first = cells[0]
    if text_only:
        maybe = (first == "") | np.fromiter(map(str.isspace, first), dtype=np.bool_, count=n)
        candidates = np.flatnonzero(maybe).tolist()
    else:
        candidates = [i for i, v in enumerate(first) if empty(v)]
    out = np.zeros(n, dtype=np.bool_)
    for i in candidates:
        out[i] = all(empty(col[i]) for col in cells)
    return out


def _finish(
    file: str,
    headers: list[str],
    cells: list[ObjectArray],
    rows: npt.NDArray[np.int64],
    *,
    text_only: bool,
    decimal_comma: bool = False,
    issues: list[InputIssue] | None = None,
) -> Source:
    blank = _blank(cells, len(rows), text_only)
    if blank.any():
        keep = np.flatnonzero(~blank)
        cells = [c[keep] for c in cells]
        rows = rows[keep]
    return Source(file, headers, cells, rows, decimal_comma, text_only, issues or [])


# ----------------------------------------------------------------------- CSV
def _decode(data: bytes, file: str) -> tuple[str, str]:
    """(text, encoding name) of a CSV file's bytes."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp1252"]
    position = 0
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            position = exc.start
    raise InputError(
        [
            InputIssue(
                file,
                None,
                None,
                None,
                f"the file is not {' or '.join(candidates)} text (bad byte at offset "
                f"{position}); save it as 'CSV UTF-8' or as .xlsx",
            )
        ]
    )


def _delimiter(header_line: str) -> str:
    """The delimiter that splits the header line into the most columns."""
    best, best_n = ",", 1
    for delim in (",", ";", "\t"):
        n = len(next(csv.reader([header_line], delimiter=delim), []))
        if n > best_n:
            best, best_n = delim, n
    return best


def _read_csv(path: Path) -> Source:
    file = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(
            [InputIssue(file, None, None, None, f"cannot read the file: {exc}")]
        ) from None
    text, encoding = _decode(data, file)
    logger.debug("%s: encoding %s", file, encoding)
    if not text.strip():
        return Source(file, [], [], np.zeros(0, dtype=np.int64), text_only=True)
    header_line = text.split("\n", 1)[0].rstrip("\r")
    delim = _delimiter(header_line)
    try:
        # From the path: pandas' C reader is much faster on a file than on a buffer.
        frame = pd.read_csv(
            path,
            sep=delim,
            header=None,
            dtype=object,
            na_filter=False,
            keep_default_na=False,
            skip_blank_lines=False,
            quotechar='"',
            encoding=encoding,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError):
        return _read_csv_slow(file, text, delim)
    headers = [str(h) for h in frame.iloc[0].tolist()]
    body = frame.iloc[1:]
    cells = [body[c].to_numpy(dtype=object) for c in body.columns]
    rows = np.arange(2, len(body) + 2, dtype=np.int64)
    return _finish(file, headers, cells, rows, text_only=True, decimal_comma=delim == ";")


def _read_csv_slow(file: str, text: str, delim: str) -> Source:
    """Record by record with :mod:`csv`: reports every row with too many values."""
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    headers = records[0] if records else []
    width = len(headers)
    issues: list[InputIssue] = []
    kept: list[list[str]] = []
    rows: list[int] = []
    for k, record in enumerate(records[1:], start=2):
        if len(record) > width:
            extra = record[width:]
            if any(v.strip() for v in extra):
                issues.append(
                    InputIssue(
                        file,
                        k,
                        None,
                        delim.join(extra),
                        f"the row has {len(record)} values but the header has {width} columns; "
                        "remove the extra values or put text containing "
                        f"{'a comma' if delim == ',' else 'the delimiter'} in double quotes",
                    )
                )
                continue
            record = record[:width]
        kept.append(record + [""] * (width - len(record)))
        rows.append(k)
    cells = [np.array([r[j] for r in kept], dtype=object) for j in range(width)]
    return _finish(
        file,
        headers,
        cells,
        np.array(rows, dtype=np.int64),
        text_only=True,
        decimal_comma=delim == ";",
        issues=issues,
    )


# ---------------------------------------------------------------------- XLSX
def _read_xlsx(path: Path) -> Source:
    file = path.name
    try:
        import openpyxl
    except ImportError:
        raise InputError([InputIssue(file, None, None, None, EXCEL_HINT)]) from None
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise InputError(
            [
                InputIssue(
                    file,
                    None,
                    None,
                    None,
                    f"cannot read the workbook ({type(exc).__name__}: {exc}); "
                    "save it again as .xlsx (Excel workbook)",
                )
            ]
        ) from None
    try:
        sheet = workbook.worksheets[0]
        records = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    if not records:
        return Source(file, [], [], np.zeros(0, dtype=np.int64))
    width = max(len(r) for r in records)
    grid = [tuple(r) + (None,) * (width - len(r)) for r in records]
    header_cells = grid[0]
    body = grid[1:]
    headers: list[str] = []
    cells: list[ObjectArray] = []
    for j, head in enumerate(header_cells):
        column = np.empty(len(body), dtype=object)
        column[:] = [r[j] for r in body]
        title = cell_text(head)
        if not str(title).strip():
            if any(str(cell_text(v)).strip() for v in column):
                logger.warning("%s: column %d has values but no header; it is ignored", file, j + 1)
            continue
        headers.append(str(title))
        cells.append(column)
    rows = np.arange(2, len(body) + 2, dtype=np.int64)
    return _finish(file, headers, cells, rows, text_only=False)


# ------------------------------------------------------------------- public
_EXTENSIONS = {".csv": _read_csv, ".txt": _read_csv, ".tsv": _read_csv, ".xlsx": _read_xlsx}


def read_source(path: str | Path) -> Source:
    """Raw cells of a ``.csv`` or ``.xlsx`` file; raises :class:`InputError` when unreadable."""
    path = Path(path)
    reader = _EXTENSIONS.get(path.suffix.lower())
    if reader is None:
        raise InputError(
            [
                InputIssue(
                    path.name,
                    None,
                    None,
                    None,
                    "unsupported file type; save the table as .csv or .xlsx",
                )
            ]
        )
    return reader(path)


def source_from_frame(frame: Any, name: str) -> Source:
    """Raw cells of a DataFrame; the row of position ``i`` is ``i + 2`` (as if written to CSV)."""
    if not isinstance(frame, pd.DataFrame):
        frame = pd.DataFrame(frame)
    headers = [str(c) for c in frame.columns]
    cells = [frame.iloc[:, j].to_numpy(dtype=object) for j in range(frame.shape[1])]
    rows = np.arange(2, len(frame) + 2, dtype=np.int64)
    return _finish(name, headers, cells, rows, text_only=False)


def read_table(path: str | Path) -> pd.DataFrame:
    """One ``.csv`` or ``.xlsx`` table as text, exactly as written.

    Every cell is a ``str`` (an empty cell is ``""``); columns keep the names
    written in the header.  The index is the spreadsheet row number (header =
    row 1), so blank rows, which are dropped, leave gaps.  Raises
    :class:`~mutasi_opt.domain.errors.InputError` when the file cannot be read or has
    rows with too many values.
    """
    source = read_source(path)
    if source.issues:
        raise InputError(source.issues)
    data = {}
    for j, column in enumerate(source.cells):
        texts = column if source.text_only else [str(cell_text(v)) for v in column]
        data[j] = pd.Series(np.asarray(texts, dtype=object), dtype=object)
    frame = pd.DataFrame(data)
    frame.columns = pd.Index(source.headers, dtype=object)
    frame.index = pd.Index(source.rows, name="row")
    return frame
