"""Reading one table (CSV, XLSX or DataFrame) into raw cells with row numbers.

Cells are kept as the user wrote them: CSV cells are always text (so a NIP
never loses digits), XLSX and DataFrame cells keep their Python type until
:func:`cell_text` turns them into text (numbers to their exact digits,
``NaN``/``None`` to an empty cell).

CSV files may be UTF-8 (with or without byte-order mark), UTF-16 (with or
without one), or Windows-1252, with any line endings (LF, CRLF, CR alone); the
delimiter (``,``, ``;`` or tab) is taken from the header line.  In ``;`` files a
decimal comma (``0,5``) is a decimal point.  A binary file, or a byte that no
encoding reads, is reported with its line.

A workbook's first sheet is read; the other sheets are listed in
:attr:`Source.other_sheets` for the caller to report, and a formula without a
saved value is an issue (it would read as an empty cell).  The first records
are kept (:attr:`Source.preview`) so that a header below title rows can be
located.

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

__all__ = [
    "Source",
    "cell_text",
    "read_source",
    "read_table",
    "source_from_frame",
    "title_row_issue",
    "unreadable",
]

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
    preview
        The first records of the file as text, header included (row 1 first),
        so that a reader can tell where the header really is.
    other_sheets
        The other non-empty sheets of a workbook (only the first is read): name
        and header cells of each.
    delimiter
        The delimiter of a CSV file (``""`` for a workbook or a DataFrame).
    workbook
        The cells come from a workbook (``.xlsx``).
    """

    file: str
    headers: list[str]
    cells: list[ObjectArray]
    rows: npt.NDArray[np.int64]
    decimal_comma: bool = False
    text_only: bool = False
    issues: list[InputIssue] = field(default_factory=list)
    preview: list[list[str]] = field(default_factory=list)
    other_sheets: list[tuple[str, list[str]]] = field(default_factory=list)
    delimiter: str = ""
    workbook: bool = False

    def __len__(self) -> int:
        return len(self.rows)


def unreadable(file: str, message: str) -> InputError:
    """The error of a file that cannot be read at all (no row, no column)."""
    return InputError([InputIssue(file, None, None, None, message)])


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
    preview: list[list[str]] | None = None,
) -> Source:
    blank = _blank(cells, len(rows), text_only)
    if blank.any():
        keep = np.flatnonzero(~blank)
        cells = [c[keep] for c in cells]
        rows = rows[keep]
    return Source(file, headers, cells, rows, decimal_comma, text_only, issues or [], preview or [])


#: Records kept in :attr:`Source.preview` (title rows above a header are fewer).
PREVIEW_ROWS = 30


# ----------------------------------------------------------------------- CSV
def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when ``data`` looks like UTF-16 text without a
    byte-order mark (every other byte of mostly-ASCII text is zero), else None."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _decode(data: bytes, file: str) -> tuple[str, str]:
    """(text, encoding name) of a text file's bytes.

    UTF-8 (with or without byte-order mark), UTF-16 with a byte-order mark or
    without one (recognised by its zero bytes), else Windows-1252.  A file that
    is none of them is reported with the line of its first bad byte.
    """
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif (utf16 := _utf16_without_bom(data)) is not None:
        candidates = [utf16]
    else:
        candidates = ["utf-8", "cp1252"]
    position = 0
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            position = exc.start
    line = data[:position].count(b"\n") + 1
    raise InputError(
        [
            InputIssue(
                file,
                line,
                None,
                f"0x{data[position]:02x}" if position < len(data) else None,
                f"the file is not {' or '.join(candidates)} text (bad byte at offset "
                f"{position}, line {line}); save it as 'CSV UTF-8' or as .xlsx",
            )
        ]
    )


def _one_newline(text: str) -> str:
    """Text with every line ending (``\\r\\n``, ``\\r`` alone) written as ``\\n``."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _delimiter(header_line: str) -> str:
    """The delimiter that splits the header line into the most columns."""
    best, best_n = ",", 1
    for delim in (",", ";", "\t"):
        n = len(next(csv.reader([header_line], delimiter=delim), []))
        if n > best_n:
            best, best_n = delim, n
    return best


def _read_csv(path: Path, header_row: int = 1) -> Source:
    file = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise unreadable(file, f"cannot read the file: {exc.strerror or exc}") from None
    text, encoding = _decode(data, file)
    logger.debug("%s: encoding %s", file, encoding)
    if header_row > 1:  # title rows above the header: read from the header on
        source = _read_csv_text(file, _one_newline(text).split("\n", header_row - 1)[-1])
        source.rows = source.rows + (header_row - 1)
        return source
    if not text.strip():
        return Source(file, [], [], np.zeros(0, dtype=np.int64), text_only=True)
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise unreadable(
            file,
            f"the file holds binary data (a zero byte on line {line}), not CSV text; "
            "export the table again as CSV or .xlsx",
        )
    # Old Mac files end lines with CR alone; mixed endings also happen.  (CRLF
    # alone is read by pandas from the file, which is faster than from text.)
    buffer = text.count("\r") != text.count("\r\n")
    if buffer:
        text = _one_newline(text)
    header_line = text.split("\n", 1)[0].rstrip("\r")
    delim = _delimiter(header_line)
    preview = _preview(text, delim)
    try:
        # From the path: pandas' C reader is much faster on a file than on a buffer.
        frame = pd.read_csv(
            io.StringIO(text) if buffer else path,
            sep=delim,
            header=None,
            dtype=object,
            na_filter=False,
            keep_default_na=False,
            skip_blank_lines=False,
            quotechar='"',
            encoding=None if buffer else encoding,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError, UnicodeError):
        return _read_csv_slow(file, text, delim, preview)
    headers = [str(h) for h in frame.iloc[0].tolist()]
    body = frame.iloc[1:]
    cells = [body[c].to_numpy(dtype=object) for c in body.columns]
    rows = np.arange(2, len(body) + 2, dtype=np.int64)
    source = _finish(
        file, headers, cells, rows, text_only=True, decimal_comma=delim == ";", preview=preview
    )
    source.delimiter = delim
    return source


def _read_csv_text(file: str, text: str) -> Source:
    """A CSV table from its text (the header on its first line), record by record."""
    if not text.strip():
        return Source(file, [], [], np.zeros(0, dtype=np.int64), text_only=True)
    delim = _delimiter(text.split("\n", 1)[0])
    return _read_csv_slow(file, text, delim, _preview(text, delim))


def _preview(text: str, delim: str) -> list[list[str]]:
    """The first :data:`PREVIEW_ROWS` records of a CSV text."""
    head = text.split("\n", PREVIEW_ROWS + 1)[: PREVIEW_ROWS + 1]
    try:
        return list(csv.reader([h.rstrip("\r") for h in head[:PREVIEW_ROWS]], delimiter=delim))
    except csv.Error:
        return []


def _read_csv_slow(file: str, text: str, delim: str, preview: list[list[str]]) -> Source:
    """Record by record with :mod:`csv`: reports every row with too many values."""
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    except csv.Error as exc:
        raise unreadable(
            file,
            f"the file cannot be read as CSV ({exc}); save it again as 'CSV UTF-8' or as .xlsx",
        ) from None
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
    source = _finish(
        file,
        headers,
        cells,
        np.array(rows, dtype=np.int64),
        text_only=True,
        decimal_comma=delim == ";",
        issues=issues,
        preview=preview,
    )
    source.delimiter = delim
    return source


# ---------------------------------------------------------------------- XLSX
def _read_xlsx(path: Path, header_row: int = 1) -> Source:
    file = path.name
    try:
        import openpyxl
    except ImportError:
        raise InputError([InputIssue(file, None, None, None, EXCEL_HINT)]) from None
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise unreadable(
            file,
            f"cannot read the workbook ({type(exc).__name__}: {exc}); "
            "save it again as .xlsx (Excel workbook)",
        ) from None
    try:
        sheet = workbook.worksheets[0]
        records = [tuple(r) for r in sheet.iter_rows(values_only=True)]
        other_sheets = [
            (str(ws.title), [str(cell_text(v)) for v in header])
            for ws in workbook.worksheets[1:]
            if (header := _first_record(ws)) is not None
        ]
    finally:
        workbook.close()
    if not records:
        return Source(file, [], [], np.zeros(0, dtype=np.int64), other_sheets=other_sheets)
    width = max(len(r) for r in records)
    grid = [tuple(r) + (None,) * (width - len(r)) for r in records]
    issues = _uncalculated_formulas(path, grid)
    skip = min(header_row, len(grid)) - 1  # title rows above the header
    header_cells = grid[skip]
    body = grid[skip + 1 :]
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
    rows = np.arange(2 + skip, len(body) + 2 + skip, dtype=np.int64)
    preview = [[str(cell_text(v)) for v in r] for r in grid[skip : skip + PREVIEW_ROWS]]
    source = _finish(file, headers, cells, rows, text_only=False, issues=issues, preview=preview)
    source.other_sheets = other_sheets
    source.workbook = True
    return source


def _first_record(sheet: Any) -> tuple[Any, ...] | None:
    """The first non-empty row of a worksheet, or None when it is empty."""
    for record in sheet.iter_rows(values_only=True):
        if any(str(cell_text(v)).strip() for v in record):
            return tuple(record)
    return None


def _column_letter(j: int) -> str:
    letters = ""
    j += 1
    while j:
        j, rest = divmod(j - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _uncalculated_formulas(path: Path, grid: list[tuple[Any, ...]]) -> list[InputIssue]:
    """Formula cells of the first sheet that have no saved value.

    A workbook written by a program other than Excel (or saved without
    calculating) holds formulas without their results; read as values they
    are empty cells, and an empty cell means "the default".  Each one is
    reported (the grid holds the values read with ``data_only=True``).
    """
    import zipfile

    import openpyxl

    try:
        with zipfile.ZipFile(path) as archive:
            has_formula = any(
                b"<f>" in archive.read(n) or b"<f " in archive.read(n)
                for n in archive.namelist()
                if n.startswith("xl/worksheets/") and n.endswith(".xml")
            )
    except (OSError, zipfile.BadZipFile):
        return []
    if not has_formula:
        return []
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        formulas = list(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()
    header = grid[0] if grid else ()
    issues: list[InputIssue] = []
    for i, record in enumerate(formulas[: len(grid)]):
        for j, value in enumerate(record):
            if isinstance(value, str) and value.startswith("=") and grid[i][j] is None:
                column = str(cell_text(header[j])) if i and j < len(header) else None
                issues.append(
                    InputIssue(
                        path.name,
                        i + 1,
                        column or _column_letter(j),
                        value,
                        f"cell {_column_letter(j)}{i + 1} holds a formula without a saved "
                        "value (the file was not calculated); open it in Excel and save it, "
                        "or replace the formula by its value",
                    )
                )
    return issues


# ------------------------------------------------------------------- public
_EXTENSIONS = {".csv": _read_csv, ".txt": _read_csv, ".tsv": _read_csv, ".xlsx": _read_xlsx}


def read_source(path: str | Path, *, header_row: int = 1) -> Source:
    """Raw cells of a ``.csv`` or ``.xlsx`` file; raises :class:`InputError` when unreadable.

    ``header_row`` is the spreadsheet row of the header (rows above it are titles,
    not read); row numbers stay those of the file.
    """
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
    return reader(path, header_row)


def source_from_frame(frame: Any, name: str) -> Source:
    """Raw cells of a DataFrame; the row of position ``i`` is ``i + 2`` (as if written to CSV)."""
    if not isinstance(frame, pd.DataFrame):
        frame = pd.DataFrame(frame)
    headers = [str(c) for c in frame.columns]
    cells = [frame.iloc[:, j].to_numpy(dtype=object) for j in range(frame.shape[1])]
    rows = np.arange(2, len(frame) + 2, dtype=np.int64)
    return _finish(name, headers, cells, rows, text_only=False)


def title_row_issue(source: Source) -> InputIssue | None:
    """The issue of a table whose first row is a title (one value, or none) above
    the real header: it names the first row of the preview with two values or more."""
    if sum(1 for h in source.headers if str(h).strip()) > 1:
        return None
    for k, record in enumerate(source.preview[1:], start=2):
        values = [v for v in record if str(v).strip()]
        if len(values) >= 2:
            return InputIssue(
                source.file,
                k,
                None,
                None,
                f"row 1 is not a header (it has at most one value); the header seems to be "
                f"on row {k} ({', '.join(map(repr, values[:4]))}); delete the "
                f"{k - 1} row{'s' if k > 2 else ''} above it (titles) so that the column "
                "names are on row 1",
            )
    return None


def read_table(path: str | Path) -> pd.DataFrame:
    """One ``.csv`` or ``.xlsx`` table as text, exactly as written.

    Every cell is a ``str`` (an empty cell is ``""``); columns keep the names
    written in the header.  The index is the spreadsheet row number (header =
    row 1), so blank rows, which are dropped, leave gaps.  Raises
    :class:`~mutasi_opt.domain.errors.InputError` when the file cannot be read or has
    rows with too many values.
    """
    source = read_source(path)
    title = title_row_issue(source)
    if title is not None:
        raise InputError([title])
    sheets = [name for name, header in source.other_sheets if header == source.headers]
    if sheets:
        raise InputError(
            [
                InputIssue(
                    source.file,
                    None,
                    None,
                    name,
                    f"sheet {name!r} has the same columns as the first sheet, but only the "
                    "first sheet of a workbook is read; move its rows to the first sheet",
                )
                for name in sheets
            ]
        )
    for name, _ in source.other_sheets:
        logger.warning("%s: sheet %r is not read (only the first sheet is)", source.file, name)
    if source.issues:
        raise InputError(source.issues)
    data = {}
    for j, column in enumerate(source.cells):
        texts = column if source.text_only else [str(cell_text(v)) for v in column]
        data[j] = pd.Series(np.asarray(texts, dtype=object), dtype=object)
    frame = pd.DataFrame(data)
    frame.columns = pd.Index(source.headers, dtype=object)
    frame.index = pd.Index(source.rows, name="row")
    frame.attrs["decimal_comma"] = source.decimal_comma
    return frame
