"""Compatibility: the former module ``mutasi_opt.plot``.

The code now lives in
``mutasi_opt.views.plot``
(see docs/architecture.md); its names stay importable from here.
"""

from __future__ import annotations

from .views import plot as _views_plot
from .views.plot import *  # noqa: F403

__all__ = [*_views_plot.__all__]
