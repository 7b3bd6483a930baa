"""The embedded sample: a synthetic Kota Binjai-like city of about 5,000 ASN.

The data folder ships with the package (``mutasi_opt/data/sample``) and was
written by ``scripts/make_sample.py`` from :func:`mutasi_opt.synth.generate`.
Every person, NIP, head count and workload in it is invented; only the OPD
and kecamatan names are public facts of Kota Binjai.
"""

from __future__ import annotations

import datetime as dt
import functools
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from .domain.problem import Problem, Surge
from .io import read_folder
from .io.history import read_history
from .io.surges import read_surges

if TYPE_CHECKING:
    from .results.history import HistoryMove

__all__ = [
    "SAMPLE_MAX_MOVES",
    "SAMPLE_N_EMPLOYEES",
    "SAMPLE_PAIRS",
    "SAMPLE_PLAN_DATE",
    "SAMPLE_SEED",
    "load_sample",
    "load_sample_history",
    "load_sample_surges",
    "sample_path",
]

#: Arguments ``scripts/make_sample.py`` passes to :func:`mutasi_opt.synth.generate`.
SAMPLE_SEED = 2016
SAMPLE_N_EMPLOYEES = 5000
SAMPLE_MAX_MOVES = 150
#: pairs of the sample (``pairs.csv``): couples kept together, relatives kept apart
SAMPLE_PAIRS = 12
#: the date ``mutasi-opt demo`` takes the sample's round as decreed on (the sample's
#: policy has no ``plan_date``; the state before its invented 2025 history)
SAMPLE_PLAN_DATE = dt.date(2025, 1, 1)


def sample_path() -> Path:
    """The folder of the embedded sample (employees.csv, units.csv, demand.csv, ...).

    Returns
    -------
    pathlib.Path
        The package data folder ``mutasi_opt/data/sample``.
    """
    ref = resources.files("mutasi_opt").joinpath("data", "sample")
    return Path(str(ref))


@functools.lru_cache(maxsize=1)
def load_sample() -> Problem:
    """Read the embedded synthetic sample (read once, then cached).

    Returns
    -------
    Problem
        About 5,000 employees in a Kota Binjai-like city, with
        ``policy.max_moves`` = 150.  The problem is immutable, so the cached
        object is safe to share.
    """
    return read_folder(sample_path())


def load_sample_surges() -> tuple[Surge, ...]:
    """The sample's surges (``surges.csv``): an invented vaccination campaign.

    Dinas Kesehatan and four puskesmas need vaksinasi-qualified help (level 2
    or more) from August to October 2026; Dinas Kesehatan also needs
    registration help of any role from July to October.
    """
    return read_surges(sample_path() / "surges.csv", load_sample())


def load_sample_history() -> tuple[HistoryMove, ...]:
    """The sample's invented mutasi history of 2025 (``history.csv``, 150 rows),
    made by :func:`mutasi_opt.history.synthetic_history`."""
    return read_history(sample_path() / "history.csv")
