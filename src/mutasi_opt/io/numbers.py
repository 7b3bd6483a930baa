"""Numbers as users write them: the one reader of decimal commas.

In a ``;``-separated file (and in ABK task sheets) ``2,5`` is two and a half
and ``1.234,5`` is one thousand two hundred thirty-four and a half (Indonesian
notation: ``.`` groups thousands, ``,`` marks the decimals).  In a ``;`` data
file (also an ABK task sheet) ``3.000`` is three thousand; where the notation
is not known (an ABK task sheet that is not a ``;`` file) it could be 3 or 3000,
and the caller refuses it (:func:`thousands_grouped`).  Anything else is left as written, for the
caller's number check to accept or refuse.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["decimal_comma_column", "decimal_point", "point_decimal", "thousands_grouped"]

_COMMA_DECIMAL = re.compile(r"[+-]?\d{1,3}(\.\d{3})*,\d+|[+-]?\d*,\d+")
_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(\.\d{3})+")  # 0.333 is not grouped
_POINT_DECIMAL = re.compile(r"[+-]?\d*\.\d+")


def thousands_grouped(text: Any) -> bool:
    """``'3.000'``, ``'1.250.000'``: digits grouped by thousands dots, no decimals."""
    return isinstance(text, str) and _GROUPED.fullmatch(text.strip().replace(" ", "")) is not None


def point_decimal(text: Any) -> bool:
    """``'0.75'``, ``'12.5'``: a number with a decimal point (not thousands-grouped)."""
    if not isinstance(text, str):
        return False
    compact = text.strip().replace(" ", "")
    return _POINT_DECIMAL.fullmatch(compact) is not None and not thousands_grouped(compact)


def decimal_point(text: Any, *, thousands_dot: bool = False) -> Any:
    """``'1.234,5'`` → ``'1234.5'``, ``' 2,5 '`` → ``'2.5'``; with ``thousands_dot``
    (a decimal-comma file) also ``'3.000'`` → ``'3000'``; other values unchanged."""
    if not isinstance(text, str):
        return text
    if "," not in text:
        if thousands_dot and thousands_grouped(text):
            return text.strip().replace(" ", "").replace(".", "")
        return text
    compact = text.strip().replace(" ", "")
    if _COMMA_DECIMAL.fullmatch(compact):
        return compact.replace(".", "").replace(",", ".")
    return text


def decimal_comma_column(texts: list[Any]) -> tuple[list[Any], dict[int, str]]:
    """A number column of a decimal-comma file in decimal-point text, and the
    positions refused as ambiguous with their messages.

    ``2,5`` is 2.5 and ``3.000`` is 3000 (:func:`decimal_point`).
    When another cell of the column uses a point as a decimal point (``0.75``),
    the column mixes notations and a ``3.000`` could be 3 or 3000: refused.
    """
    converted = [decimal_point(t, thousands_dot=True) for t in texts]
    mixed = next((t for t in texts if isinstance(t, str) and point_decimal(t)), None)
    refused: dict[int, str] = {}
    if mixed is not None:
        for i, t in enumerate(texts):
            if isinstance(t, str) and thousands_grouped(t):
                refused[i] = (
                    f"{t.strip()!r} could be {t.strip()} or {converted[i]}: this column also "
                    f"uses a point as the decimal point ({mixed.strip()!r}); write the number "
                    "without a thousands separator"
                )
    return converted, refused
