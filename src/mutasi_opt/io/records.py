"""Records (lists of dicts) → DataFrames for the result tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..domain.hooks import provide

__all__ = ["records_frame"]


@provide("frame")
def records_frame(records: Sequence[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """A DataFrame with exactly ``columns`` (in order), also when ``records`` is empty."""
    if not records:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.DataFrame.from_records(list(records), columns=list(columns))
