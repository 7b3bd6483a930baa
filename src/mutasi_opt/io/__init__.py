"""Input and output: data folders (CSV/XLSX + policy.toml) and DataFrames.

This is the only layer that knows about files and pandas; everything below
works on the validated :class:`~mutasi_opt.domain.problem.Problem`.

* :func:`read_folder` / :func:`write_folder`: a data folder (see the README, "The data folder").
* :func:`problem_from_frames` / :func:`problem_to_frames`: the same tables as
  DataFrames.
* :func:`read_table`: one CSV/XLSX table as text, as written.
* :func:`read_policy` / :func:`policy_toml`: a ``policy.toml`` file.

Every problem in the input is reported at once in one
:class:`~mutasi_opt.domain.errors.InputError`, each issue naming the file, the
spreadsheet row, the column as written, the value and what to change.
"""

from __future__ import annotations

from .folder import policy_toml, read_folder, read_policy, write_folder
from .frames import problem_from_frames, problem_to_frames
from .tables import read_table

__all__ = [
    "policy_toml",
    "problem_from_frames",
    "problem_to_frames",
    "read_folder",
    "read_policy",
    "read_table",
    "write_folder",
]
