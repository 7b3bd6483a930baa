"""Seeded generator of realistic, synthetic Kota-Binjai-like problems.

:func:`generate` builds a complete :class:`~mutasi_opt.domain.problem.Problem` of any
size — a handful of employees for unit tests up to 100,000 for benchmarks —
that looks like the staff list of an Indonesian city government:

* units: the OPDs of Kota Binjai (Sekretariat Daerah, Dinas Kesehatan,
  RSUD Dr. R.M. Djoelham, Satpol PP, ...), its 5 kecamatan, kelurahan
  offices, puskesmas and schools (SD/SMP Negeri); the number of kelurahan,
  puskesmas and schools grows with the number of employees;
* roles (jabatan) drawn from a profile per unit type, so that a unit only has
  demand for roles that belong there (guru at schools, perawat/bidan/dokter at
  puskesmas, RSUD and Dinas Kesehatan, pelaksana/analis/... at offices);
* workload (ABK hours) skewed per unit so that some units are clearly
  overloaded (EJ up to ~1.5) and others hold surplus staff (EJ down to ~0.5),
  plus a few vacant formasi (demand without staff);
* structured 18-digit NIPs, Indonesian names with academic titles, golongan,
  PPPK share, locked staff, months in unit, competencies, competency
  requirements (a few currently short), head-count bounds and preferences.

Only the OPD and kecamatan names are public facts of Kota Binjai; everything
else (people, NIPs, head counts, workloads, kelurahan/school/puskesmas
numbering) is invented.  The same arguments always give the same problem.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from . import metrics
from .domain.arrays import BoolArray, FloatArray, IntArray
from .domain.problem import Demand, Employee, Pair, Policy, Problem, Requirement, Unit
from .domain.values import Golongan, Nip

__all__ = [
    "COMPETENCIES",
    "KECAMATAN",
    "OPDS",
    "ROLES",
    "default_n_units",
    "generate",
]

log = logging.getLogger(__name__)


#: Year the synthetic data describe (ages, service and NIPs are relative to it).
REFERENCE_YEAR: Final = 2025

# ------------------------------------------------------------------ catalogue
#: Roles (jabatan) the generator uses.
ROLES: Final = (
    "guru",
    "perawat",
    "bidan",
    "dokter",
    "apoteker",
    "sanitarian",
    "pelaksana",
    "analis",
    "pengelola keuangan",
    "pranata komputer",
    "arsiparis",
    "polisi pamong praja",
    "pekerja sosial",
    "penyuluh pertanian",
    "teknik sipil",
    "penguji kendaraan",
    "pengendali dampak lingkungan",
)

#: Competency codes the generator uses.
COMPETENCIES: Final = (
    "vaksinasi",
    "triase",
    "manajemen_keuangan",
    "pengadaan",
    "ti",
    "arsip",
    "bimbingan_konseling",
)

#: Role mix (relative weights) per unit profile; a unit has demand only for
#: the roles of its profile.
_PROFILES: Final[dict[str, dict[str, float]]] = {
    "office": {
        "pelaksana": 50,
        "analis": 25,
        "pengelola keuangan": 12,
        "pranata komputer": 5,
        "arsiparis": 8,
    },
    "dinkes": {
        "pelaksana": 25,
        "analis": 15,
        "pengelola keuangan": 8,
        "pranata komputer": 4,
        "perawat": 15,
        "bidan": 10,
        "dokter": 8,
        "sanitarian": 8,
        "apoteker": 7,
    },
    "rsud": {
        "perawat": 45,
        "bidan": 8,
        "dokter": 12,
        "apoteker": 5,
        "pelaksana": 18,
        "analis": 4,
        "pengelola keuangan": 5,
        "pranata komputer": 3,
    },
    "pkm": {
        "perawat": 30,
        "bidan": 28,
        "dokter": 8,
        "apoteker": 5,
        "sanitarian": 5,
        "pelaksana": 18,
        "pengelola keuangan": 6,
    },
    "satpol": {"polisi pamong praja": 65, "pelaksana": 20, "analis": 8, "pengelola keuangan": 7},
    "dinsos": {"pekerja sosial": 35, "pelaksana": 35, "analis": 18, "pengelola keuangan": 12},
    "kominfo": {
        "pranata komputer": 35,
        "pelaksana": 30,
        "analis": 20,
        "pengelola keuangan": 8,
        "arsiparis": 7,
    },
    "teknik": {"teknik sipil": 30, "pelaksana": 40, "analis": 18, "pengelola keuangan": 12},
    "dishub": {"penguji kendaraan": 20, "pelaksana": 55, "analis": 15, "pengelola keuangan": 10},
    "pertanian": {
        "penyuluh pertanian": 40,
        "pelaksana": 35,
        "analis": 15,
        "pengelola keuangan": 10,
    },
    "dlh": {
        "pengendali dampak lingkungan": 15,
        "pelaksana": 62,
        "analis": 13,
        "pengelola keuangan": 10,
    },
    "kecamatan": {"pelaksana": 55, "analis": 25, "pengelola keuangan": 12, "arsiparis": 8},
    "kelurahan": {"pelaksana": 78, "analis": 12, "pengelola keuangan": 10},
    "sd": {"guru": 88, "pelaksana": 12},
    "smp": {"guru": 85, "pelaksana": 11, "pranata komputer": 4},
}


@dataclass(frozen=True)
class _Opd:
    unit: str
    name: str
    profile: str
    size: float  # expected head count in a city of ~5,000 ASN


#: The OPDs of Kota Binjai (names are public facts; sizes are invented), in
#: the order they are picked when a problem has fewer units than OPDs.
OPDS: Final = (
    _Opd("SETDA", "Sekretariat Daerah", "office", 90),
    _Opd("DINKES", "Dinas Kesehatan", "dinkes", 90),
    _Opd("RSUD", "RSUD Dr. R.M. Djoelham", "rsud", 420),
    _Opd("DISDIK", "Dinas Pendidikan", "office", 80),
    _Opd("SATPOLPP", "Satuan Polisi Pamong Praja", "satpol", 120),
    _Opd("BKPSDM", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "office", 40),
    _Opd("DINSOS", "Dinas Sosial", "dinsos", 40),
    _Opd("DISKOMINFO", "Dinas Komunikasi dan Informatika", "kominfo", 35),
    _Opd("DPUTR", "Dinas Pekerjaan Umum dan Tata Ruang", "teknik", 70),
    _Opd("BAPPERIDA", "Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah", "office", 35),
    _Opd("DISHUB", "Dinas Perhubungan", "dishub", 60),
    _Opd("DLH", "Dinas Lingkungan Hidup", "dlh", 100),
    _Opd("SETWAN", "Sekretariat DPRD", "office", 35),
    _Opd("DKPP", "Dinas Ketahanan Pangan dan Pertanian", "pertanian", 60),
    _Opd("DPERKIM", "Dinas Perumahan dan Kawasan Permukiman", "teknik", 40),
    _Opd("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "office", 30),
    _Opd("DISPERINDAG", "Dinas Perindustrian, Perdagangan dan Pasar", "office", 45),
    _Opd("DISKOP", "Dinas Koperasi", "office", 25),
    _Opd("DISPAR", "Dinas Pariwisata", "office", 25),
)

#: The 5 kecamatan of Kota Binjai (public fact) and the short id part of each.
KECAMATAN: Final = (
    ("Binjai Kota", "KOTA"),
    ("Binjai Utara", "UTARA"),
    ("Binjai Selatan", "SELATAN"),
    ("Binjai Timur", "TIMUR"),
    ("Binjai Barat", "BARAT"),
)

# Category order = order of units in the generated problem.
_CATEGORIES: Final = ("opd", "kec", "kel", "pkm", "sd", "smp")
# Units per category in a city of 5,000 ASN (scalable categories only).
_PER_5000: Final = {"kel": 37, "pkm": 8, "sd": 110, "smp": 14}
# Expected head count of one unit of a category (OPDs have their own).
_SIZE: Final = {"kec": 30.0, "kel": 8.0, "pkm": 45.0, "sd": 14.0, "smp": 50.0}
# The first units picked when a problem is small: health, schools and offices,
# with at least two units for the common roles so that moves are possible.
_HEAD: Final = (
    ("pkm", 0),
    ("pkm", 1),
    ("opd", 1),
    ("sd", 0),
    ("sd", 1),
    ("opd", 0),
    ("kec", 0),
    ("kel", 0),
    ("opd", 2),
    ("smp", 0),
    ("kel", 1),
    ("opd", 3),
)

# Share of women per role.
_FEMALE: Final = {
    "guru": 0.68,
    "perawat": 0.8,
    "bidan": 1.0,
    "dokter": 0.55,
    "apoteker": 0.7,
    "sanitarian": 0.55,
    "pelaksana": 0.4,
    "analis": 0.5,
    "pengelola keuangan": 0.6,
    "pranata komputer": 0.35,
    "arsiparis": 0.6,
    "polisi pamong praja": 0.15,
    "pekerja sosial": 0.55,
    "penyuluh pertanian": 0.3,
    "teknik sipil": 0.2,
    "penguji kendaraan": 0.1,
    "pengendali dampak lingkungan": 0.4,
}
# Relative chance of being PPPK per role (many PPPK are teachers and nurses).
_PPPK_WEIGHT: Final = {
    "guru": 2.2,
    "perawat": 1.6,
    "bidan": 1.6,
    "apoteker": 1.2,
    "sanitarian": 1.2,
    "dokter": 0.4,
    "pelaksana": 0.6,
}
# Starting golongan (order 0 = I/a) and the alternative start (e.g. D3 vs S1).
_RANK_START: Final = {
    "guru": (8, 8),
    "perawat": (6, 8),
    "bidan": (6, 6),
    "dokter": (9, 9),
    "apoteker": (9, 8),
    "sanitarian": (6, 8),
    "pelaksana": (4, 6),
    "analis": (8, 8),
    "pengelola keuangan": (6, 8),
    "pranata komputer": (6, 8),
    "arsiparis": (6, 8),
    "polisi pamong praja": (4, 5),
    "pekerja sosial": (8, 6),
    "penyuluh pertanian": (6, 8),
    "teknik sipil": (8, 8),
    "penguji kendaraan": (6, 5),
    "pengendali dampak lingkungan": (8, 8),
}
_RANK_CAP: Final = {"guru": 13, "dokter": 14, "pelaksana": 11, "polisi pamong praja": 11}
# Competencies per role: (code, share of holders).
_COMPETENCY_RULES: Final[dict[str, tuple[tuple[str, float], ...]]] = {
    "perawat": (("vaksinasi", 0.6), ("triase", 0.6)),
    "bidan": (("vaksinasi", 0.75), ("triase", 0.15)),
    "dokter": (("triase", 0.8), ("vaksinasi", 0.5)),
    "apoteker": (("vaksinasi", 0.1), ("pengadaan", 0.1)),
    "sanitarian": (("vaksinasi", 0.2),),
    "guru": (("ti", 0.25), ("bimbingan_konseling", 0.1)),
    "pelaksana": (("ti", 0.12), ("arsip", 0.2), ("pengadaan", 0.04), ("manajemen_keuangan", 0.06)),
    "analis": (("pengadaan", 0.25), ("manajemen_keuangan", 0.2), ("ti", 0.15)),
    "pengelola keuangan": (("manajemen_keuangan", 0.9), ("pengadaan", 0.3)),
    "pranata komputer": (("ti", 0.95),),
    "arsiparis": (("arsip", 0.9), ("ti", 0.2)),
    "teknik sipil": (("pengadaan", 0.3),),
    "pekerja sosial": (("manajemen_keuangan", 0.05),),
    "penyuluh pertanian": (("ti", 0.1),),
    "penguji kendaraan": (("ti", 0.1),),
    "pengendali dampak lingkungan": (("pengadaan", 0.1),),
}
_LEVEL_P: Final = (0.25, 0.3, 0.25, 0.15, 0.05)

# ---------------------------------------------------------------------- names
_MALE: Final = (
    "Ahmad",
    "Muhammad",
    "Budi",
    "Rudi",
    "Hendra",
    "Andi",
    "Rizky",
    "Fajar",
    "Dedi",
    "Agus",
    "Iwan",
    "Joko",
    "Bambang",
    "Hasan",
    "Irfan",
    "Reza",
    "Taufik",
    "Yusuf",
    "Arif",
    "Dani",
    "Eko",
    "Fikri",
    "Hadi",
    "Indra",
    "Ilham",
    "Junaidi",
    "Khairul",
    "Lukman",
    "Maulana",
    "Nanda",
    "Rahmat",
    "Ridwan",
    "Sahat",
    "Togar",
    "Marihot",
    "Benny",
    "Frans",
    "Darwin",
    "Johannes",
    "Roy",
    "Samuel",
    "Zulkifli",
    "Zainal",
    "Surya",
    "Wahyu",
    "Yudi",
    "Arman",
    "Bayu",
    "Syahrul",
    "Azhar",
)
_FEMALE_NAMES: Final = (
    "Siti",
    "Nur",
    "Dewi",
    "Sri",
    "Rina",
    "Yuni",
    "Fitri",
    "Ayu",
    "Intan",
    "Lestari",
    "Ratna",
    "Nurhayati",
    "Rahmawati",
    "Putri",
    "Wulandari",
    "Sartika",
    "Desi",
    "Eka",
    "Fauziah",
    "Hana",
    "Indah",
    "Juliana",
    "Kartika",
    "Lina",
    "Maya",
    "Nova",
    "Rosmawati",
    "Sari",
    "Tiurma",
    "Ulfa",
    "Vera",
    "Winda",
    "Yanti",
    "Zahra",
    "Marlina",
    "Erna",
    "Sumiati",
    "Ernawati",
    "Romauli",
    "Friska",
    "Elvi",
    "Novita",
    "Anisa",
    "Halimah",
    "Rohani",
)
_MALE_SECOND: Final = (
    "Syahputra",
    "Pratama",
    "Saputra",
    "Hidayat",
    "Ramadhan",
    "Kurniawan",
    "Firmansyah",
    "Setiawan",
    "Gunawan",
    "Wijaya",
    "Hakim",
    "Rizal",
)
_FEMALE_SECOND: Final = (
    "Sari",
    "Lestari",
    "Wati",
    "Ningsih",
    "Handayani",
    "Puspita",
    "Rahayu",
    "Amelia",
    "Safitri",
    "Utami",
    "Aminah",
    "Yanti",
)
_MARGA: Final = (
    "Siregar",
    "Nasution",
    "Lubis",
    "Harahap",
    "Sitepu",
    "Ginting",
    "Tarigan",
    "Sembiring",
    "Perangin-angin",
    "Simanjuntak",
    "Hutagalung",
    "Pane",
    "Pohan",
    "Daulay",
    "Sinaga",
    "Simatupang",
    "Manurung",
    "Situmorang",
    "Purba",
    "Saragih",
    "Sitorus",
    "Pardede",
    "Hasibuan",
    "Rangkuti",
    "Batubara",
    "Damanik",
    "Surbakti",
    "Barus",
    "Karokaro",
    "Bangun",
)
# Academic titles per role: (prefix, suffix, weight); "" = none.
_TITLES: Final[dict[str, tuple[tuple[str, str, float], ...]]] = {
    "guru": (("", "S.Pd.", 0.8), ("", "M.Pd.", 0.1), ("", "", 0.1)),
    "perawat": (("", "S.Kep., Ns.", 0.45), ("", "A.Md.Kep.", 0.5), ("", "", 0.05)),
    "bidan": (("", "A.Md.Keb.", 0.6), ("", "S.Tr.Keb.", 0.3), ("", "", 0.1)),
    "dokter": (("dr. ", "", 0.85), ("dr. ", "Sp.PD", 0.05), ("drg. ", "", 0.1)),
    "apoteker": (("apt. ", "S.Farm.", 1.0),),
    "sanitarian": (("", "S.KM.", 0.5), ("", "A.Md.KL.", 0.5)),
    "pelaksana": (("", "", 0.65), ("", "S.E.", 0.12), ("", "S.H.", 0.08), ("", "S.Sos.", 0.15)),
    "analis": (("", "S.E.", 0.3), ("", "S.Sos.", 0.3), ("", "S.AP.", 0.2), ("", "M.Si.", 0.2)),
    "pengelola keuangan": (("", "S.E.", 0.6), ("", "S.Ak.", 0.3), ("", "A.Md.", 0.1)),
    "pranata komputer": (("", "S.Kom.", 0.6), ("", "A.Md.Kom.", 0.4)),
    "arsiparis": (("", "A.Md.", 0.5), ("", "S.I.P.", 0.3), ("", "", 0.2)),
    "polisi pamong praja": (("", "", 0.8), ("", "S.H.", 0.2)),
    "pekerja sosial": (("", "S.Sos.", 0.9), ("", "", 0.1)),
    "penyuluh pertanian": (("", "S.P.", 0.8), ("", "A.Md.", 0.2)),
    "teknik sipil": (("", "S.T.", 0.8), ("", "M.T.", 0.2)),
    "penguji kendaraan": (("", "", 0.6), ("", "A.Md.", 0.4)),
    "pengendali dampak lingkungan": (("", "S.Si.", 0.5), ("", "S.T.", 0.5)),
}

# Competency requirements: per category or OPD id, (competency, min_level, min_staff).
_REQUIREMENTS: Final[dict[str, tuple[tuple[str, int, int], ...]]] = {
    "pkm": (("vaksinasi", 2, 2),),
    "kec": (("manajemen_keuangan", 2, 1),),
    "smp": (("bimbingan_konseling", 2, 1),),
    "DINKES": (("vaksinasi", 3, 1), ("pengadaan", 1, 1)),
    "SETDA": (("pengadaan", 1, 2), ("manajemen_keuangan", 3, 1)),
    "SETWAN": (("arsip", 2, 1),),
    "DISDIK": (("pengadaan", 1, 1),),
    "DPUTR": (("pengadaan", 1, 1),),
    "DPERKIM": (("pengadaan", 1, 1),),
    "DLH": (("pengadaan", 1, 1),),
    "DISHUB": (("pengadaan", 1, 1),),
    "DISKOMINFO": (("ti", 3, 2),),
    "BKPSDM": (("ti", 2, 1),),
}

_ROLE_POS: Final = {r: i for i, r in enumerate(ROLES)}
_COMP_POS: Final = {c: i for i, c in enumerate(COMPETENCIES)}
_GOLONGAN: Final = tuple(Golongan)


# ---------------------------------------------------------------- unit plan
def _round(x: float) -> int:
    """Round half up to a whole number."""
    return math.floor(x + 0.5)


def _natural_counts(n_employees: int) -> dict[str, int]:
    scale = n_employees / 5000
    counts = {"opd": len(OPDS), "kec": len(KECAMATAN)}
    for cat, per in _PER_5000.items():
        counts[cat] = _round(per * scale)
    return counts


def default_n_units(n_employees: int) -> int:
    """Number of units :func:`generate` uses when ``n_units`` is not given.

    The city's natural composition (19 OPDs, 5 kecamatan, and kelurahan,
    puskesmas and schools in proportion to ``n_employees``; 193 units for
    5,000 employees), but at most one unit per 6 employees (at least 3) so
    that small test problems stay small.
    """
    natural = sum(_natural_counts(n_employees).values())
    return max(1, min(natural, max(3, n_employees // 6)))


def _largest_remainder(total: int, weights: dict[str, float]) -> dict[str, int]:
    wsum = sum(weights.values())
    exact = {k: total * w / wsum for k, w in weights.items()}
    out = {k: math.floor(v) for k, v in exact.items()}
    rest = total - sum(out.values())
    for k in sorted(exact, key=lambda k: (out[k] - exact[k], list(weights).index(k)))[:rest]:
        out[k] += 1
    return out


def _unit_plan(n_employees: int, n_units: int) -> dict[str, list[int]]:
    """Ordinals per category of the units to generate."""
    natural = _natural_counts(n_employees)
    total = sum(natural.values())
    if n_units >= total:
        fixed = natural["opd"] + natural["kec"]
        scal = _largest_remainder(n_units - fixed, {k: float(v) for k, v in _PER_5000.items()})
        counts = {"opd": natural["opd"], "kec": natural["kec"], **scal}
        return {cat: list(range(counts[cat])) for cat in _CATEGORIES}
    order: list[tuple[str, int]] = list(_HEAD)
    taken = {cat: 0 for cat in _CATEGORIES}
    for cat, _ in _HEAD:
        taken[cat] += 1
    rest: list[tuple[float, int, str, int]] = []
    for ci, cat in enumerate(_CATEGORIES):
        n = natural[cat]
        opd_head = sorted(i for c, i in _HEAD if c == "opd")
        ordinals = (
            [i for i in range(n) if i not in opd_head]
            if cat == "opd"
            else list(range(taken[cat], max(n, taken[cat])))
        )
        for i in ordinals:
            rest.append(((i + 0.5) / max(n, 1), ci, cat, i))
    order.extend((cat, i) for _, _, cat, i in sorted(rest))
    chosen: dict[str, list[int]] = {cat: [] for cat in _CATEGORIES}
    for cat, i in order[:n_units]:
        chosen[cat].append(i)
    return {cat: sorted(v) for cat, v in chosen.items()}


@dataclass(frozen=True)
class _UnitRow:
    unit: str
    name: str
    category: str
    profile: str
    size: float
    area: str = ""  # the kecamatan the unit lies in (kecamatan, kelurahan, puskesmas)


def _build_units(plan: dict[str, list[int]]) -> list[_UnitRow]:
    rows: list[_UnitRow] = []
    for i in plan["opd"]:
        o = OPDS[i]
        rows.append(_UnitRow(o.unit, o.name, "opd", o.profile, o.size))
    for i in plan["kec"]:
        name, short = KECAMATAN[i]
        rows.append(
            _UnitRow(
                f"KEC-BINJAI-{short}", f"Kecamatan {name}", "kec", "kecamatan", _SIZE["kec"], name
            )
        )
    for i in plan["kel"]:
        name, short = KECAMATAN[i % len(KECAMATAN)]
        j = i // len(KECAMATAN) + 1
        rows.append(
            _UnitRow(
                f"KEL-{short}-{j:02d}",
                f"Kelurahan {j:02d}, Kec. {name}",
                "kel",
                "kelurahan",
                _SIZE["kel"],
                name,
            )
        )
    for i in plan["pkm"]:
        name, short = KECAMATAN[i % len(KECAMATAN)]
        j = i // len(KECAMATAN) + 1
        uid = f"PKM-BINJAI-{short}" if j == 1 else f"PKM-BINJAI-{short}-{j}"
        label = f"UPT Puskesmas {name}" if j == 1 else f"UPT Puskesmas {name} {j}"
        rows.append(_UnitRow(uid, label, "pkm", "pkm", _SIZE["pkm"], name))
    for i in plan["sd"]:
        rows.append(
            _UnitRow(
                f"SDN-{i + 1:03d}", f"UPT SD Negeri {i + 1:03d} Binjai", "sd", "sd", _SIZE["sd"]
            )
        )
    for i in plan["smp"]:
        rows.append(
            _UnitRow(
                f"SMPN-{i + 1:02d}", f"UPT SMP Negeri {i + 1} Binjai", "smp", "smp", _SIZE["smp"]
            )
        )
    return rows


# ------------------------------------------------------------------ helpers
def _weighted_pick(rng: np.random.Generator, weights: FloatArray, k: int) -> IntArray:
    """``k`` distinct positions drawn with probability proportional to ``weights``."""
    n = len(weights)
    k = min(k, n)
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    p = weights / weights.sum()
    return np.sort(rng.choice(n, size=k, replace=False, p=p)).astype(np.int64)


def _choose_from(
    rng: np.random.Generator, options: Sequence[Any], weights: Sequence[float], size: int
) -> IntArray:
    p = np.asarray(weights, dtype=np.float64)
    return rng.choice(len(options), size=size, p=p / p.sum()).astype(np.int64)


def _dates(years: IntArray, day_of_year: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """(year, month, day) of ``day_of_year`` (0-based) in ``years``."""
    d = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]") + day_of_year
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m_start = d.astype("datetime64[M]")
    m = m_start.astype(np.int64) % 12 + 1
    day = (d - m_start.astype("datetime64[D]")).astype(np.int64) + 1
    return y, m, day


# ------------------------------------------------------------------ generate
def generate(
    n_employees: int = 5000,
    n_units: int | None = None,
    seed: int = 0,
    *,
    max_moves: int | None = None,
    policy: Policy | None = None,
    pppk_share: float = 0.15,
    locked_share: float = 0.03,
    preference_share: float = 0.15,
    refusal_share: float = 0.05,
    pairs: int = 0,
) -> Problem:
    """Generate a realistic synthetic Kota-Binjai-like problem.

    Parameters
    ----------
    n_employees
        Number of employees (at least 1).
    n_units
        Number of units; default :func:`default_n_units` of ``n_employees``
        (193 for 5,000 employees).  More units than the city's natural
        composition adds kelurahan, puskesmas and schools.
    seed
        Seed of :func:`numpy.random.default_rng`; the same arguments always
        give the same problem.
    max_moves
        Policy ``max_moves`` (``None`` = unlimited).
    policy
        Base policy (default: all defaults); ``max_moves``, when given,
        replaces its ``max_moves``.
    pppk_share, locked_share
        Share of PPPK and of locked employees (rounded to whole employees).
    preference_share, refusal_share
        Share of employees listing 1-3 preferred units, and 1-2 refused units.
    pairs
        Number of pairs (``Problem.pairs``): about two couples kept together for
        each pair of relatives kept apart, drawn among staff the rules keep in
        place (locked, PPPK, under the tenure minimum), so that they shape no plan;
        from a random stream of their own (the rest of the problem does not change).

    Birth dates are those the NIPs encode; units of a kecamatan (its office,
    kelurahan and puskesmas) have it as their ``area``.

    Returns
    -------
    Problem
        Employees, units, demand (ABK hours per unit and role),
        competency requirements and the policy.

    Raises
    ------
    ValueError
        When a count or share is out of range.
    """
    if n_employees < 1:
        raise ValueError("n_employees must be at least 1")
    if n_units is not None and n_units < 1:
        raise ValueError("n_units must be at least 1")
    for what, share in (
        ("pppk_share", pppk_share),
        ("locked_share", locked_share),
        ("preference_share", preference_share),
        ("refusal_share", refusal_share),
    ):
        if not 0 <= share <= 1:
            raise ValueError(f"{what} must be between 0 and 1")
    base = policy if policy is not None else Policy()
    if max_moves is not None:
        base = base.replace(max_moves=max_moves)
    n_u = default_n_units(n_employees) if n_units is None else n_units
    rng = np.random.default_rng(seed)
    n = n_employees
    eff = float(base.effective_hours)

    # ---- units and head counts
    units = _build_units(_unit_plan(n, n_u))
    n_u = len(units)
    size = np.array([u.size for u in units]) * rng.lognormal(0.0, 0.3, size=n_u)
    counts = rng.multinomial(n, size / size.sum())
    home = np.repeat(np.arange(n_u, dtype=np.int64), counts)

    # ---- roles by unit profile
    role = np.zeros(n, dtype=np.int64)
    unit_profile = [u.profile for u in units]
    for prof in sorted(_PROFILES):
        mix = _PROFILES[prof]
        in_units = np.array([p == prof for p in unit_profile], dtype=np.bool_)
        members = np.flatnonzero(in_units[home])
        if not len(members):
            continue
        names = list(mix)
        picks = _choose_from(rng, names, list(mix.values()), len(members))
        role[members] = np.array([_ROLE_POS[r] for r in names], dtype=np.int64)[picks]
    role_name = np.array(ROLES, dtype=object)

    # ---- fte, PPPK, locked, gender
    fte = np.where(rng.random(n) < 0.05, 0.5, 1.0)
    pppk_w = np.array([_PPPK_WEIGHT.get(r, 0.4) for r in ROLES])[role]
    pppk = np.zeros(n, dtype=np.bool_)
    pppk[_weighted_pick(rng, pppk_w, _round(pppk_share * n))] = True
    locked = np.zeros(n, dtype=np.bool_)
    locked[_weighted_pick(rng, np.ones(n), _round(locked_share * n))] = True
    female = rng.random(n) < np.array([_FEMALE[r] for r in ROLES])[role]

    # ---- ages, birth dates, start (CPNS / PPPK appointment) dates
    age = 22 + np.floor(37 * rng.beta(1.7, 1.4, size=n)).astype(np.int64)
    age = np.minimum(age, 58)
    birth_year = REFERENCE_YEAR - age
    by, bm, bd = _dates(birth_year, rng.integers(0, 365, size=n))
    start_age = 20 + np.floor(16 * rng.beta(1.5, 3.0, size=n)).astype(np.int64)
    start_age += np.where(role == _ROLE_POS["dokter"], 3, 0)
    start_year = by + np.clip(start_age, 18, age)
    pppk_year = np.maximum(rng.integers(2019, REFERENCE_YEAR + 1, size=n), by + 20)
    start_year = np.where(pppk, np.minimum(pppk_year, REFERENCE_YEAR), start_year)
    start_month = 1 + _choose_from(rng, range(12), [4, 1, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2], n)
    service_months = (REFERENCE_YEAR - start_year) * 12 + (12 - start_month)

    # ---- NIP: YYYYMMDD YYYYMM G SSS, unique
    prefix = ((by * 10_000 + bm * 100 + bd) * 1_000_000 + start_year * 100 + start_month) * 10
    prefix = prefix + np.where(female, 2, 1)
    order = np.argsort(prefix, kind="stable")
    sp = prefix[order]
    new_group = np.r_[True, sp[1:] != sp[:-1]]
    group_id = np.cumsum(new_group) - 1
    group_start = np.flatnonzero(new_group)
    offset = rng.integers(0, 40, size=len(group_start))
    seq = np.empty(n, dtype=np.int64)
    seq[order] = 1 + offset[group_id] + (np.arange(n) - group_start[group_id])
    nip_num = prefix * 1000 + np.minimum(seq, 999)
    if len(np.unique(nip_num)) != n:  # pragma: no cover - needs > 950 identical prefixes
        raise RuntimeError("could not make unique NIPs")
    nips = [Nip(f"{x:018d}") for x in nip_num.tolist()]

    # ---- golongan (PPPK have no PNS golongan)
    start_rank = np.array([_RANK_START[r] for r in ROLES])  # [R, 2]
    alt = rng.integers(0, 2, size=n)
    rank_pos = start_rank[role, alt] + (REFERENCE_YEAR - start_year) // 5
    cap = np.array([_RANK_CAP.get(r, 12) for r in ROLES])[role]
    rank_pos = np.clip(np.minimum(rank_pos, cap), 0, len(_GOLONGAN) - 1)

    # ---- months in unit (a few unknown = long enough)
    months = np.floor(rng.gamma(2.0, 24.0, size=n)).astype(np.int64)
    months = np.clip(np.minimum(months, service_months), 0, 120)
    months_unknown = rng.random(n) < 0.02

    # ---- competencies: level matrix [E, K]
    levels = np.zeros((n, len(COMPETENCIES)), dtype=np.int64)
    for rname, rules in _COMPETENCY_RULES.items():
        members = np.flatnonzero(role == _ROLE_POS[rname])
        for code, share in rules:
            has = members[rng.random(len(members)) < share]
            levels[has, _COMP_POS[code]] = 1 + _choose_from(rng, range(5), _LEVEL_P, len(has))

    # ---- demand: skewed load factor per unit, workload = capacity × factor
    n_r = len(ROLES)
    cap_e = np.rint(fte * eff)
    cap_ur = np.bincount(home * n_r + role, weights=cap_e, minlength=n_u * n_r).reshape(n_u, n_r)
    load = np.clip(rng.normal(1.0, 0.06, size=n_u), 0.88, 1.12)
    if n_u >= 2:
        perm = rng.permutation(n_u)
        k = max(1, _round(0.25 * n_u))
        load[perm[:k]] = rng.uniform(1.15, 1.5, size=k)
        load[perm[k : 2 * k]] = rng.uniform(0.5, 0.8, size=len(perm[k : 2 * k]))
    work = np.rint(cap_ur * load[:, None] * rng.lognormal(0.0, 0.06, size=(n_u, n_r)))
    work = np.where(cap_ur > 0, np.maximum(work, 1.0), 0.0)
    role_present = np.bincount(role, minlength=n_r) > 0
    belongs = np.zeros((n_u, n_r), dtype=np.bool_)
    main_role = np.zeros((n_u, n_r), dtype=np.bool_)
    for ui, u in enumerate(units):
        for rname, w in _PROFILES[u.profile].items():
            belongs[ui, _ROLE_POS[rname]] = True
            main_role[ui, _ROLE_POS[rname]] = w >= 8
    vacant = main_role & (cap_ur == 0) & role_present[None, :]
    vacant &= rng.random((n_u, n_r)) < 0.35
    work = np.where(vacant, np.rint(eff * rng.uniform(0.4, 1.0, size=(n_u, n_r))), work)
    has_demand = (cap_ur > 0) | vacant
    assert bool(np.all(belongs[has_demand]))

    # ---- competency requirements; make a few currently short
    head = np.bincount(home, minlength=n_u)
    req_rows: list[tuple[int, str, int, int]] = []
    for ui, u in enumerate(units):
        if head[ui] < 2:
            continue
        unit_rules = _REQUIREMENTS.get(u.unit if u.category == "opd" else u.category, ())
        for code, lvl, need in unit_rules:
            # Small units (only in small problems) need fewer qualified staff.
            req_rows.append((ui, code, lvl, min(need, max(1, int(head[ui]) // 5))))
        if u.unit == "RSUD":
            req_rows.append((ui, "triase", 3, max(2, int(0.04 * head[ui] + 0.5))))
    requirements: list[Requirement] = []
    if req_rows:
        n_short = max(1, _round(0.12 * len(req_rows)))
        short = set(rng.permutation(len(req_rows))[:n_short].tolist())
        for qi, (ui, code, lvl, need) in enumerate(req_rows):
            at_unit = np.flatnonzero(home == ui)
            qual = at_unit[levels[at_unit, _COMP_POS[code]] >= lvl]
            if qi in short and len(qual) >= need:
                # Downgrade some holders so that at most need - 1 qualify.
                keep = int(rng.integers(0, need))
                drop = rng.permutation(qual)[keep:]
                levels[drop, _COMP_POS[code]] = lvl - 1
            requirements.append(
                Requirement(unit=units[ui].unit, competency=code, min_level=lvl, min_staff=need)
            )

    # ---- head-count bounds on a few units (the current state satisfies them)
    bounds: dict[int, tuple[int | None, int | None]] = {}
    big = np.flatnonzero(head >= 3)
    if n_u >= 3 and len(big):
        k = max(1, _round(0.05 * n_u))
        for ui in np.sort(rng.permutation(big)[:k]).tolist():
            if rng.random() < 0.5:
                bounds[ui] = (max(1, int(head[ui]) - int(rng.integers(0, 3))), None)
            else:
                bounds[ui] = (None, int(head[ui]) + int(rng.integers(0, 4)))

    # ---- refused and preferred units
    cands = [np.flatnonzero(has_demand[:, r]) for r in range(n_r)]
    refused: dict[int, tuple[int, ...]] = {}
    preferred: dict[int, tuple[int, ...]] = {}
    ref_pick = _weighted_pick(rng, np.ones(n), _round(refusal_share * n))
    for e in ref_pick.tolist():
        c = cands[role[e]]
        c = c[c != home[e]]
        if len(c):
            k = min(len(c), 1 + int(rng.random() < 0.3))
            refused[e] = tuple(sorted(rng.choice(c, size=k, replace=False).tolist()))
    pref_pick = _weighted_pick(rng, np.ones(n), _round(preference_share * n))
    n_pref = 1 + _choose_from(rng, range(3), (0.5, 0.3, 0.2), len(pref_pick))
    for e, k in zip(pref_pick.tolist(), n_pref.tolist(), strict=True):
        c = cands[role[e]]
        c = c[(c != home[e]) & ~np.isin(c, refused.get(e, ()))]
        if len(c):
            picks = rng.choice(c, size=min(len(c), k), replace=False)
            preferred[e] = tuple(picks.tolist())

    # ---- names
    names = _names(rng, role, female)

    # ---- models
    unit_ids = [u.unit for u in units]
    model_units = tuple(
        Unit(
            unit=u.unit,
            name=u.name,
            min_staff=bounds.get(i, (None, None))[0],
            max_staff=bounds.get(i, (None, None))[1],
            area=u.area,
        )
        for i, u in enumerate(units)
    )
    demand = tuple(
        Demand(unit=unit_ids[ui], role=ROLES[ri], workload_hours=float(work[ui, ri]))
        for ui, ri in zip(*np.nonzero(has_demand), strict=True)
    )
    comp_lists = _competency_tuples(levels)
    role_list = role_name[role].tolist()
    home_list = home.tolist()
    fte_list = fte.tolist()
    rank_list = [
        None if p else _GOLONGAN[g] for p, g in zip(pppk.tolist(), rank_pos.tolist(), strict=True)
    ]
    type_list = ["PPPK" if p else "PNS" for p in pppk.tolist()]
    month_list = [
        None if unk else m for unk, m in zip(months_unknown.tolist(), months.tolist(), strict=True)
    ]
    locked_list = locked.tolist()
    # Every value below is already exactly what validation would produce
    # (Nip, Golongan, sorted competency pairs, tuples of unit ids), so the
    # employees are built without re-validation; Problem still cross-checks.
    employees = tuple(
        Employee._trusted_many(
            (
                "nip",
                "name",
                "unit",
                "role",
                "fte",
                "rank",
                "employment_type",
                "competencies",
                "months_in_unit",
                "locked",
                "refused_units",
                "preferred_units",
                "birth_date",
            ),
            (
                nips,
                names,
                [unit_ids[u] for u in home_list],
                role_list,
                fte_list,
                rank_list,
                type_list,
                comp_lists,
                month_list,
                locked_list,
                [tuple(unit_ids[u] for u in refused.get(e, ())) for e in range(n)],
                [tuple(unit_ids[u] for u in preferred.get(e, ())) for e in range(n)],
                [nip.birth_date for nip in nips],
            ),
        )
    )
    log.info("generated %d employees in %d units (seed %d)", n, n_u, seed)
    problem = Problem(
        employees=employees,
        units=model_units,
        demand=demand,
        requirements=tuple(requirements),
        policy=base,
    )
    if pairs:
        problem = problem.replace(pairs=_pairs(problem, pairs, seed))
    return problem


def _pairs(problem: Problem, count: int, seed: int) -> tuple[Pair, ...]:
    """``count`` pairs among staff who may not be moved: couples (two of three) in
    one unit or area, relatives (the others) in two units; a stream of their own."""
    rng = np.random.default_rng([seed, 16])
    stay = np.flatnonzero(~metrics.movable(problem))
    idx = problem.index
    area = [u.area or u.unit for u in problem.units]
    by_area: dict[str, list[int]] = {}
    for e in stay.tolist():
        by_area.setdefault(area[int(idx.home[e])], []).append(e)
    used: set[int] = set()
    out: list[Pair] = []
    order = rng.permutation(stay).tolist()
    for e in order:
        if len(out) >= count:
            break
        if e in used:
            continue
        together = len(out) % 3 != 2
        here = area[int(idx.home[e])]
        pool = [
            f
            for f in (by_area[here] if together else order)
            if f != e and f not in used and (together or area[int(idx.home[f])] != here)
        ]
        if not pool:
            continue
        f = pool[int(rng.integers(len(pool)))]
        used |= {e, f}
        kind = "together" if together else "separate"
        out.append(Pair(nip_a=idx.nips[e], nip_b=idx.nips[f], kind=kind))
    return tuple(out)


def _competency_tuples(levels: IntArray) -> list[tuple[tuple[str, int], ...]]:
    """Per employee, ``((code, level), ...)`` sorted by code (as the model stores it)."""
    order = np.argsort(np.array(COMPETENCIES, dtype=object))
    out: list[list[tuple[str, int]]] = [[] for _ in range(levels.shape[0])]
    for k in order.tolist():
        code = COMPETENCIES[k]
        col = levels[:, k]
        for e in np.flatnonzero(col).tolist():
            out[e].append((code, int(col[e])))
    return [tuple(x) for x in out]


def _names(rng: np.random.Generator, role: IntArray, female: BoolArray) -> list[str]:
    """Indonesian names (North Sumatra mix) with academic titles by role."""
    n = len(role)
    first_m = rng.integers(0, len(_MALE), size=n).tolist()
    first_f = rng.integers(0, len(_FEMALE_NAMES), size=n).tolist()
    second_m = rng.integers(0, len(_MALE_SECOND), size=n).tolist()
    second_f = rng.integers(0, len(_FEMALE_SECOND), size=n).tolist()
    marga = rng.integers(0, len(_MARGA), size=n).tolist()
    pattern = _choose_from(rng, range(3), (0.45, 0.35, 0.2), n).tolist()  # marga/second/both
    title_u = rng.random(n)
    title = np.zeros(n, dtype=np.int64)
    for rname, opts in _TITLES.items():
        members = np.flatnonzero(role == _ROLE_POS[rname])
        cum = np.cumsum([w for _, _, w in opts])
        pick = np.searchsorted(cum / cum[-1], title_u[members], side="right")
        title[members] = np.minimum(pick, len(opts) - 1)
    out: list[str] = []
    for e, (r, fem, t) in enumerate(
        zip(role.tolist(), female.tolist(), title.tolist(), strict=True)
    ):
        if fem:
            first, second = _FEMALE_NAMES[first_f[e]], _FEMALE_SECOND[second_f[e]]
        else:
            first, second = _MALE[first_m[e]], _MALE_SECOND[second_m[e]]
        parts = [first]
        if pattern[e] in (1, 2) and second != first:
            parts.append(second)
        if pattern[e] in (0, 2):
            parts.append(_MARGA[marga[e]])
        prefix, suffix, _ = _TITLES[ROLES[r]][t]
        name = prefix + " ".join(parts)
        out.append(f"{name}, {suffix}" if suffix else name)
    return out
