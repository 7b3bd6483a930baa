"""Plain-text tables for the terminal (state, frontier, history summaries)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["format_table"]


def _cell(key: str, value: Any) -> str:
    if value is None:
        return "-" if key != "ej" else "no staff"
    if key == "ej":
        return f"{value:.2f}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    text = str(value)
    return text if len(text) <= 44 else text[:43] + "…"


def format_table(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[tuple[str, str, str]]
) -> list[str]:
    """Rows as aligned text lines (two-space indent, header first).

    Parameters
    ----------
    rows
        The rows (dicts).
    columns
        ``(key, header, align)`` per column; align is ``"<"`` or ``">"``.

    Returns
    -------
    list of str
        The header line followed by one line per row.
    """
    cells = [[_cell(k, r.get(k)) for k, _, _ in columns] for r in rows]
    widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, (_, h, _) in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        parts = [f"{v:{a}{w}}" for v, (_, _, a), w in zip(values, columns, widths, strict=True)]
        return "  " + "  ".join(parts).rstrip()

    return [line([h for _, h, _ in columns]), *(line(c) for c in cells)]
