"""Decision variables: one integer flow per (class, allowed target unit)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from ..classes import Classes

IntArray = npt.NDArray[np.int64]

__all__ = ["Variables"]


class Variables:
    """Flows ``y[f]`` = number of members of class ``flow_class[f]`` sent to ``flow_unit[f]``.

    Staying home is implicit: ``size[c] − Σ_f y[f]`` over the class's flows.
    Flows are stored flat; the arrays below are aligned with :attr:`flows`.
    """

    def __init__(self, model: cp_model.CpModel, classes: Classes, names: bool = False) -> None:
        self.classes = classes
        counts = np.array([len(t) for t in classes.targets], dtype=np.int64)
        self.flow_class: IntArray = np.repeat(np.arange(classes.n, dtype=np.int64), counts)
        self.flow_unit: IntArray = (
            np.concatenate(classes.targets).astype(np.int64)
            if classes.n and counts.sum()
            else np.zeros(0, dtype=np.int64)
        )
        self.flow_pref: IntArray = (
            np.concatenate(classes.pref_cost).astype(np.int64)
            if classes.n and counts.sum()
            else np.zeros(0, dtype=np.int64)
        )
        self.flow_home: IntArray = classes.home[self.flow_class]
        self.flow_role: IntArray = classes.role[self.flow_class]
        self.flow_cap: IntArray = classes.cap_hours[self.flow_class]
        sizes = classes.size[self.flow_class]
        self.flows: list[cp_model.IntVar] = [
            model.new_int_var(0, int(s), f"y_{c}_{u}" if names else "")
            for s, c, u in zip(sizes, self.flow_class, self.flow_unit, strict=True)
        ]
        starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.class_slices: list[slice] = [
            slice(int(starts[c]), int(starts[c + 1])) for c in range(classes.n)
        ]

    @property
    def n_flows(self) -> int:
        """Number of flow variables."""
        return len(self.flows)

    def flow_indices(self) -> list[int]:
        """Proto indices of the flow variables (for reading solutions fast)."""
        return [v.index for v in self.flows]
