"""Reading a staff export of SIASN (the national ASN information system) as it is.

A BKPSDM's staff list comes out of SIASN with its *data utama* field names
(``nipBaru``, ``nama``, ``tglLahir``, ``unorId``/``unorNama``, ``jabatanNama``,
``tmtJabatan``, ``golRuangAkhir``, ``jenisPegawaiNama``, ``kedudukanPnsNama``,
``bupPensiun``, ...), often with title rows above the header, dates as
``dd/mm/yyyy`` or ``12 Maret 1985`` and NIPs that Excel stored as numbers.
:func:`read_siasn` reads such a file in a data folder (in place of
``employees.csv``) and maps it to the model:

=====================================  ==========================================
SIASN field                            model
=====================================  ==========================================
``nipBaru`` (or ``nip``)               ``nip`` (an integer cell: its digits; a float
                                       cell or a NIP cut to 15 digits is refused)
``nama``                               ``name``
``tglLahir``                           ``birth_date`` (must match the NIP's)
``unorId``, else ``unorNama``          ``unit``: by id, else by the exact name in
                                       ``units.csv`` (near names listed when it is
                                       not found or not unique)
``jabatanNama``                        ``role``
``tmtUnor`` or ``tmtJabatan``          ``months_in_unit``: whole months from that
                                       date to the reference date
``golRuangAkhir``                      ``rank``
``jenisPegawaiNama``,                  ``employment_type`` (PPPK when either says
``kedudukanPnsNama``                   PPPK/P3K, else PNS)
``kedudukanPnsNama``                   ``inactive``: any status but *aktif* (tugas
                                       belajar, CLTN, pemberhentian sementara, ...)
``bupPensiun``, else ``jenisJabatan``  ``retirement_age``: the BUP given, else from
and ``jabatanNama``                    the post (PP 11/2017 Pasal 239 as amended by
                                       PP 17/2020: 65 ahli utama, 60 JPT and madya;
                                       others get the policy's ``retirement_age``)
``tmtPensiun``                         checked: it must be the first day of the month
                                       after the birthday at the BUP
=====================================  ==========================================

Columns of this library's own ``employees`` table (``fte``, ``competencies``,
``locked``, ``refused_units``, ``preferred_units``, ...) may be added to the
export and are read as usual; every other SIASN column is named in a warning.
Every issue names the file, the spreadsheet row and the SIASN column as
written.  The rest of the folder (``units``, ``demand``, ``requirements``,
``pairs``, ``policy.toml``) is read as by :func:`~mutasi_opt.io.folder.read_folder`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..domain.errors import InputError, InputIssue
from ..domain.problem import Policy, Problem
from ..domain.values import Nip, add_months, clean_nip_text, months_between, parse_date
from .columns import TABLES, camel_key
from .folder import folder_sources
from .parse import build_problem, load_table, note
from .tables import Source, cell_text, read_source, unreadable

__all__ = ["SIASN_FIELDS", "SIASN_FILES", "read_siasn", "retirement_age_of_post"]

logger = logging.getLogger("mutasi_opt")

#: Stems of the staff export in a folder read by :func:`read_siasn` (``.csv`` or
#: ``.xlsx``), in the order they are looked for.
SIASN_FILES = ("siasn", "employees")

_key = camel_key  # a header as SIASN names are compared: ``tglLahir`` → ``tgl_lahir``


#: SIASN data-utama field (normalised, :func:`_key`) → what it feeds
SIASN_FIELDS: Mapping[str, str] = {
    "nip_baru": "nip",
    "nama": "name",
    "tgl_lahir": "birth_date",
    "tanggal_lahir": "birth_date",
    "unor_id": "unit_id",
    "unor_nama": "unit_name",
    "jabatan_nama": "role",
    "tmt_unor": "unit_start",
    "tmt_jabatan": "post_start",
    "gol_ruang_akhir": "rank",
    "gol_ruang_akhir_nama": "rank",
    "jenis_pegawai_nama": "kind",
    "kedudukan_pns_nama": "status",
    "bup_pensiun": "retirement_age",
    "tmt_pensiun": "pension_date",
    "jenis_jabatan": "post_kind",
    "jenis_kelamin": "gender",
    "jenis_jabatan_nama": "post_kind",
}

#: ``jenisKelamin`` (lower case) → the NIP's gender digit.
_GENDERS = {
    "l": "1",
    "laki-laki": "1",
    "laki laki": "1",
    "pria": "1",
    "m": "1",
    "male": "1",
    "p": "2",
    "perempuan": "2",
    "wanita": "2",
    "f": "2",
    "female": "2",
}

#: Statuses (``kedudukanPnsNama``, lower case) of an active employee.
_ACTIVE = frozenset({"", "aktif", "pns", "cpns", "pppk", "aktif bekerja"})


def retirement_age_of_post(post: str, post_kind: str = "") -> int | None:
    """The BUP a post sets by PP 11/2017 Pasal 239 (as amended by PP 17/2020):
    65 for *ahli utama*, 60 for JPT (*pimpinan tinggi*) and *madya* posts, None
    for the others (administration posts, ahli muda and pertama, keterampilan:
    58, the policy's ``retirement_age``)."""
    text = f"{post} {post_kind}".lower()
    if "ahli utama" in text:
        return 65
    if "madya" in text or "pimpinan tinggi" in text or re.search(r"\bjpt\b", text):
        return 60
    return None


@dataclass
class _Column:
    """One column of the mapped table: its canonical name, the header it came from
    and its cells (text, or a NIP as a float for the model to refuse)."""

    name: str
    header: str
    cells: list[Any]


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The library's log without its warnings (while a file is read only to find
    its header)."""
    drop = logging.Filter("\0")  # a filter matching no logger name: drops every record
    logger.addFilter(drop)
    try:
        yield
    finally:
        logger.removeFilter(drop)


def _find_header(path: Path) -> tuple[Source, list[InputIssue]]:
    """The source read from its header row: the first row of the first records
    naming the NIP column (``nipBaru`` or ``nip``); title rows above it are noted."""
    with _quiet():  # (row 1 may be a title: its "columns without a header" are no news)
        source = read_source(path)
    wanted = {"nip_baru", "nip"}
    if any(_key(h) in wanted for h in source.headers):
        return source, []
    for k, record in enumerate(source.preview[1:], start=2):
        # (the delimiter was guessed from row 1, a title: split the cells again)
        if any(_key(t) in wanted for v in record for t in re.split(r"[;,\t]", str(v))):
            above = "row 1 above the header" if k == 2 else f"rows 1-{k - 1} above the header"
            note_ = InputIssue(
                source.file,
                k,
                None,
                None,
                f"{above} (row {k}) {'is a title' if k == 2 else 'are titles'}; not read",
            )
            return read_source(path, header_row=k), [note_]
    return source, []


def _nip_cell(value: Any) -> Any:
    """A NIP cell: a whole-number cell (a workbook's integer) as its exact digits; a
    float cell stays a float, which the NIP rule refuses with its row (a NIP Excel
    stored as a number keeps 15 significant digits, so its last ones are lost)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return cell_text(value, keep_float=True)


def _employment_type(kind: str, status: str) -> str | None:
    """PNS or PPPK from ``jenisPegawaiNama`` and ``kedudukanPnsNama``; None when
    neither says which."""
    text = f"{kind} {status}".upper()
    if "PPPK" in text or "P3K" in text:
        return "PPPK"
    if not kind.strip() or re.search(r"\bC?PNS\b", kind.upper()):
        return "PNS"
    return None


class _Mapper:
    """The SIASN columns of one source mapped to the model's employee columns."""

    def __init__(
        self,
        source: Source,
        reference_date: dt.date | None,
        units: Mapping[str, list[str]],
        notes: list[InputIssue] | None,
        policy: Policy | None = None,
    ) -> None:
        self.source = source
        pol = policy if policy is not None else Policy()
        self.default_age = pol.retirement_age
        self.policy_ages = dict(pol.retirement_ages)
        self.reference_date = reference_date
        self.units = units  # unit name → ids with that name
        self.notes = notes
        self.issues: list[InputIssue] = []
        self.found: dict[str, int] = {}
        own = TABLES["employees"].lookup()
        self.own: dict[str, int] = {}
        for j, header in enumerate(source.headers):
            key = _key(header)
            if not key:
                continue
            field = SIASN_FIELDS.get(key)
            if field is None and key in own and own[key] not in ("nip", "name", "unit", "role"):
                self.own.setdefault(own[key], j)
            elif field is None and key in ("nip", "nama_lengkap"):
                self.found.setdefault("nip" if key == "nip" else "name", j)
            elif field is not None and field in self.found:
                first = source.headers[self.found[field]]
                note(
                    notes,
                    InputIssue(
                        source.file, 1, header, None, f"ignored: column {first!r} gives the same"
                    ),
                )
            elif field is not None:
                self.found[field] = j
            else:
                note(
                    notes,
                    InputIssue(
                        source.file, 1, header, None, "not a column the planner uses; ignored"
                    ),
                )

    def texts(self, field: str) -> list[str] | None:
        j = self.found.get(field)
        if j is None:
            return None
        return [str(cell_text(v)).strip() for v in self.source.cells[j].tolist()]

    def header(self, field: str) -> str:
        return self.source.headers[self.found[field]]

    def issue(self, i: int, field: str, value: Any, message: str) -> None:
        row = int(self.source.rows[i])
        self.issues.append(InputIssue(self.source.file, row, self.header(field), value, message))

    def dates(self, field: str) -> list[dt.date | None] | None:
        """The dates of a column; a cell that is not a date is an issue (None)."""
        j = self.found.get(field)
        if j is None:
            return None
        out: list[dt.date | None] = []
        for i, value in enumerate(self.source.cells[j].tolist()):
            text = str(cell_text(value)).strip() if not isinstance(value, dt.date) else value
            if text == "":
                out.append(None)
                continue
            try:
                out.append(parse_date(text))
            except ValueError as exc:
                self.issue(i, field, str(text), str(exc))
                out.append(None)
        return out

    # ------------------------------------------------------------ columns
    def columns(self) -> list[_Column]:
        n = len(self.source)
        out: list[_Column] = []
        if "nip" not in self.found:
            self.issues.append(
                InputIssue(
                    self.source.file,
                    1,
                    "nipBaru",
                    None,
                    "the SIASN export has no NIP column (nipBaru); export the data utama "
                    "fields with nipBaru, or name the column nip",
                )
            )
            return out
        j = self.found["nip"]
        out.append(
            _Column(
                "nip", self.header("nip"), [_nip_cell(v) for v in self.source.cells[j].tolist()]
            )
        )
        for field, name in (("name", "name"), ("role", "role"), ("rank", "rank")):
            texts = self.texts(field)
            if texts is not None:
                out.append(_Column(name, self.header(field), texts))
        out.append(self._unit(n))
        born = self.dates("birth_date")
        if born is not None:
            out.append(
                _Column(
                    "birth_date",
                    self.header("birth_date"),
                    ["" if d is None else d.isoformat() for d in born],
                )
            )
        months = self._months(n)
        if months is not None:
            out.append(months)
        out += self._status(n)
        ages = self._retirement_age(n)
        out.append(ages)
        self._check_pensions(out[0].cells, born, ages.cells)
        self._check_genders(out[0].cells)
        for name, j in self.own.items():
            out.append(_Column(name, self.source.headers[j], self.source.cells[j].tolist()))
        return out

    def _unit(self, n: int) -> _Column:
        ids, names = self.texts("unit_id"), self.texts("unit_name")
        if ids is None and names is None:
            self.issues.append(
                InputIssue(
                    self.source.file,
                    1,
                    "unorId",
                    None,
                    "the SIASN export has no unit column; export unorId (the unit id of "
                    "units.csv) or unorNama (its exact name)",
                )
            )
            return _Column("unit", "unorId", [""] * n)
        cells: list[str] = []
        header = self.header("unit_id" if ids is not None else "unit_name")
        for i in range(n):
            uid = ids[i] if ids is not None else ""
            if uid or names is None:
                cells.append(uid)
                continue
            cells.append(self._unit_by_name(i, names[i]))
            header = self.header("unit_name") if ids is None else header
        return _Column("unit", header, cells)

    def _unit_by_name(self, i: int, name: str) -> str:
        key = " ".join(name.split())
        ids = self.units.get(key, [])
        if len(ids) == 1:
            return ids[0]
        if not key:
            self.issue(i, "unit_name", name, "the unit is empty; fill in unorNama (or unorId)")
        elif ids:
            self.issue(
                i,
                "unit_name",
                name,
                f"{len(ids)} units of units.csv have this name ({', '.join(ids)}); give the "
                "unit id (unorId) of this employee",
            )
        else:
            near = difflib.get_close_matches(key.casefold(), list(self._folded), n=3, cutoff=0.6)
            hint = (
                "; near names in units.csv: " + "; ".join(repr(self._folded[k]) for k in near)
                if near
                else ""
            )
            self.issue(
                i,
                "unit_name",
                name,
                f"no unit of units.csv has this exact name{hint}; correct the name or give "
                "the unit id (unorId)",
            )
        return ""

    @property
    def _folded(self) -> dict[str, str]:
        return {k.casefold(): k for k in self.units}

    def _months(self, n: int) -> _Column | None:
        field = "unit_start" if "unit_start" in self.found else "post_start"
        if field not in self.found:
            return None
        starts = self.dates(field)
        assert starts is not None
        ref = self.reference_date
        if ref is None:
            self.issues.append(
                InputIssue(
                    self.source.file,
                    1,
                    self.header(field),
                    None,
                    f"months in the unit are counted from {self.header(field)} to a reference "
                    "date, and none is given; set plan_date in policy.toml (or give "
                    "reference_date / --reference-date)",
                )
            )
            return None
        cells: list[str] = []
        for i, start in enumerate(starts):
            if start is not None and start > ref:
                self.issue(
                    i,
                    field,
                    start.isoformat(),
                    f"the date is after the reference date {ref.isoformat()}; check it",
                )
            cells.append("" if start is None else str(months_between(start, ref)))
        return _Column("months_in_unit", self.header(field), cells)

    def _status(self, n: int) -> list[_Column]:
        kinds, statuses = self.texts("kind"), self.texts("status")
        out: list[_Column] = []
        if kinds is not None or statuses is not None:
            types: list[str] = []
            for i in range(n):
                kind = kinds[i] if kinds is not None else ""
                status = statuses[i] if statuses is not None else ""
                found = _employment_type(kind, status)
                if found is None:
                    self.issue(
                        i,
                        "kind",
                        kind,
                        "jenisPegawaiNama does not say PNS, CPNS or PPPK; correct the cell",
                    )
                    found = ""
                types.append(found)
            header = self.header("kind") if kinds is not None else self.header("status")
            out.append(_Column("employment_type", header, types))
        if statuses is not None:
            inactive = [
                "" if " ".join(s.lower().split()) in _ACTIVE or _is_pppk_word(s) else s
                for s in statuses
            ]
            out.append(_Column("inactive", self.header("status"), inactive))
        return out

    def _check_pensions(
        self, nips: list[Any], born: list[dt.date | None] | None, ages: list[Any]
    ) -> None:
        """A ``tmtPensiun`` that is not the pension date the birth date and the BUP
        give (the first day of the month after the birthday at the BUP) is an issue:
        the planner counts retirements from the latter."""
        given = self.dates("pension_date")
        if given is None:
            return
        for i, day in enumerate(given):
            birth = born[i] if born is not None else None
            if birth is None and isinstance(nips[i], str):
                try:
                    birth = Nip(clean_nip_text(nips[i])).birth_date
                except ValueError:
                    birth = None
            age = self.policy_ages.get(self._role(i), self.default_age)
            if str(ages[i]).strip().isdigit():
                age = int(str(ages[i]).strip())
            if day is None or birth is None:
                continue
            expected = add_months(dt.date(birth.year + age, birth.month, 1), 1)
            if day != expected:
                self.issue(
                    i,
                    "pension_date",
                    day.isoformat(),
                    f"tmtPensiun {day.isoformat()} is not the pension date of the birth date "
                    f"{birth.isoformat()} at BUP {age} ({expected.isoformat()}, the first day of "
                    "the month after the birthday); correct tglLahir, bupPensiun or tmtPensiun",
                )

    def _check_genders(self, nips: list[Any]) -> None:
        """A warning naming the rows whose ``jenisKelamin`` contradicts the NIP's gender
        digit (digit 15: 1 male, 2 female); the planner does not use the gender."""
        genders = self.texts("gender")
        if genders is None:
            return
        rows: list[int] = []
        for i, (nip, text) in enumerate(zip(nips, genders, strict=True)):
            whole = re.fullmatch(r"(\d{18})(?:\.0+)?", clean_nip_text(str(nip)))
            digit = whole.group(1)[14] if whole else ""
            said = _GENDERS.get(text.strip().lower())
            if digit and said is not None and said != digit:
                rows.append(int(self.source.rows[i]))
        if rows:
            shown = ", ".join(map(str, rows[:10])) + (", ..." if len(rows) > 10 else "")
            note(
                self.notes,
                InputIssue(
                    self.source.file,
                    rows[0],
                    self.header("gender"),
                    None,
                    f"jenisKelamin contradicts the NIP's gender digit (digit 15: 1 male, 2 "
                    f"female) on {len(rows)} row{'s' if len(rows) > 1 else ''}: {shown}; check "
                    "them (the planner does not use the gender)",
                ),
            )

    def _role(self, i: int) -> str:
        roles = self.texts("role")
        return roles[i] if roles is not None else ""

    def _retirement_age(self, n: int) -> _Column:
        given = self.texts("retirement_age")
        posts = self.texts("role")
        post_kinds = self.texts("post_kind")
        cells: list[str] = []
        for i in range(n):
            if given is not None and given[i]:
                cells.append(given[i])
                continue
            age = retirement_age_of_post(
                posts[i] if posts is not None else "",
                post_kinds[i] if post_kinds is not None else "",
            )
            cells.append("" if age is None else str(age))
        header = (
            self.header("retirement_age")
            if given is not None
            else (self.header("post_kind") if post_kinds is not None else "retirement_age")
        )
        return _Column("retirement_age", header, cells)


def _is_pppk_word(text: str) -> bool:
    return text.strip().upper() in ("PPPK", "P3K")


def _unit_names(source: Source | None) -> dict[str, list[str]]:
    """Unit name (spaces collapsed) → the unit ids with that name."""
    out: dict[str, list[str]] = {}
    if source is None:
        return out
    loaded = load_table(TABLES["units"], source, [])
    for unit in loaded.entities:
        if unit.name:
            out.setdefault(" ".join(unit.name.split()), []).append(unit.unit)
    return out


def _mapped_source(source: Source, columns: list[_Column]) -> Source:
    """A source of the model's employee columns with the rows of ``source``."""
    return Source(
        file=source.file,
        headers=[c.name for c in columns],
        cells=[np.array(c.cells, dtype=object) for c in columns],
        rows=source.rows,
        decimal_comma=source.decimal_comma,
        text_only=False,
        issues=list(source.issues),
    )


def read_siasn(
    path: str | Path,
    *,
    reference_date: dt.date | str | None = None,
    warnings: list[InputIssue] | None = None,
) -> Problem:
    """Read a data folder whose staff list is a SIASN export (see the module docstring).

    Parameters
    ----------
    path
        The folder: ``siasn.csv``/``siasn.xlsx`` (or ``employees.*``) holding the
        export, and ``units``, ``demand``, ... as in any data folder.
    reference_date
        The date months in the unit are counted to (from ``tmtUnor`` or
        ``tmtJabatan``); default ``plan_date`` of ``policy.toml``.
    warnings
        Receives the notes (title rows skipped, SIASN columns not used, ...);
        otherwise they go to the ``mutasi_opt`` log.

    Raises
    ------
    InputError
        Every issue of the folder at once, each naming the file, the
        spreadsheet row and the column as written in the export.
    """
    folder = Path(path)
    staff = next(
        (
            folder / f"{stem}{ext}"
            for stem in SIASN_FILES
            for ext in (".csv", ".xlsx")
            if (folder / f"{stem}{ext}").is_file()
        ),
        None,
    )
    both = [f"{stem}{ext}" for stem in SIASN_FILES for ext in (".csv", ".xlsx")]
    present = [name for name in both if (folder / name).is_file()]
    if len(present) > 1:
        raise unreadable(
            present[1],
            f"both {present[0]} and {present[1]} are in the folder; keep only the SIASN "
            "export (as siasn.csv or siasn.xlsx)",
        )
    if staff is None:
        raise unreadable(
            str(folder),
            "the folder has no siasn.csv or siasn.xlsx (nor employees.csv/.xlsx); put the "
            "SIASN export there under one of these names",
        )
    sources, files, policy, issues = folder_sources(folder, warnings, skip=("employees",))
    if isinstance(reference_date, str):
        text = reference_date
        try:
            reference_date = parse_date(text)
        except ValueError as exc:
            raise InputError([InputIssue("reference_date", None, None, text, str(exc))]) from None
    ref = reference_date if reference_date is not None else (policy.plan_date if policy else None)
    files["employees"] = staff.name
    try:
        raw, title = _find_header(staff)
    except InputError as err:
        issues.extend(err.issues)
        sources["employees"] = None
    else:
        for issue in title:
            note(warnings, issue)
        mapper = _Mapper(raw, ref, _unit_names(sources.get("units")), warnings, policy)
        columns = mapper.columns()
        issues.extend(mapper.issues)
        sources["employees"] = _mapped_source(raw, columns) if columns else None
        shown = {c.name: c.header for c in columns}
    try:
        return build_problem(sources, files, policy, issues, warnings)
    except InputError as err:
        if sources.get("employees") is None:
            raise
        raise InputError([_relocated(i, staff.name, shown) for i in err.issues]) from None


def _relocated(issue: InputIssue, file: str, shown: Mapping[str, str]) -> InputIssue:
    """An issue of the mapped table named by the SIASN column it came from."""
    if issue.file != file or issue.column is None or issue.column not in shown:
        return issue
    return issue.relocated(column=shown[issue.column])
