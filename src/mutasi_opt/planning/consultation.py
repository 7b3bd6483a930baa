"""Consultation notices: one per employee the draft moves (and, on request, per
employee who asked to move and stays), in plain Bahasa Indonesia.

Each notice says where, why (the EJ of the new unit and of their own unit
before and after the plan, the competencies they bring that the new unit
requires, the rank of the new unit in their own list, their months in the
unit), what training is offered, and how to respond (``responses.csv``: terima,
keberatan or pilih; see :mod:`mutasi_opt.domain.responses`).  The records have
the columns of :data:`~mutasi_opt.domain.columns.NOTICES`; ``letter`` is the
whole notice as a letter, for printing or a mail merge.
"""

from __future__ import annotations

import math
from typing import Any

from ..domain.problem import Problem
from ..results.plan import Plan
from ..text.explain import why_not

__all__ = ["notice_records"]

#: how to respond, in every notice
HOW_TO_RESPOND = (
    "Sampaikan tanggapan Anda kepada {office}{deadline} dengan salah satu jawaban: "
    "'terima' bila Anda menyetujui rancangan ini; 'keberatan' bila Anda tidak bersedia "
    "(sebutkan alasannya, dan bila ada unit lain yang juga tidak Anda kehendaki); "
    "'pilih' bila Anda menginginkan unit lain (sebutkan unit yang Anda inginkan, "
    "mulai dari yang paling diinginkan). Setiap tanggapan akan dipertimbangkan dalam "
    "revisi rencana mutasi."
)


def _ej(value: Any) -> str:
    if value is None:
        return "-"
    x = float(value)
    return "tak terhingga" if math.isinf(x) else f"{x:.2f}".replace(".", ",")


def _load(value: Any) -> str:
    """EJ in words: above 1 the unit is overloaded."""
    if value is None:
        return ""
    x = float(value)
    if x > 1.0:
        return " (beban kerja melebihi kapasitas pegawai)"
    if x < 0.7:
        return " (kapasitas pegawai jauh melebihi beban kerja)"
    return ""


def _unit_name(problem: Problem, unit: str) -> str:
    name = problem.unit(unit).name
    return f"{name} ({unit})" if name and name != unit else unit


def notice_records(
    plan: Plan,
    *,
    askers: bool = False,
    office: str = "BKPSDM",
    deadline: str = "",
) -> list[dict[str, Any]]:
    """The notices of ``plan`` (a draft): one per mover, and with ``askers`` one per
    employee who listed preferred units and stays (why they stay, in Indonesian).
    ``office`` receives the responses; ``deadline`` (text, e.g. ``"15 Juli 2026"``)
    is quoted when given."""
    problem = plan.problem
    idx = problem.index
    after = plan._require()
    ej = {(r["unit"], r["role"]): r for r in plan.unit_records()}
    training: dict[str, list[str]] = {}
    for t in plan.training_records():
        training.setdefault(t["nip"], []).append(f"{t['competency']}:{t['level_needed']}")
    respond = HOW_TO_RESPOND.format(
        office=office, deadline=f" paling lambat {deadline}" if deadline else ""
    )
    out: list[dict[str, Any]] = []
    for e, emp in enumerate(problem.employees):
        moved = bool(after[e] != idx.home[e])
        if not moved and not (askers and emp.preferred_units):
            continue
        nip = idx.nips[e]
        home, dest = emp.unit, idx.unit_ids[int(after[e])]
        to = ej.get((dest, emp.role), {})
        frm = ej.get((home, emp.role), {})
        rank = emp.preferred_units.index(dest) + 1 if dest in emp.preferred_units else None
        brought = sorted(
            {
                f"{q.competency}:{emp.level(q.competency)}"
                for q in problem.requirements
                if q.unit == dest and emp.level(q.competency) >= q.min_level
            }
        )
        trains = training.get(nip, [])
        if moved:
            reason = _reason(problem, emp, dest, to, frm, rank, brought, trains)
        else:
            reason = why_not(plan, nip, lang="id")
        letter = _letter(problem, emp, nip, dest, moved, reason, respond)
        out.append(
            {
                "nip": nip,
                "name": emp.name,
                "role": emp.role,
                "unit_before": home,
                "unit_after": dest,
                "moved": moved,
                "months_in_unit": emp.months_in_unit,
                "preference_rank": rank,
                "ej_to_before": to.get("ej_before") if moved else None,
                "ej_to_after": to.get("ej_after") if moved else None,
                "ej_from_before": frm.get("ej_before"),
                "ej_from_after": frm.get("ej_after"),
                "competencies_brought": ";".join(brought),
                "training": ";".join(trains),
                "reason": reason,
                "how_to_respond": respond,
                "letter": letter,
            }
        )
    return out


def _reason(
    problem: Problem,
    emp: Any,
    dest: str,
    to: dict[str, Any],
    frm: dict[str, Any],
    rank: int | None,
    brought: list[str],
    trains: list[str],
) -> str:
    role = f" untuk jabatan {emp.role}" if emp.role else ""
    parts = [
        f"{_unit_name(problem, dest)} membutuhkan tambahan pegawai{role}: efektivitas "
        f"jabatan (EJ) di sana {_ej(to.get('ej_before'))}{_load(to.get('ej_before'))} "
        f"sebelum mutasi dan {_ej(to.get('ej_after'))} sesudahnya.",
        f"Di unit Anda sekarang, {_unit_name(problem, emp.unit)}, EJ "
        f"{_ej(frm.get('ej_before'))}{_load(frm.get('ej_before'))} menjadi "
        f"{_ej(frm.get('ej_after'))}.",
    ]
    if brought:
        parts.append(
            "Anda memiliki kompetensi yang dibutuhkan unit tujuan: " + ", ".join(brought) + "."
        )
    if rank is not None:
        parts.append(f"Unit ini adalah pilihan ke-{rank} Anda sendiri.")
    months = emp.months_in_unit
    if months is not None:
        years, rest = divmod(int(months), 12)
        span = f"{years} tahun {rest} bulan" if years else f"{rest} bulan"
        note = ""
        if months >= problem.policy.overdue_months:
            note = " (melewati batas masa kerja di satu unit untuk rotasi)"
        parts.append(f"Anda telah {span} bertugas di unit sekarang{note}.")
    if trains:
        parts.append(
            "Pelatihan yang ditawarkan agar Anda memenuhi syarat unit tujuan: "
            + ", ".join(trains)
            + " (kompetensi:tingkat)."
        )
    return " ".join(parts)


def _letter(
    problem: Problem, emp: Any, nip: str, dest: str, moved: bool, reason: str, respond: str
) -> str:
    who = emp.name or "Bapak/Ibu"
    if moved:
        head = (
            f"Dalam rancangan rencana mutasi, Saudara/i {who} (NIP {nip}) diusulkan pindah "
            f"dari {_unit_name(problem, emp.unit)} ke {_unit_name(problem, dest)}."
        )
    else:
        head = (
            f"Saudara/i {who} (NIP {nip}) telah mengajukan permohonan pindah ke "
            f"{', '.join(emp.preferred_units)}. Dalam rancangan rencana mutasi, Anda tetap di "
            f"{_unit_name(problem, emp.unit)}."
        )
    return "\n\n".join(
        [
            f"Kepada Yth. {who}",
            head,
            "Alasan: " + reason,
            respond,
            "Rancangan ini belum merupakan keputusan; keputusan akhir ditetapkan setelah "
            "tanggapan pegawai dipertimbangkan.",
        ]
    )
