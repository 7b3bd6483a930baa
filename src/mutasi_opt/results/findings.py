"""What the checker and the diagnosis find: a rule a plan breaks, rules that cannot all hold."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Conflict", "Violation"]


@dataclass(frozen=True)
class Violation:
    """A broken rule.  ``kind`` is one of: ``unknown_employee``, ``duplicate_employee``,
    ``missing_employee``, ``unknown_unit``, ``locked``, ``pppk``, ``tenure``,
    ``refused_unit``, ``no_demand``, ``min_staff``, ``max_staff``, ``max_moves``,
    ``inactive``, ``retiring``, ``blackout``, ``pair_separate``, ``pair_together``,
    ``rotation``, ``pinned``."""

    kind: str
    message: str
    nip: str | None = None
    unit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {"kind": self.kind, "nip": self.nip, "unit": self.unit, "message": self.message}


@dataclass(frozen=True)
class Conflict:
    """One reason the hard rules cannot all hold.

    ``kind`` names the check (``min_staff_unreachable``, ``max_staff_immovable``,
    ``min_staff_total``, ``max_staff_total``, ``move_budget``, ``rule_conflict``);
    ``units`` the unit ids involved; ``numbers`` the figures quoted.
    """

    kind: str
    message: str
    units: tuple[str, ...] = ()
    numbers: tuple[tuple[str, int], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "kind": self.kind,
            "message": self.message,
            "units": list(self.units),
            "numbers": dict(self.numbers),
        }
