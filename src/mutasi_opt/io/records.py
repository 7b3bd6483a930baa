"""Records (lists of dicts) → DataFrames for the result tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..domain.columns import Column, Table
from ..domain.hooks import provide

__all__ = ["records_frame"]


@provide("frame")
def records_frame(
    records: Sequence[dict[str, Any]], columns: Table | Sequence[Column | str]
) -> pd.DataFrame:
    """A DataFrame with exactly ``columns`` (in order), also when ``records`` is empty.

    A :class:`~mutasi_opt.domain.columns.Column` (or every column of a
    :class:`~mutasi_opt.domain.columns.Table`) also gives the column's dtype
    (:attr:`~mutasi_opt.domain.columns.Column.dtype`); a bare name is left
    to pandas.
    """
    specs = [c if isinstance(c, Column) else None for c in columns]
    names = [c.name if isinstance(c, Column) else c for c in columns]
    if not records:
        return pd.DataFrame(
            {
                name: pd.Series(dtype=object if spec is None else spec.empty_dtype)
                for name, spec in zip(names, specs, strict=True)
            }
        )
    out = pd.DataFrame.from_records(list(records), columns=names)
    for spec in specs:
        if spec is not None and spec.dtype is not None and str(out[spec.name].dtype) != spec.dtype:
            out[spec.name] = out[spec.name].astype(pd.api.types.pandas_dtype(spec.dtype))
    return out
