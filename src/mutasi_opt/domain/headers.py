"""Column headers as users write them: the one normaliser, and the columns of an assignment.

Every table reader (data folders, ABK task sheets, histories, assignments) and
the checker's DataFrame input match column names after :func:`normalise_header`:
case, surrounding space, a stray byte-order mark and any run of characters that
are not letters or digits (space, ``_``, ``-``, ``.``, ``/``, brackets …) do not
matter, so ``Unit Kerja``, ``UNIT_KERJA``, ``unit-kerja`` and ``Unit (kerja)``
are the same column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["ASSIGNMENT_NIP", "ASSIGNMENT_UNIT", "assignment_columns", "normalise_header"]

_SEPARATORS = re.compile(r"[\W_]+")

#: The employee column of an assignment table.
ASSIGNMENT_NIP = "nip"
#: The unit column of an assignment table, in the order they are looked for: a
#: plan's ``assignment.csv`` has ``unit_after``; a hand-made table may say ``unit``.
ASSIGNMENT_UNIT = ("unit_after", "unit")


def normalise_header(name: Any) -> str:
    """``'  Unit Kerja '`` → ``'unit_kerja'`` (also drops a stray byte-order mark)."""
    text = str(name).replace("\ufeff", "").strip().lower()
    return _SEPARATORS.sub("_", text).strip("_")


def assignment_columns(headers: Iterable[Any]) -> tuple[Any | None, Any | None]:
    """The headers (as written) of an assignment's NIP and unit columns; ``None``
    for one that is missing."""
    found = {normalise_header(h): h for h in headers}
    unit = next((found[c] for c in ASSIGNMENT_UNIT if c in found), None)
    return found.get(ASSIGNMENT_NIP), unit
