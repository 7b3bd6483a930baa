"""Decision variables on the class/type aggregation (see ``solvers.aggregation``).

* ``out[c]``: members of class ``c`` who leave their home unit;
* ``arrive[a]``: members of type ``arr_type[a]`` who arrive at ``arr_unit[a]``;
* ``pref[k]``: employee ``pref_options[k].employee`` moves to that preferred unit.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from ...domain.arrays import IntArray
from ..aggregation import Classes

__all__ = ["Variables"]


class Variables:
    """All decision variables, stored flat with aligned index arrays."""

    def __init__(self, model: cp_model.CpModel, classes: Classes) -> None:
        self.classes = classes
        type_size = np.zeros(classes.n_types, dtype=np.int64)
        np.add.at(type_size, classes.ctype, classes.size)
        # a class can only leave when its type has a target other than its home
        self.out: list[cp_model.IntVar | None] = []
        for c in range(classes.n):
            tgt = classes.type_targets[int(classes.ctype[c])]
            barred = [int(classes.home[c]), *classes.refused[c]]
            useful = bool(np.any(~np.isin(tgt, barred)))
            self.out.append(model.new_int_var(0, int(classes.size[c]), "") if useful else None)
        counts = np.array([len(t) for t in classes.type_targets], dtype=np.int64)
        self.arr_type: IntArray = np.repeat(np.arange(classes.n_types, dtype=np.int64), counts)
        self.arr_unit: IntArray = (
            np.concatenate(classes.type_targets).astype(np.int64)
            if counts.sum()
            else np.zeros(0, dtype=np.int64)
        )
        self.arrive: list[cp_model.IntVar] = [
            model.new_int_var(0, int(type_size[t]), "") for t in self.arr_type
        ]
        self.arr_index: dict[tuple[int, int], int] = {
            (int(t), int(u)): a
            for a, (t, u) in enumerate(zip(self.arr_type, self.arr_unit, strict=True))
        }
        self.pref: list[cp_model.IntVar] = [model.new_bool_var("") for _ in classes.pref_options]

    def values_from(self, solution: npt.NDArray[np.int64]) -> dict[str, IntArray]:
        """Read ``out``, ``arrive`` and ``pref`` values from a full solution vector."""
        out = np.array(
            [0 if v is None else int(solution[v.index]) for v in self.out], dtype=np.int64
        )
        arrive = np.array([int(solution[v.index]) for v in self.arrive], dtype=np.int64)
        pref = np.array([int(solution[v.index]) for v in self.pref], dtype=np.int64)
        return {"out": out, "arrive": arrive, "pref": pref}
