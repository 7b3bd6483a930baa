"""Benchmark: loading a 100,000-employee data folder.

Writes a seeded synthetic folder (employees, units, demand, requirements as CSV)
to a temporary directory with plain pandas, then times

* ``pandas.read_csv`` of every file with default options (the floor), and
* :func:`mutasi_opt.read_folder` (read as text, validate, cross-check, build
  the :class:`~mutasi_opt.domain.problem.Problem`),

best of three each, in the same run.  Prints the ratio and writes
``benchmarks/results/load.json``.  The target is a ratio of at most 5.

Run: ``python benchmarks/bench_load.py [--employees 100000] [--seed 7]``
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

TABLES = ("employees", "units", "demand", "requirements")
GOLONGAN = [f"{g}/{x}" for g in ("I", "II", "III") for x in "abcd"] + [f"IV/{x}" for x in "abcde"]


def make_folder(path: Path, n_employees: int = 100_000, seed: int = 7) -> Path:
    """Write a valid synthetic data folder with ``n_employees`` rows to ``path``."""
    rng = np.random.default_rng(seed)
    n_units = max(2, n_employees // 200)
    n_roles = 25
    units = [f"U{i:04d}" for i in range(n_units)]
    roles = [f"jabatan_{i:02d}" for i in range(n_roles)]
    comps = [f"K{i:02d}" for i in range(30)]

    # NIPs: birth date, CPNS start (birth + 20..35 years), gender, sequence; unique.
    nips: list[str] = []
    seen: set[str] = set()
    while len(nips) < n_employees:
        m = n_employees - len(nips)
        year = rng.integers(1965, 2000, m)
        month = rng.integers(1, 13, m)
        day = rng.integers(1, 29, m)
        c_year = np.minimum(year + rng.integers(20, 36, m), 2024)
        c_month = rng.integers(1, 13, m)
        gender = rng.integers(1, 3, m)
        seq = rng.integers(1, 1000, m)
        for parts in zip(year, month, day, c_year, c_month, gender, seq, strict=True):
            nip = "{:04d}{:02d}{:02d}{:04d}{:02d}{:d}{:03d}".format(*(int(p) for p in parts))
            if nip not in seen:
                seen.add(nip)
                nips.append(nip)

    def comp_text() -> str:
        k = int(rng.integers(0, 4))
        picked = rng.choice(len(comps), size=k, replace=False)
        return ";".join(f"{comps[c]}:{int(rng.integers(1, 6))}" for c in sorted(picked))

    role_of = rng.integers(0, n_roles, n_employees)
    unit_of = rng.integers(0, n_units, n_employees)
    fte = rng.choice(["1", "1.0", "0.5", "0.75", ""], n_employees, p=[0.6, 0.2, 0.1, 0.05, 0.05])
    months = rng.integers(0, 200, n_employees).astype(str)
    months[rng.random(n_employees) < 0.1] = ""
    refused = np.where(
        rng.random(n_employees) < 0.05,
        [units[int(i)] for i in rng.integers(0, n_units, n_employees)],
        "",
    )
    preferred = np.where(
        rng.random(n_employees) < 0.05,
        [
            f"{units[int(i)]};{units[(int(i) + 1) % n_units]}"
            for i in rng.integers(0, n_units, n_employees)
        ],
        "",
    )
    # No unit is both preferred and refused by the same employee.
    clash = [bool(r) and r in p.split(";") for r, p in zip(refused, preferred, strict=True)]
    refused[np.array(clash, dtype=bool)] = ""
    employees = pd.DataFrame(
        {
            "nip": nips,
            "name": [f"Pegawai {i} bin Fulan" for i in range(n_employees)],
            "unit": [units[int(u)] for u in unit_of],
            "role": [roles[int(r)] for r in role_of],
            "fte": fte,
            "rank": rng.choice(GOLONGAN, n_employees),
            "employment_type": rng.choice(["PNS", "PPPK"], n_employees, p=[0.85, 0.15]),
            "competencies": [comp_text() for _ in range(n_employees)],
            "months_in_unit": months,
            "locked": rng.choice(["false", "true"], n_employees, p=[0.97, 0.03]),
            "refused_units": refused,
            "preferred_units": preferred,
        }
    )
    unit_table = pd.DataFrame(
        {
            "unit": units,
            "name": [f"Unit Kerja {i}" for i in range(n_units)],
            "workload_hours": "",
            "min_staff": "",
            "max_staff": "",
        }
    )
    # Every role has demand at its employees' units plus a few more.
    pairs = set(zip(unit_of.tolist(), role_of.tolist(), strict=True))
    pairs |= {
        (int(u), int(r))
        for u, r in zip(
            rng.integers(0, n_units, n_units), rng.integers(0, n_roles, n_units), strict=True
        )
    }
    pairs_sorted = sorted(pairs)
    demand = pd.DataFrame(
        {
            "unit": [units[u] for u, _ in pairs_sorted],
            "role": [roles[r] for _, r in pairs_sorted],
            "workload_hours": np.round(rng.uniform(100, 20_000, len(pairs_sorted)), 1),
        }
    )
    req_pairs = sorted(
        {
            (int(u), int(c), int(lv))
            for u, c, lv in zip(
                rng.integers(0, n_units, n_units),
                rng.integers(0, len(comps), n_units),
                rng.integers(1, 4, n_units),
                strict=True,
            )
        }
    )
    requirements = pd.DataFrame(
        {
            "unit": [units[u] for u, _, _ in req_pairs],
            "competency": [comps[c] for _, c, _ in req_pairs],
            "min_level": [lv for _, _, lv in req_pairs],
            "min_staff": rng.integers(1, 3, len(req_pairs)),
        }
    )
    path.mkdir(parents=True, exist_ok=True)
    for name, frame in zip(TABLES, (employees, unit_table, demand, requirements), strict=True):
        frame.to_csv(path / f"{name}.csv", index=False)
    return path


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """Best wall time of ``repeat`` calls, in seconds.

    The result is kept until the clock has stopped, for both contenders: the
    time to free it (a DataFrame, or a Problem) is not part of loading.
    """
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
        del result
    return min(times)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit code 1 when the ratio is above the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--target", type=float, default=5.0)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "load.json")
    args = parser.parse_args(argv)

    from mutasi_opt import read_folder

    with tempfile.TemporaryDirectory() as tmp:
        folder = make_folder(Path(tmp) / "data", args.employees, args.seed)
        files = [folder / f"{t}.csv" for t in TABLES]

        def bare() -> list[pd.DataFrame]:
            return [pd.read_csv(f) for f in files]

        problem = read_folder(folder)  # warm-up (imports, caches) and sanity check
        assert len(problem.employees) == args.employees
        t_bare = best_of(bare, args.repeat)
        t_read = best_of(lambda: read_folder(folder), args.repeat)
    ratio = t_read / t_bare
    result = {
        "employees": args.employees,
        "seed": args.seed,
        "repeat": args.repeat,
        "bare_read_csv_seconds": round(t_bare, 4),
        "read_folder_seconds": round(t_read, 4),
        "ratio": round(ratio, 2),
        "target": args.target,
        "python": platform.python_version(),
        "pandas": pd.__version__,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(
        f"{args.employees} employees: pandas.read_csv {t_bare * 1000:.0f} ms, "
        f"read_folder {t_read * 1000:.0f} ms, ratio {ratio:.2f} (target <= {args.target})"
    )
    return 0 if ratio <= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
