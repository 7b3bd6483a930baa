"""From leave/arrive counts back to individual employees.

Within a type everyone is interchangeable for stages 1-4, so which members
move is free up to refusals; the Hall constraints of the model guarantee that
the free leavers can be matched to the arrival places without anyone going to
a refused unit.  The matching is a small min-cost flow per type (OR-Tools'
``SimpleMinCostFlow``): leaver classes → units, arcs only where the class
refuses nothing, cost −1 for a "place" at the class's own home (the member
simply stays, one move fewer).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from ortools.graph.python import min_cost_flow

from ..domain.arrays import IntArray
from ..domain.problem import Problem
from .aggregation import Classes

__all__ = ["aggregate", "disaggregate", "optimal_preferences"]


def aggregate(
    problem: Problem, classes: Classes, assignment: IntArray
) -> dict[str, IntArray] | None:
    """The leave/arrive/pref counts of an assignment (the inverse of :func:`disaggregate`).

    A move to a preferred unit with a preference option takes that option.
    Returns None when the assignment moves someone the classes cannot move
    (an immovable employee, or a unit without demand for the role).
    """
    idx = problem.index
    emp_class = np.full(idx.n_employees, -1, dtype=np.int64)
    for c, m in enumerate(classes.members):
        emp_class[m] = c
    arr_count = [len(t) for t in classes.type_targets]
    arr_start = np.concatenate([[0], np.cumsum(arr_count)]).astype(np.int64)
    place = {
        (t, int(u)): int(arr_start[t]) + j
        for t, targets in enumerate(classes.type_targets)
        for j, u in enumerate(targets)
    }
    option = {(o.employee, o.unit): k for k, o in enumerate(classes.pref_options)}
    out = np.zeros(classes.n, dtype=np.int64)
    arrive = np.zeros(int(arr_start[-1]), dtype=np.int64)
    pref = np.zeros(len(classes.pref_options), dtype=np.int64)
    for e_pos in np.flatnonzero(assignment != idx.home):
        e, u = int(e_pos), int(assignment[e_pos])
        c = int(emp_class[e])
        if c < 0:
            return None
        a = place.get((int(classes.ctype[c]), u))
        if a is None:
            return None
        out[c] += 1
        arrive[a] += 1
        k = option.get((e, u))
        if k is not None:
            pref[k] = 1
    return {"out": out, "arrive": arrive, "pref": pref}


def disaggregate(problem: Problem, classes: Classes, decisions: dict[str, IntArray]) -> IntArray:
    """An assignment of individuals realising ``decisions`` (out/arrive/pref counts).

    Employees whose preferred move was chosen (``pref``) go there.  The other
    leavers of each class are its longest-serving members (overdue for rotation
    first, ties by input order); each takes a unit the flow gives its class,
    a preferred one when possible.  A leaver matched to its own home stays.
    """
    idx = problem.index
    assignment = idx.home.copy()
    months = np.where(idx.months < 0, np.iinfo(np.int64).max, idx.months)
    out, arrive, pref = decisions["out"], decisions["arrive"], decisions["pref"]
    arr_count = [len(t) for t in classes.type_targets]
    arr_start = np.concatenate([[0], np.cumsum(arr_count)]).astype(np.int64)
    pinned: dict[int, int] = {}
    pinned_in_class: dict[int, int] = defaultdict(int)
    slots_taken: dict[tuple[int, int], int] = defaultdict(int)
    for k in np.flatnonzero(pref):
        opt = classes.pref_options[int(k)]
        pinned[opt.employee] = opt.unit
        pinned_in_class[opt.cls] += 1
        slots_taken[(opt.typ, opt.unit)] += 1
    for e, u in pinned.items():
        assignment[e] = u
    for t in range(classes.n_types):
        cls = [int(c) for c in classes.type_classes[t] if out[int(c)] - pinned_in_class[int(c)] > 0]
        if not cls:
            continue
        targets = classes.type_targets[t]
        slots = {
            int(u): int(arrive[int(arr_start[t]) + j]) - slots_taken[(t, int(u))]
            for j, u in enumerate(targets)
            if int(arrive[int(arr_start[t]) + j]) - slots_taken[(t, int(u))] > 0
        }
        flows = _match(classes, cls, out, pinned_in_class, slots)
        for c in cls:
            _place_members(problem, classes, c, flows.get(c, []), pinned, months, assignment)
    return assignment


def _match(
    classes: Classes,
    cls: list[int],
    out: IntArray,
    pinned_in_class: dict[int, int],
    slots: dict[int, int],
) -> dict[int, list[tuple[int, int]]]:
    """Min-cost flow from leaver classes to free places; returns per class (unit, count)."""
    units = sorted(slots)
    unit_node = {u: len(cls) + k for k, u in enumerate(units)}
    smcf = min_cost_flow.SimpleMinCostFlow()
    arcs: list[tuple[int, int, int]] = []
    for i, c in enumerate(cls):
        supply = int(out[c]) - pinned_in_class[c]
        smcf.set_node_supply(i, supply)
        refused = set(classes.barred[c])
        home = int(classes.home[c])
        for u in units:
            if u in refused:
                continue
            arc = smcf.add_arc_with_capacity_and_unit_cost(
                i, unit_node[u], supply, -1 if u == home else 0
            )
            arcs.append((arc, c, u))
    for u in units:
        smcf.set_node_supply(unit_node[u], -slots[u])
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise RuntimeError(
            "leavers cannot be matched to arrival places without refused units; "
            "the model's refusal constraints should have prevented this"
        )
    result: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for arc, c, u in arcs:
        f = smcf.flow(arc)
        if f:
            result[c].append((u, int(f)))
    return result


def _place_members(
    problem: Problem,
    classes: Classes,
    c: int,
    places: list[tuple[int, int]],
    pinned: dict[int, int],
    months: IntArray,
    assignment: IntArray,
) -> None:
    """Give the class's places to its longest-serving free members, preferred units first."""
    home = int(classes.home[c])
    dest = [u for u, n in places for _ in range(n) if u != home]
    if not dest:
        return
    members = classes.members[c]
    free = [
        int(e) for e in members[np.lexsort((members, -months[members]))] if int(e) not in pinned
    ]
    movers = free[: len(dest)]
    remaining = list(dest)
    unplaced: list[int] = []
    for e in movers:
        prefs = problem.index.preferred[e]
        choice = next((u for u in prefs if u in remaining), None)
        if choice is None:
            unplaced.append(e)
            continue
        assignment[e] = choice
        remaining.remove(choice)
    for e, u in zip(unplaced, remaining, strict=True):
        assignment[e] = u


def optimal_preferences(classes: Classes, decisions: dict[str, IntArray]) -> dict[str, IntArray]:
    """The preference options that minimise the preference cost for the given
    leave/arrive counts: exact, one min-cost flow per type.

    Per type: each leaving class supplies ``out[c]`` leavers and each arrival
    place ``(t, u)`` takes ``arrive[t, u]``.  A leaver reaches a place either
    *freely* (arc class → place, cost 0, only for units the class does not bar)
    or through one of its members' preference options (class → member → place,
    capacity 1 per member, cost ``−saving``).  Since the moves are fixed, the
    preference cost is ``unlisted × moves − Σ savings``, and the flow maximises
    the savings.  The counts stay as they are; only ``pref`` is chosen.
    """
    out, arrive = decisions["out"], decisions["arrive"]
    pref = np.zeros(len(classes.pref_options), dtype=np.int64)
    arr_count = [len(t) for t in classes.type_targets]
    arr_start = np.concatenate([[0], np.cumsum(arr_count)]).astype(np.int64)
    options_of: dict[int, list[int]] = defaultdict(list)
    for k, opt in enumerate(classes.pref_options):
        options_of[opt.typ].append(k)
    for t in sorted(options_of):
        cls = [int(c) for c in classes.type_classes[t] if out[int(c)] > 0]
        if not cls:
            continue
        targets = [int(u) for u in classes.type_targets[t]]
        demand = {u: int(arrive[int(arr_start[t]) + j]) for j, u in enumerate(targets)}
        places = [u for u in targets if demand[u] > 0]
        node: dict[tuple[str, int], int] = {}

        def nid(kind: str, key: int, node: dict[tuple[str, int], int] = node) -> int:
            return node.setdefault((kind, key), len(node))

        smcf = min_cost_flow.SimpleMinCostFlow()
        for c in cls:
            smcf.set_node_supply(nid("c", c), int(out[c]))
            barred = set(classes.barred[c])
            for u in places:
                if u not in barred:
                    smcf.add_arc_with_capacity_and_unit_cost(
                        nid("c", c), nid("u", u), int(out[c]), 0
                    )
        option_arcs: list[tuple[int, int]] = []
        member_arc: dict[int, int] = {}
        for k in options_of[t]:
            opt = classes.pref_options[k]
            if out[opt.cls] <= 0 or demand.get(opt.unit, 0) <= 0:
                continue
            if opt.employee not in member_arc:
                member_arc[opt.employee] = smcf.add_arc_with_capacity_and_unit_cost(
                    nid("c", opt.cls), nid("e", opt.employee), 1, 0
                )
            arc = smcf.add_arc_with_capacity_and_unit_cost(
                nid("e", opt.employee), nid("u", opt.unit), 1, -opt.saving
            )
            option_arcs.append((arc, k))
        for u in places:
            smcf.set_node_supply(nid("u", u), -demand[u])
        if smcf.solve() != smcf.OPTIMAL:
            raise RuntimeError(
                "leavers cannot be matched to arrival places without barred units; "
                "the model's refusal constraints should have prevented this"
            )
        for arc, k in option_arcs:
            if smcf.flow(arc):
                pref[k] = 1
    return {"out": out.copy(), "arrive": arrive.copy(), "pref": pref}
