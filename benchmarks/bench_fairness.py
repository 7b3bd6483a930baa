"""What the fairness rules of a voluntary round cost on the embedded sample.

One command, deterministic (a work limit, not a time limit, decides how far
each solve gets):

    python benchmarks/bench_fairness.py [--work-limit 8] [--workers 1]

The sample with ``max_moves = 150`` and priority points = years of service at
2026-01 (from the NIPs) is solved three times in the same run: with no
fairness rule, with ``no_justified_envy`` and with ``individual_rationality``.
Per policy it prints D, B (each with its bound), the moves, the blocking pairs
of the plan and the unlisted moves that break individual rationality (all
recomputed by the independent checker), and the cost of the rule against the
plain plan; the sample's 2025 history is checked the same way.  It writes
``benchmarks/results/fairness.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
POLICIES = ("plain", "no_justified_envy", "individual_rationality")


def _row(name: str, problem: Any, assignment: Any, plan: Any = None) -> dict[str, Any]:
    from mutasi_opt import check_plan, metrics
    from mutasi_opt.planning.fairness import blocking_pairs, unlisted_moves

    m = metrics.evaluate(problem, assignment)
    violations, exceptions = unlisted_moves(problem, assignment)
    row: dict[str, Any] = {
        "policy": name,
        "D": m.imbalance_hours,
        "B": m.balance_cost,
        "moves": m.moves,
        "blocking_pairs": len(blocking_pairs(problem, assignment)),
        "unlisted_violations": len(violations),
        "unlisted_exceptions": len(exceptions),
    }
    if plan is not None:
        stages = {s.name: s for s in plan.stages}
        row["status"] = plan.status.value
        row["D_bound"] = stages["imbalance"].bound / metrics.IMBALANCE_SCALE
        row["B_bound"] = stages["balance"].bound / metrics.BALANCE_SCALE
        row["seconds"] = round(plan.solve_seconds, 1)
        row["rules_broken"] = len(check_plan(problem, plan))
    return row


def run(work_limit: float, workers: int) -> list[dict[str, Any]]:
    """The rows: the history, then one per policy."""
    import mutasi_opt as mo
    from mutasi_opt.planning.fairness import with_service_priority

    base = with_service_priority(mo.load_sample(), "2026-01")
    base = base.replace(policy=base.policy.replace(max_moves=150))
    history = mo.evaluate_history(base, mo.sample.sample_path() / "history.csv")
    rows = [_row("history 2025", base, history.assignment)]
    for name in POLICIES:
        pol = base.policy if name == "plain" else base.policy.replace(**{name: True})
        problem = base.replace(policy=pol)
        plan = mo.solve(problem, work_limit=work_limit, workers=workers)
        rows.append(_row(name, problem, plan.assignment_array, plan))
    plain = rows[1]
    for row in rows[2:]:
        row["D_cost_pct"] = round(100 * (row["D"] - plain["D"]) / plain["D"], 2)
        row["B_cost_pct"] = round(100 * (row["B"] - plain["B"]) / plain["B"], 2)
    return rows


def markdown(rows: list[dict[str, Any]], work_limit: float, workers: int) -> str:
    """The rows as a Markdown table."""
    head = (
        f"Sample, max_moves = 150, priority = years of service at 2026-01, "
        f"work_limit = {work_limit:g}, workers = {workers}\n\n"
        "| policy | D (h) | D bound | B | B bound | moves | blocking pairs | "
        "unlisted (broken / excepted) | D cost | B cost | rules broken |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|\n"
    )

    def num(x: Any, fmt: str = ",.1f") -> str:
        return "" if x is None else format(x, fmt)

    lines = [
        f"| {r['policy']} | {num(r['D'])} | {num(r.get('D_bound'))} | {num(r['B'])} | "
        f"{num(r.get('B_bound'))} | {r['moves']} | {r['blocking_pairs']} | "
        f"{r['unlisted_violations']} / {r['unlisted_exceptions']} | "
        f"{num(r.get('D_cost_pct'), '+.2f')}{'%' if 'D_cost_pct' in r else ''} | "
        f"{num(r.get('B_cost_pct'), '+.2f')}{'%' if 'B_cost_pct' in r else ''} | "
        f"{r.get('rules_broken', '')} |"
        for r in rows
    ]
    return head + "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work-limit", type=float, default=8.0)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    start = time.perf_counter()
    rows = run(args.work_limit, args.workers)
    text = markdown(rows, args.work_limit, args.workers)
    print(text)
    print(f"({time.perf_counter() - start:.0f} s in all)")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "fairness.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "fairness.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
