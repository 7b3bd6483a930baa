"""Numbers as users write them: the one reader of decimal commas.

In a ``;``-separated file (and in ABK task sheets) ``2,5`` is two and a half
and ``1.234,5`` is one thousand two hundred thirty-four and a half (Indonesian
notation: ``.`` groups thousands, ``,`` marks the decimals).  Anything else is
left as written, for the caller's number check to accept or refuse.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["decimal_point"]

_COMMA_DECIMAL = re.compile(r"[+-]?\d{1,3}(\.\d{3})*,\d+|[+-]?\d*,\d+")


def decimal_point(text: Any) -> Any:
    """``'1.234,5'`` → ``'1234.5'``, ``' 2,5 '`` → ``'2.5'``; other values unchanged."""
    if not isinstance(text, str) or "," not in text:
        return text
    compact = text.strip().replace(" ", "")
    if _COMMA_DECIMAL.fullmatch(compact):
        return compact.replace(".", "").replace(",", ".")
    return text
