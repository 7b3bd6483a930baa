"""Compatibility: the former module ``mutasi_opt.workload``.

The code now lives in
``mutasi_opt.io.workload``
(see docs/architecture.md); its names stay importable from here.
"""

from __future__ import annotations

from .io import workload as _io_workload
from .io.workload import *  # noqa: F403

__all__ = [*_io_workload.__all__]
