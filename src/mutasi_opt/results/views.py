"""How result objects reach the views written above them (see :mod:`mutasi_opt.domain.hooks`).

``frame`` builds a DataFrame (provided by ``io.records``), ``html`` an HTML
view (provided by ``html``); neither module is imported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from ..domain.hooks import provided

if TYPE_CHECKING:
    import pandas as pd

    from ..domain.columns import Column, Table

__all__ = ["HtmlView", "frame", "html"]


def frame(
    records: Sequence[dict[str, Any]], columns: Table | Sequence[Column | str]
) -> pd.DataFrame:
    """A DataFrame with exactly ``columns`` (in order) of ``records``; a
    :class:`~mutasi_opt.domain.columns.Table` also gives the dtypes."""
    out: pd.DataFrame = provided("frame")(records, columns)
    return out


def html(view: str, obj: Any) -> str:
    """The HTML view ``view`` (e.g. ``plan.html``) of ``obj``."""
    return str(provided(view)(obj))


class HtmlView:
    """Mixin of the result classes: the notebook shows the HTML view named
    :attr:`HTML_VIEW` (a view module registers it; none is imported here)."""

    HTML_VIEW: ClassVar[str]

    def _repr_html_(self) -> str:
        return html(self.HTML_VIEW, self)
