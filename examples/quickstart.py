"""Quick start: folder → Problem → current state → plan → explanations → files.

Run from the repository root (uses the embedded synthetic sample; replace
``sample_path()`` by your own data folder):

    python examples/quickstart.py
"""

from __future__ import annotations

import mutasi_opt as mo
from mutasi_opt.sample import sample_path


def main() -> None:
    problem = mo.read_folder(sample_path())
    state = mo.current_state(problem, top=5)
    print(state)

    # a work limit (counted solver work): the same plan on any machine, busy or idle;
    # add time_limit=... (seconds) as well when the answer is needed by a deadline
    plan = mo.solve(problem, work_limit=8)
    print(plan)
    print(plan.moves[["name", "unit_before", "unit_after", "reason"]].head(5).to_string())
    first_stayer = next(
        str(e.nip) for e in problem.employees if plan.unit_after(str(e.nip)) == e.unit
    )
    print(plan.why_not(first_stayer))
    mo.write_plan(plan, "out/quickstart")


if __name__ == "__main__":
    main()
