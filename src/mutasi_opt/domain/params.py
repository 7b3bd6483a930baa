"""Solve parameters: one validated object for how a call solves, loadable from TOML.

:class:`SolveParams` holds what every solving entry point (``solve``,
``frontier``, ``fewest_moves``, ``compare_history``, ``plan_surges``,
``solve_many``, ``scenarios``, the CLI and the service) takes about *how* to
solve, as opposed to *what* to solve (the problem and its policy): the time
and work limits, the seed, the solver threads, the search log, and the
switches of the stages (pool decomposition, greedy warm starts, LP bounds,
neighbourhood search).

The limits follow the rules of :mod:`mutasi_opt.domain.limits`
(:func:`~mutasi_opt.domain.limits.check_limits`).

A file holds the parameters in a ``[solve]`` table, one ``key = value`` per
line; a key left out keeps its default::

    [solve]
    work_limit = 20
    seed = 3
    workers = 2

Every entry point also keeps its loose keywords (``time_limit=``, ``seed=``,
...).  **A keyword given together with ``params`` overrides that field of
``params``** (as a CLI flag overrides the ``--params`` file); a keyword left
out takes the field of ``params`` (or its default, without ``params``).
"""

from __future__ import annotations

import enum
import math
import operator
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import InputError, InputIssue, toml_text
from .limits import check_limits

__all__ = ["MAX_SEED", "MIN_SEED", "TABLE", "UNSET", "SolveParams", "Unset"]

#: Seeds CP-SAT accepts (a 32-bit signed integer).
MIN_SEED: Final = -(2**31)
MAX_SEED: Final = 2**31 - 1

#: The TOML table that holds the parameters.
TABLE: Final = "solve"


class Unset(enum.Enum):
    """The type of :data:`UNSET`: a keyword the caller did not give."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


#: The default of a keyword that ``params`` (or its default) decides.
UNSET: Final = Unset.UNSET


#: The most solver threads a solve may ask for (CP-SAT counts them in 32 bits;
#: more threads than cores only slow it down).
MAX_WORKERS = 1024


class SolveParams(BaseModel):
    """How to solve: limits, seed, threads, log and the stage switches (frozen, validated).

    The defaults are those of :func:`mutasi_opt.solve`.  Build one directly
    (``SolveParams(work_limit=20, seed=3)``), from a dict
    (``SolveParams.model_validate(d)``, back with :meth:`to_dict`), from a
    TOML file (:meth:`from_toml`, back with :meth:`to_toml`), or from another
    one (:meth:`replace`).  A bad value raises ``ValueError`` (pydantic's
    ``ValidationError``) saying what to change; unknown fields are refused.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    time_limit: float | None = Field(
        default=None,
        description="wall-clock seconds for the whole call (None: no time limit). The call "
        "returns on time with the best plan it knows; with a work_limit it is only a "
        "safety cap, and a plan it cut short is not reproducible",
    )
    work_limit: float | None = Field(
        default=None,
        description="work units for the whole call (None: no work limit): counted solver "
        "work, not seconds, so that the same input, seed, workers and work_limit give the "
        "same plan on any machine and under any load (see mutasi_opt.domain.limits)",
    )
    seed: int = Field(default=0, description="CP-SAT random seed (a 32-bit integer)")
    workers: int | None = Field(
        default=None,
        description="CP-SAT search threads, at least 1 (None: the CPU count, at most 8; "
        "solve_many and the batch use 1 by default)",
    )
    log: bool = Field(default=False, description="print CP-SAT's search log")
    decompose: bool = Field(
        default=True,
        description="solve independent role pools one by one when that is exact "
        "(same optimum, faster)",
    )
    warm_start: bool = Field(
        default=True,
        description="hint each stage with greedy plans (same optimum; switch off only to "
        "measure what the hints buy)",
    )
    lp_bounds: bool = Field(
        default=True,
        description="prove stage bounds with the LP relaxation (same optimum; switch off "
        "only to measure what the bounds buy)",
    )
    neighbourhoods: bool = Field(
        default=True,
        description="improve each stage's plan by large-neighbourhood search on sub-models "
        "before the full search (same optimum; switch off only to measure what it buys)",
    )

    # ------------------------------------------------------------ validation
    @field_validator("time_limit", "work_limit", mode="before")
    @classmethod
    def _limit(cls, value: Any, info: Any) -> Any:
        name = info.field_name
        if name == "time_limit":
            check_limits(value, None)
        else:
            check_limits(None, value)
        return value

    @field_validator("seed", mode="before")
    @classmethod
    def _seed(cls, value: Any) -> int:
        seed = _whole(value, "seed", "a whole number")
        if not MIN_SEED <= seed <= MAX_SEED:
            raise ValueError(
                f"seed must be a whole number from {MIN_SEED} to {MAX_SEED} "
                f"(CP-SAT's 32-bit seed), got {value!r}"
            )
        return seed

    @field_validator("workers", mode="before")
    @classmethod
    def _workers(cls, value: Any) -> int | None:
        if value is None:
            return None
        workers = _whole(value, "workers", "a whole number of threads ≥ 1 or None (CPU count)")
        if workers < 1:
            raise ValueError(
                f"workers must be at least 1 (or None: the CPU count, at most 8), got {value!r}"
            )
        if workers > MAX_WORKERS:
            raise ValueError(f"workers must be at most {MAX_WORKERS} threads, got {value!r}")
        return workers

    @field_validator("log", "decompose", "warm_start", "lp_bounds", "neighbourhoods", mode="before")
    @classmethod
    def _switch(cls, value: Any, info: Any) -> bool:
        if not isinstance(value, bool):
            raise ValueError(f"{info.field_name} must be true or false, got {value!r}")
        return value

    # ------------------------------------------------------------ building
    @classmethod
    def resolve(cls, params: SolveParams | None = None, **given: Any) -> Self:
        """``params`` (default: the defaults) with every keyword in ``given`` that
        is not :data:`UNSET` overriding its field.

        The rule of every entry point that takes ``params`` and loose keywords.
        A bad value raises ``ValueError`` with the message of its field (the
        same as :func:`~mutasi_opt.domain.limits.check_limits` for the limits).
        """
        if params is not None and not isinstance(params, SolveParams):
            raise TypeError(
                f"params must be a SolveParams, got {type(params).__name__}: build one with "
                "SolveParams(...), SolveParams.model_validate(a_dict) or "
                "SolveParams.from_toml(path)"
            )
        changes = {k: v for k, v in given.items() if v is not UNSET}
        base = cls() if params is None else cls.model_validate(params)
        if not changes:
            return base
        return base.replace(**changes)

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` applied and validated again.

        Raises ``TypeError`` for an unknown field and ``ValueError`` (the
        field's own message, not pydantic's wrapper) for a bad value.
        """
        unknown = sorted(set(changes) - set(type(self).model_fields))
        if unknown:
            raise TypeError(
                f"unknown solve parameter(s) {', '.join(unknown)}; "
                f"use: {', '.join(type(self).model_fields)}"
            )
        try:
            return type(self)(**{**self.to_dict(), **changes})
        except ValidationError as exc:
            raise ValueError(_first_message(exc)) from None

    def to_dict(self) -> dict[str, Any]:
        """Every field as a plain dict (``SolveParams(**d)`` gives this object back)."""
        return self.model_dump()

    # ------------------------------------------------------------ TOML
    @classmethod
    def from_toml(cls, path: str | Path) -> Self:
        """Read the ``[solve]`` table of a TOML file.

        Raises
        ------
        InputError
            For a missing or unreadable file, invalid TOML, a key outside
            ``[solve]``, an unknown key or a bad value; each issue names the
            file, the line (as ``row``), the key and what to change.
        """
        file = Path(path)
        name = str(path)
        if not file.is_file():
            what = "is a folder, not a file" if file.is_dir() else "does not exist"
            raise InputError(
                [
                    InputIssue(
                        name,
                        None,
                        None,
                        None,
                        f"the solve parameters file {what}; give a TOML file with a "
                        f"[{TABLE}] table (e.g. work_limit = 20)",
                    )
                ]
            )
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise InputError(
                [InputIssue(name, None, None, None, f"cannot read the file: {exc.strerror}")]
            ) from None
        text = toml_text(data, name)
        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            found = re.search(r"at line (\d+)", str(exc))
            raise InputError(
                [
                    InputIssue(
                        name,
                        int(found.group(1)) if found else None,
                        None,
                        None,
                        f"not valid TOML ({exc}); write a [{TABLE}] table with one "
                        "'key = value' per line, e.g. work_limit = 20",
                    )
                ]
            ) from None
        return cls.from_mapping(document, file=name, text=text)

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], *, file: str = "params", text: str | None = None
    ) -> Self:
        """Validate a parsed TOML document (``{"solve": {...}}``) as :meth:`from_toml` does;
        ``text`` (the file's text) locates the lines."""
        issues: list[InputIssue] = []
        fields = ", ".join(cls.model_fields)
        for key, value in data.items():
            if key == TABLE:
                continue
            if key in cls.model_fields:
                hint = f"put it under a [{TABLE}] table (a line '[{TABLE}]' before it)"
            else:
                hint = f"remove it; the file holds one [{TABLE}] table of: {fields}"
            message = f"unexpected key {key!r} outside [{TABLE}]; {hint}"
            issues.append(_key_issue(file, text, None, key, value, message))
        table = data.get(TABLE, {})
        if not isinstance(table, Mapping):
            issues.append(
                InputIssue(
                    file,
                    _line(text, TABLE, None),
                    TABLE,
                    _show(table),
                    f"{TABLE} must be a table: write '[{TABLE}]' on a line, then one "
                    "'key = value' per line",
                )
            )
            raise InputError(issues)
        clean: dict[str, Any] = {}
        for key, value in table.items():
            if key not in cls.model_fields:
                message = f"unknown solve parameter {key!r}; remove it or use one of: {fields}"
                issues.append(_key_issue(file, text, TABLE, key, value, message))
                continue
            clean[key] = value
        params: Self | None = None
        try:
            params = cls(**clean)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                loc = err.get("loc", ())
                where = str(loc[0]) if loc else None
                issues.append(
                    InputIssue(
                        file,
                        _line(text, where, TABLE),
                        where,
                        _show(clean.get(where)) if where is not None else None,
                        _error_message(err),
                    )
                )
        if issues or params is None:
            raise InputError(issues)
        return params

    def to_toml(self) -> str:
        """The parameters as a TOML ``[solve]`` table (:meth:`from_toml` reads it back).

        TOML has no null: a field that is ``None`` (no limit, the CPU count)
        is left out, which reads back as ``None``.
        """
        lines = [f"[{TABLE}]"]
        for key, value in self.to_dict().items():
            if value is None:
                continue
            if isinstance(value, bool):
                shown = "true" if value else "false"
            elif isinstance(value, float):
                shown = repr(value)
            else:
                shown = str(value)
            lines.append(f"{key} = {shown}")
        return "\n".join(lines) + "\n"


def _whole(value: Any, name: str, what: str) -> int:
    """``value`` as an int: an integer (not a bool), or an integral number type (NumPy's)."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be {what}, got {value!r}")
    try:
        return operator.index(value)
    except TypeError:
        pass
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        raise ValueError(f"{name} must be {what} (write {int(value)}, not {value!r})")
    raise ValueError(f"{name} must be {what}, got {value!r}")


def _first_message(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    return _error_message(errors[0]) if errors else str(exc)


def _error_message(err: Any) -> str:
    """The field's own message (pydantic prefixes ours with 'Value error, ')."""
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, ValueError):
        return str(cause)
    msg = str(err.get("msg", "invalid value"))
    loc = err.get("loc", ())
    return f"{loc[0]}: {msg}" if loc else msg


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _key_issue(
    file: str, text: str | None, table: str | None, key: str, value: Any, message: str
) -> InputIssue:
    """An issue about ``key`` (in ``[table]``, or outside any), at its line in ``text``."""
    shown = None if isinstance(value, Mapping) else _show(value)
    return InputIssue(file, _line(text, key, table), key, shown, message)


def _line(text: str | None, key: str | None, table: str | None) -> int | None:
    """The line of ``key = ...`` in ``text`` (inside ``[table]``, or before any table
    when ``table`` is None; ``[key]`` itself for a table header)."""
    if text is None or key is None:
        return None
    header = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]")
    assign = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    current: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        found = header.match(line)
        if found:
            current = found.group(1).strip("\"'")
            if table is None and current == key:
                return number
            continue
        if current == table and assign.match(line):
            return number
    return None
