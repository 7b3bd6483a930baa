"""The tables of a data folder: their models, columns and accepted column names.

Column names are matched after
:func:`~mutasi_opt.domain.headers.normalise_header` (the one header normaliser):
case, surrounding space and separators do not matter, so ``Unit Kerja``,
``UNIT_KERJA`` and ``unit-kerja`` are the same column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..domain.headers import normalise_header
from ..domain.problem import EMPLOYMENT_TYPES, Demand, Employee, Pair, Requirement, Surge, Unit
from ..domain.responses import Response

__all__ = [
    "FOREIGN_NAMES",
    "RESPONSES",
    "SURGES",
    "TABLES",
    "TableSpec",
    "camel_key",
    "looks_like",
    "named_like",
    "normalise_header",
]

_UNIT = ("unit_kerja", "kode_unit", "id_unit", "satuan_kerja", "satker", "opd", "unit_organisasi")
_ROLE = ("jabatan", "nama_jabatan")
_WORKLOAD = ("beban_kerja", "beban_kerja_jam", "jam_beban_kerja", "workload")


@dataclass(frozen=True)
class TableSpec:
    """One table of the data folder.

    Attributes
    ----------
    name
        Table name (``employees``), also the file stem.
    model
        The pydantic model of one row.
    aliases
        Canonical column → other accepted names (already normalised).
    required_file
        Whether the folder must contain the table.
    numeric
        Columns that hold numbers (a decimal comma is accepted in ``;`` files).
    """

    name: str
    model: (
        type[Employee]
        | type[Unit]
        | type[Demand]
        | type[Requirement]
        | type[Surge]
        | type[Pair]
        | type[Response]
    )
    aliases: dict[str, tuple[str, ...]]
    required_file: bool
    numeric: frozenset[str]

    @property
    def columns(self) -> tuple[str, ...]:
        """Canonical column names in model order."""
        return tuple(self.model.model_fields)

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Columns without a default."""
        return tuple(n for n, f in self.model.model_fields.items() if f.is_required())

    def accepted(self, column: str) -> tuple[str, ...]:
        """Every accepted name of canonical ``column``."""
        return (column, *self.aliases.get(column, ()))

    def lookup(self) -> dict[str, str]:
        """Normalised accepted name → canonical column."""
        out: dict[str, str] = {}
        for column in self.columns:
            for name in self.accepted(column):
                out[normalise_header(name)] = column
        return out


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            name="employees",
            model=Employee,
            aliases={
                "nip": ("nip_baru", "no_induk", "nomor_induk_pegawai"),
                "name": ("nama", "nama_pegawai", "nama_lengkap"),
                "unit": _UNIT,
                "role": _ROLE,
                "fte": ("fte_pegawai",),
                "rank": ("golongan", "golongan_ruang", "pangkat_golongan", "gol", "gol_ruang"),
                "employment_type": (
                    "jenis_pegawai",
                    "status_kepegawaian",
                    "status_pegawai",
                    "jenis_asn",
                    "type",
                ),
                "competencies": ("kompetensi",),
                "months_in_unit": ("masa_kerja_unit", "lama_di_unit", "bulan_di_unit"),
                "locked": ("dikunci", "terkunci", "kunci"),
                "refused_units": ("unit_ditolak", "menolak_unit"),
                "preferred_units": ("unit_pilihan", "unit_diminati", "preferensi_unit"),
                "birth_date": ("tanggal_lahir", "tgl_lahir", "tgllahir"),
                "retirement_age": ("bup", "batas_usia_pensiun", "bup_pensiun", "buppensiun"),
                "inactive": ("tidak_aktif", "status_tidak_aktif"),
                "priority": ("prioritas", "poin_prioritas"),
            },
            required_file=True,
            numeric=frozenset({"fte", "months_in_unit", "retirement_age", "priority"}),
        ),
        TableSpec(
            name="units",
            model=Unit,
            aliases={
                "unit": _UNIT,
                "name": ("nama", "nama_unit", "nama_unit_kerja"),
                "workload_hours": _WORKLOAD,
                "min_staff": ("minimal_pegawai", "min_pegawai", "jumlah_minimal"),
                "max_staff": ("maksimal_pegawai", "max_pegawai", "jumlah_maksimal"),
                "area": ("wilayah", "kecamatan"),
            },
            required_file=True,
            numeric=frozenset({"workload_hours", "min_staff", "max_staff"}),
        ),
        TableSpec(
            name="demand",
            model=Demand,
            aliases={"unit": _UNIT, "role": _ROLE, "workload_hours": _WORKLOAD},
            required_file=False,
            numeric=frozenset({"workload_hours"}),
        ),
        TableSpec(
            name="requirements",
            model=Requirement,
            aliases={
                "unit": _UNIT,
                "competency": ("kompetensi", "kode_kompetensi"),
                "min_level": ("level_minimal", "tingkat_minimal", "min_tingkat"),
                "min_staff": ("jumlah_minimal", "min_pegawai", "minimal_pegawai"),
            },
            required_file=False,
            numeric=frozenset({"min_level", "min_staff"}),
        ),
        TableSpec(
            name="pairs",
            model=Pair,
            aliases={
                "nip_a": ("nip_1", "nip", "nip_pegawai"),
                "nip_b": ("nip_2", "nip_pasangan", "nip_kerabat", "nip_lain"),
                "kind": ("jenis", "jenis_pasangan", "hubungan"),
            },
            required_file=False,
            numeric=frozenset(),
        ),
    )
}


#: ``surges.csv`` (temporary needs; given to ``mutasi-opt surge --surges FILE``)
SURGES = TableSpec(
    name="surges",
    model=Surge,
    aliases={
        "surge": ("id", "kode", "kode_lonjakan", "lonjakan", "kegiatan"),
        "unit": _UNIT,
        "role": _ROLE,
        "competency": ("kompetensi", "kode_kompetensi"),
        "min_level": ("level_minimal", "tingkat_minimal", "min_tingkat"),
        "start": ("mulai", "bulan_mulai"),
        "end": ("selesai", "bulan_selesai", "akhir"),
        "extra_fte": ("tambahan_fte", "fte_tambahan", "kebutuhan_fte"),
    },
    required_file=False,
    numeric=frozenset({"min_level", "extra_fte"}),
)


#: ``responses.csv`` (answers to a draft; given to ``mutasi-opt replan --responses FILE``)
RESPONSES = TableSpec(
    name="responses",
    model=Response,
    aliases={
        "nip": ("nip_baru", "no_induk", "nomor_induk_pegawai"),
        "response": ("tanggapan", "jawaban", "respon"),
        "units": ("unit", "unit_kerja", "unit_pilihan", "unit_ditolak"),
        "reason": ("alasan", "keterangan", "catatan"),
    },
    required_file=False,
    numeric=frozenset(),
)


# ------------------------------------------------------------- look-alikes
#: Column names of other systems' exports (SIASN, SIMPEG) → the column they hold;
#: normalised (:func:`normalise_header` after splitting ``camelCase``).
FOREIGN_NAMES: dict[str, str] = {
    "nip_baru": "nip",
    "unor_nama": "unit",
    "unor_id": "unit",
    "unor_induk_nama": "unit",
    "satuan_kerja_nama": "unit",
    "jabatan_nama": "role",
    "jabatan_fungsional_nama": "role",
    "gol_ruang_akhir": "rank",
    "gol_ruang_akhir_nama": "rank",
    "golongan_akhir": "rank",
    "golongan_nama": "rank",
    "jenis_pegawai_nama": "employment_type",
    "kedudukan_hukum": "employment_type",
    "kedudukan_hukum_nama": "employment_type",
    "status_asn": "employment_type",
    "status_cpns_pns": "employment_type",
}

#: A word in a column name → the column it suggests (``unorNama`` → unit).
_WORDS: dict[str, str] = {
    "nip": "nip",
    "unor": "unit",
    "unit": "unit",
    "opd": "unit",
    "satker": "unit",
    "skpd": "unit",
    "jabatan": "role",
    "golongan": "rank",
    "gol": "rank",
    "pangkat": "rank",
    "kompetensi": "competencies",
    "fte": "fte",
    "kunci": "locked",
    "dikunci": "locked",
}
_STATUS = {"status", "jenis", "kedudukan"}
_STAFF = {"pegawai", "asn", "kepegawaian", "hukum", "pns", "pppk"}
#: Words that make a column something else than the field its other words name
#: (``jenis_jabatan`` is the kind of position, ``nip_atasan`` the supervisor's NIP).
_NOT_THE_FIELD = frozenset({"jenis", "eselon", "kelas", "lama", "atasan", "induk", "asal"})
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def camel_key(header: Any) -> str:
    """A header normalised as other systems' names are compared: ``camelCase`` split
    first (``nipBaru`` → ``nip_baru``), then :func:`normalise_header`."""
    return normalise_header(_CAMEL.sub("_", str(header)))


def named_like(spec: TableSpec, header: str) -> bool:
    """Whether ``header`` is another system's exact name of a column of ``spec``
    (``nipBaru``, ``unorNama``), not only a column with a telling word in it."""
    key = camel_key(header)
    return (spec.lookup().get(key) or FOREIGN_NAMES.get(key)) in spec.columns


def looks_like(spec: TableSpec, header: str, values: Iterable[Any] = ()) -> str | None:
    """The canonical column of ``spec`` an unknown column seems to hold, or None.

    By its name (``nipBaru`` → ``nip``: camelCase split and known names of other
    systems, then a telling word in it) or, for the employees table, by its
    values (every non-empty cell a PNS/PPPK word → ``employment_type``).
    """
    key = camel_key(header)
    lookup = spec.lookup()
    guess = lookup.get(key) or FOREIGN_NAMES.get(key)
    if guess is None:
        words = set(key.split("_"))
        if words & _STATUS and words & _STAFF:
            guess = "employment_type"
        elif not words & _NOT_THE_FIELD:
            guess = next((_WORDS[w] for w in key.split("_") if w in _WORDS), None)
    if guess is None and "employment_type" in spec.columns:
        texts = {str(v).strip().upper() for v in values} - {""}
        if texts and texts <= EMPLOYMENT_TYPES.keys():
            guess = "employment_type"
    return guess if guess in spec.columns else None
