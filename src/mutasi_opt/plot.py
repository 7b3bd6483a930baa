"""Compatibility: the former module ``mutasi_opt.plot``.

The code now lives in
``mutasi_opt.views.plot``
(see docs/architecture.md); these names stay importable from here.
"""

from __future__ import annotations

from .views.plot import (
    ALERT_COLOUR,
    BEFORE_COLOUR,
    BEFORE_EDGE,
    NO_BAND_COLOUR,
    band_colour,
    plot_capacity,
    plot_ej,
    plot_frontier,
    plot_surge,
)

__all__ = [
    "ALERT_COLOUR",
    "BEFORE_COLOUR",
    "BEFORE_EDGE",
    "NO_BAND_COLOUR",
    "band_colour",
    "plot_capacity",
    "plot_ej",
    "plot_frontier",
    "plot_surge",
]
