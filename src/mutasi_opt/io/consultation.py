"""Files of a consultation round: the notices of a draft, and the revised plan's changes.

* :func:`write_notices`: ``notices.csv`` (one row per person, for a mail merge),
  ``notices.xlsx`` (the same rows on one sheet, with ``openpyxl``) and
  ``responses.csv``, a template with one row per person noticed (nip, name,
  response, units, reason) for the answers;
* :func:`write_replan`: the revised plan's files (:func:`~mutasi_opt.io.plans.write_plan`),
  ``changes.csv``, ``outcomes.csv`` (what became of each response, and why),
  ``replan.json`` (the round in numbers) and ``problem/``, the revised
  data folder with the pins, refusals, preferences and draft units: the input of the
  next round.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..domain.columns import CHANGES, NOTICES, OUTCOMES
from ..results.replan import Replan
from .folder import write_folder
from .plans import refuse_data_folder, write_plan
from .records import records_frame

__all__ = ["NOTICE_SHEET", "RESPONSE_TEMPLATE_COLUMNS", "write_notices", "write_replan"]

#: the sheet of ``notices.xlsx``
NOTICE_SHEET = "Pemberitahuan"
#: the columns of the ``responses.csv`` template
RESPONSE_TEMPLATE_COLUMNS = ("nip", "name", "response", "units", "reason")

_HINT = 'writing notices.xlsx needs openpyxl; install it with: pip install "mutasi-opt[excel]"'


def write_notices(
    records: Sequence[dict[str, Any]], out_dir: str | Path, *, xlsx: bool = True
) -> list[Path]:
    """Write ``notices.csv``, ``responses.csv`` (the template) and, with ``xlsx``,
    ``notices.xlsx`` into ``out_dir``; returns the paths written.

    Raises ImportError (with the install hint) for ``xlsx`` without openpyxl, before
    writing anything.
    """
    if xlsx:
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            raise ImportError(_HINT) from None
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
    return written


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
