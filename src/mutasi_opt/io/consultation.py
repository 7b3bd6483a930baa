"""Files of a consultation round: the notices of a draft, and the revised plan's changes.

* :func:`write_notices`: ``notices.csv`` (one row per person, for a mail merge),
  ``notices.xlsx`` (the same rows on one sheet, with ``openpyxl``) and
  ``responses.csv``, a template with one row per person noticed (nip, name,
  response, units, reason) for the answers; with ``docx`` (``python-docx``),
  ``letters/<nip>.docx``, one printable letter per person (the notice and a
  response slip to fill in and return);
* :func:`write_replan`: the revised plan's files (:func:`~mutasi_opt.io.plans.write_plan`),
  ``changes.csv``, ``outcomes.csv`` (what became of each response, and why),
  ``replan.json`` (the round in numbers) and ``problem/``, the revised
  data folder with the pins, refusals, preferences and draft units: the input of the
  next round.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from ..domain.columns import CHANGES, NOTICES, OUTCOMES
from ..results.replan import Replan
from .folder import write_folder
from .plans import refuse_data_folder, write_plan
from .records import records_frame

__all__ = [
    "LETTER_DIR",
    "LETTER_HEADING",
    "NOTICE_SHEET",
    "RESPONSE_TEMPLATE_COLUMNS",
    "write_notices",
    "write_replan",
]

#: the sheet of ``notices.xlsx``
NOTICE_SHEET = "Pemberitahuan"
#: the columns of the ``responses.csv`` template
RESPONSE_TEMPLATE_COLUMNS = ("nip", "name", "response", "units", "reason")

#: the folder (in the output folder) of the letters, one ``<nip>.docx`` per person
LETTER_DIR = "letters"
#: the heading of every letter
LETTER_HEADING = "PEMBERITAHUAN RENCANA MUTASI"

_HINT = 'writing notices.xlsx needs openpyxl; install it with: pip install "mutasi-opt[excel]"'
_DOCX_HINT = (
    'writing the letters (.docx) needs python-docx; install it with: pip install "mutasi-opt[docx]"'
)
#: the letters' creation and modification time (fixed: the same records, the same letters)
_LETTER_TIME = datetime(2000, 1, 1)
_BLANK = "_" * 30


def write_notices(
    records: Sequence[dict[str, Any]],
    out_dir: str | Path,
    *,
    xlsx: bool = True,
    docx: bool = False,
) -> list[Path]:
    """Write ``notices.csv``, ``responses.csv`` (the template), with ``xlsx``
    ``notices.xlsx``, and with ``docx`` one letter per record,
    ``letters/<nip>.docx`` (see :data:`LETTER_DIR`), into ``out_dir``; returns the
    paths written.

    Raises ImportError (with the install hint) for ``xlsx`` without openpyxl or
    ``docx`` without python-docx, and ValueError for a NIP that is not digits or
    appears twice (with ``docx``: it names a file), before writing anything.
    """
    if xlsx:
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            raise ImportError(_HINT) from None
    document_module = _require_docx() if docx else None
    if docx:
        _check_file_names(records)
    out = Path(out_dir)
    refuse_data_folder(out)
    out.mkdir(parents=True, exist_ok=True)
    frame = records_frame(list(records), NOTICES)
    written = [out / "notices.csv"]
    frame.to_csv(written[0], index=False, columns=list(NOTICES.names))
    template = frame[["nip", "name"]].copy()
    for column in RESPONSE_TEMPLATE_COLUMNS[2:]:
        template[column] = ""
    written.append(out / "responses.csv")
    template.to_csv(written[-1], index=False, columns=list(RESPONSE_TEMPLATE_COLUMNS))
    if xlsx:
        written.append(out / "notices.xlsx")
        frame.to_excel(written[-1], sheet_name=NOTICE_SHEET, index=False, engine="openpyxl")
    if document_module is not None:
        letters = out / LETTER_DIR
        letters.mkdir(exist_ok=True)
        for record in records:
            written.append(letters / f"{record['nip']}.docx")
            _letter_document(document_module, record).save(str(written[-1]))
    return written


def _require_docx() -> ModuleType:
    """The ``docx`` module (python-docx), or ImportError with the install hint."""
    try:
        import docx
    except ImportError:
        raise ImportError(_DOCX_HINT) from None
    return docx


def _check_file_names(records: Sequence[dict[str, Any]]) -> None:
    seen: set[str] = set()
    for record in records:
        nip = str(record["nip"])
        if not (nip.isascii() and nip.isdigit()):
            raise ValueError(f"NIP {nip!r} is not digits: it cannot name a letter file")
        if nip in seen:
            raise ValueError(f"NIP {nip} has two notices: one letter file per NIP")
        seen.add(nip)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _paragraphs(letter: str) -> list[list[str]]:
    """The letter's paragraphs (split at blank lines), each as its lines."""
    blocks = letter.replace("\r\n", "\n").split("\n\n")
    return [block.strip("\n").split("\n") for block in blocks if block.strip()]


def _letter_document(docx: ModuleType, record: dict[str, Any]) -> Any:
    """One printable letter: heading, addressee, the notice, the response slip."""
    document = docx.Document()
    props = document.core_properties
    props.title = f"{LETTER_HEADING.title()} - NIP {record['nip']}"
    props.author = ""
    props.last_modified_by = ""
    props.created = props.modified = _LETTER_TIME
    document.add_heading(LETTER_HEADING, level=1)
    document.add_paragraph("Rancangan, belum merupakan keputusan")
    moved = bool(record.get("moved"))
    addressee = document.add_table(rows=0, cols=2)
    for label, value in (
        ("Nama", record.get("name")),
        ("NIP", record["nip"]),
        ("Jabatan", record.get("role")),
        ("Unit kerja", record.get("unit_before")),
        ("Unit dalam rancangan", _text(record.get("unit_after")) + ("" if moved else " (tetap)")),
    ):
        cells = addressee.add_row().cells
        cells[0].text = label
        cells[1].text = _text(value)
    document.add_paragraph()
    for lines in _paragraphs(_text(record.get("letter"))):
        paragraph = document.add_paragraph()
        for i, line in enumerate(lines):
            run = paragraph.add_run(line)
            if i < len(lines) - 1:
                run.add_break()
    document.add_paragraph("- - - - - - - - - - potong di sini - - - - - - - - - -")
    document.add_heading("LEMBAR TANGGAPAN", level=2)
    slip = document.add_table(rows=0, cols=2)
    slip.style = "Table Grid"
    for label, value in (
        ("NIP", _text(record["nip"])),
        ("Nama", _text(record.get("name"))),
        ("Tanggapan", f"\u2610 terima   \u2610 keberatan   \u2610 pilih unit: {_BLANK}"),
        ("Alasan", _BLANK),
        ("Tanda tangan / tanggal", f"{_BLANK} / {_BLANK}"),
    ):
        cells = slip.add_row().cells
        cells[0].text = label
        cells[1].text = value
    return document


def write_replan(result: Replan, out_dir: str | Path) -> Path:
    """Write the revised plan, ``changes.csv``, ``outcomes.csv``, ``replan.json`` and
    ``problem/`` (see the module docstring) into ``out_dir``; returns it."""
    out = write_plan(result.plan, out_dir)
    records_frame(list(result.change_records), CHANGES).to_csv(
        out / "changes.csv", index=False, columns=list(CHANGES.names)
    )
    records_frame(list(result.outcome_records), OUTCOMES).to_csv(
        out / "outcomes.csv", index=False, columns=list(OUTCOMES.names)
    )
    with open(out / "replan.json", "w", encoding="utf-8") as fh:
        json.dump(result.summary(), fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    write_folder(result.problem, out / "problem")
    return out
