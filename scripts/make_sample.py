"""Regenerate the embedded sample folder ``src/mutasi_opt/data/sample``.

Usage::

    python scripts/make_sample.py [OUT_DIR]

The folder is written by :func:`mutasi_opt.io.write_folder` from
:func:`mutasi_opt.synth.generate` with fixed arguments, so running the script
again gives byte-identical files.  It is read back and checked to be the
same problem before the README (with its statistics) is written.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mutasi_opt import synth
from mutasi_opt.io import read_folder, write_folder
from mutasi_opt.io.history import read_history, write_history
from mutasi_opt.io.surges import read_surges
from mutasi_opt.planning.history import synthetic_history
from mutasi_opt.planning.state import current_state
from mutasi_opt.sample import (
    SAMPLE_MAX_MOVES,
    SAMPLE_N_EMPLOYEES,
    SAMPLE_PAIRS,
    SAMPLE_PLAN_DATE,
    SAMPLE_SEED,
)

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src" / "mutasi_opt" / "data" / "sample"

README = """\
# Embedded sample: a synthetic Kota Binjai-like city

**These data are synthetic.** Every name, NIP, head count, workload (ABK
hours), competency, lock and preference in this folder is invented by
`mutasi_opt.synth.generate`; the policy is the library default with
`max_moves = {max_moves}`. The only public facts are the names
of the OPDs (work units such as Sekretariat Daerah, Dinas Kesehatan, RSUD
Dr. R.M. Djoelham) and of the 5 kecamatan of Kota Binjai. Kelurahan,
puskesmas and schools are numbered placeholders, not real offices. No real
person is described. The real number of ASN per OPD is not public, so the
head counts here are made up to look plausible.

Regenerate (deterministic) with

    python scripts/make_sample.py

which calls `synth.generate({n}, seed={seed}, max_moves={max_moves}, pairs={pairs})` and
writes the folder with `mutasi_opt.io.write_folder`.

Load it with `mutasi_opt.sample.load_sample()`, or try `mutasi-opt demo`
or `mutasi-opt validate {path}`.

| | |
|---|---|
| employees | {employees:,} ({pppk:,} PPPK) |
| units | {units:,} |
| roles (jabatan) | {roles} |
| capacity | {capacity:,} h ({capacity_fte:,.1f} FTE at {eff:g} h) |
| workload (ABK) | {workload:,} h |
| imbalance D (current) | {d:,.2f} h ({d_fte:,.1f} FTE) |
| balance cost B (current) | {b:,.2f} |
| competency shortfall | {shortfall} over {n_short} of {n_req} requirements |
| movable | {movable:,} ({movable_pct:.1f}%) |
| policy max_moves | {max_moves} |

Files: `employees.csv`, `units.csv`, `demand.csv`, `requirements.csv`,
`pairs.csv`, `policy.toml` (the columns are described in the project README,
"The data folder").

Birth dates (`birth_date`) are those the NIPs encode (digits 1-8), so
retirements (BUP) follow from them; the kecamatan offices, kelurahan and
puskesmas have their kecamatan as `area`. `pairs.csv` holds {pairs} invented
pairs: couples kept together (in one unit or kecamatan) and relatives kept apart
(in two units), all among staff the rules keep in place (locked, PPPK, under the
tenure minimum), so they shape no plan of the sample. The policy has no
`plan_date`; `mutasi-opt demo` takes the round as decreed on {plan_date}
(`--plan-date`): the ABK workload is yearly, and so is the default horizon of 12
months in which retirements are counted.

`surges.csv` is an invented vaccination campaign for `mutasi-opt demo --surge`
and `mutasi-opt surge`: Dinas Kesehatan and four puskesmas need
vaksinasi-qualified help (level 2 or more) from August to October 2026, and
Dinas Kesehatan needs registration help of any role from July to October.

`history.csv` is an invented mutasi history of 2025 (nip, from_unit, to_unit,
date, kind) for `mutasi-opt history --sample`: {history_moves} rows made by
`mutasi_opt.history.synthetic_history(problem, seed={history_seed})`, mixing
moves people asked for, moves from surplus to shortage made one at a time, and
random moves, with a few that break the policy (as real histories do) and a
few secondments.
"""

#: seed of the sample's synthetic mutasi history (history.csv)
HISTORY_SEED = 2025

#: the sample's surges (a vaccination campaign), written as surges.csv
SURGES_CSV = """\
surge,unit,role,competency,min_level,start,end,extra_fte
VAKS-DINKES,DINKES,,vaksinasi,2,2026-08,2026-10,4
VAKS-PKM-KOTA,PKM-BINJAI-KOTA,,vaksinasi,2,2026-08,2026-10,2
VAKS-PKM-UTARA,PKM-BINJAI-UTARA,,vaksinasi,2,2026-08,2026-10,2
VAKS-PKM-TIMUR,PKM-BINJAI-TIMUR,,vaksinasi,2,2026-08,2026-10,2
VAKS-PKM-BARAT,PKM-BINJAI-BARAT,,vaksinasi,2,2026-08,2026-10,1.5
REG-DINKES,DINKES,,,,2026-07,2026-10,3
"""


def main(argv: list[str]) -> int:
    """Write the sample to ``argv[0]`` (default: the package data folder)."""
    out = Path(argv[0]) if argv else DEFAULT_OUT
    problem = synth.generate(
        SAMPLE_N_EMPLOYEES, seed=SAMPLE_SEED, max_moves=SAMPLE_MAX_MOVES, pairs=SAMPLE_PAIRS
    )
    write_folder(problem, out)
    back = read_folder(out)
    if back.model_dump() != problem.model_dump():
        sys.stderr.write("error: the folder read back differs from the generated problem\n")
        return 1
    (out / "surges.csv").write_text(SURGES_CSV, encoding="utf-8")
    read_surges(out / "surges.csv", back)  # checked against the problem
    history = synthetic_history(back, seed=HISTORY_SEED)
    write_history(history, out / "history.csv")
    if read_history(out / "history.csv") != history:
        sys.stderr.write("error: history.csv read back differs from the generated history\n")
        return 1
    r = current_state(back)
    (out / "README.md").write_text(
        README.format(
            n=SAMPLE_N_EMPLOYEES,
            seed=SAMPLE_SEED,
            max_moves=SAMPLE_MAX_MOVES,
            pairs=SAMPLE_PAIRS,
            plan_date=SAMPLE_PLAN_DATE.isoformat(),
            history_moves=len(history),
            history_seed=HISTORY_SEED,
            path="$(python -c 'import mutasi_opt.sample as s; print(s.sample_path())')",
            employees=r.n_employees,
            pppk=r.n_pppk,
            units=r.n_units,
            roles=r.n_roles,
            capacity=r.capacity_hours,
            capacity_fte=r.capacity_fte,
            eff=r.effective_hours,
            workload=r.workload_hours,
            d=r.imbalance_hours,
            d_fte=r.imbalance_fte,
            b=r.balance_cost,
            shortfall=r.shortfall,
            n_short=len(r.shortfalls),
            n_req=r.n_requirements,
            movable=r.n_movable,
            movable_pct=100 * r.movable_share,
        ),
        encoding="utf-8",
    )
    print(f"wrote {out}: {r.n_employees} employees, {r.n_units} units, D = {r.imbalance_hours} h")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
