"""Value types of the ASN domain: NIP (employee number) and golongan (rank)."""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Sequence
from typing import Annotated, Any

import numpy as np
import numpy.typing as npt
from pydantic import BeforeValidator, GetCoreSchemaHandler, PlainSerializer
from pydantic_core import CoreSchema, core_schema

__all__ = [
    "FIRST_MONTH",
    "INVISIBLE",
    "LAST_MONTH",
    "DateField",
    "Golongan",
    "GolonganField",
    "MonthField",
    "Nip",
    "NipField",
    "add_months",
    "clean_nip_text",
    "month_index",
    "month_label",
    "months_between",
    "nip_problem",
    "nips_well_formed",
    "parse_date",
    "parse_golongan",
    "parse_month",
    "parse_nip",
]

_NIP_RE = re.compile(r"^\d{18}$")
_FIRST_BIRTH_YEAR = 1930
_FIRST_CPNS_YEAR = 1950
_MIN_AGE_AT_CPNS = 15


class Nip(str):
    """An employee number.

    An 18-digit NIP is checked for structure: ``YYYYMMDD`` birth date,
    ``YYYYMM`` CPNS start, gender digit (1 male, 2 female), 3-digit sequence.
    Any other text is accepted as an opaque identifier (``is_structured`` is
    False and the derived properties are ``None``).
    """

    __slots__ = ()

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(
            parse_nip,
            json_schema_input_schema=core_schema.str_schema(),
            serialization=core_schema.plain_serializer_function_ser_schema(str),
        )

    @property
    def is_structured(self) -> bool:
        """True for an 18-digit NIP (which has passed the structure check)."""
        return bool(_NIP_RE.match(self))

    @property
    def birth_date(self) -> dt.date | None:
        """Birth date encoded in the NIP."""
        if not self.is_structured:
            return None
        return dt.date(int(self[0:4]), int(self[4:6]), int(self[6:8]))

    @property
    def cpns_start(self) -> tuple[int, int] | None:
        """(year, month) the employee started as CPNS."""
        if not self.is_structured:
            return None
        return int(self[8:12]), int(self[12:14])

    @property
    def gender(self) -> str | None:
        """``"M"`` or ``"F"``."""
        if not self.is_structured:
            return None
        return "M" if self[14] == "1" else "F"

    @property
    def sequence(self) -> int | None:
        """The 3-digit sequence number."""
        if not self.is_structured:
            return None
        return int(self[15:18])


def nip_problem(text: str) -> str | None:
    """Why an 18-digit NIP is malformed, or None when it is fine (or opaque)."""
    if not _NIP_RE.match(text):
        return None
    year, month, day = int(text[0:4]), int(text[4:6]), int(text[6:8])
    try:
        birth = dt.date(year, month, day)
    except ValueError:
        return f"digits 1-8 ({text[0:8]}) are not a valid birth date YYYYMMDD"
    this_year = dt.date.today().year
    if not _FIRST_BIRTH_YEAR <= birth.year <= this_year - _MIN_AGE_AT_CPNS:
        return f"birth year {birth.year} in digits 1-4 is not plausible for an employee"
    c_year, c_month = int(text[8:12]), int(text[12:14])
    if not 1 <= c_month <= 12:
        return f"digits 13-14 ({text[12:14]}) are not a valid CPNS start month"
    if not (max(_FIRST_CPNS_YEAR, birth.year + _MIN_AGE_AT_CPNS) <= c_year <= this_year + 1):
        return (
            f"CPNS start year {c_year} in digits 9-12 is not plausible for someone born "
            f"in {birth.year}"
        )
    if text[14] not in "12":
        return f"digit 15 ({text[14]}) must be the gender digit, 1 (male) or 2 (female)"
    if text[15:18] == "000":
        return (
            "digits 16-18 (the sequence number) are 000, which no NIP has: Excel keeps only "
            "15 significant digits of a number, so the last digits were probably lost; "
            "format the NIP column as text and enter the NIP again"
        )
    return None


_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def nips_well_formed(texts: Sequence[str]) -> npt.NDArray[np.bool_]:
    """Vectorised twin of :func:`nip_problem` for many texts at once.

    ``out[i]`` is True exactly when ``texts[i]`` is 18 ASCII digits and
    ``nip_problem(texts[i])`` is None, so ``parse_nip(texts[i]) == texts[i]``.
    False means "not known to be fine": the caller runs :func:`parse_nip` on
    those (opaque ids, spaced NIPs, malformed NIPs).  A test checks that the
    two functions agree.
    """
    n = len(texts)
    if n == 0:
        return np.zeros(0, dtype=np.bool_)
    # The first 18 code points minus '0': a digit is 0-9, anything else (or a
    # short text's padding) wraps around to a large number.
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    chars = np.array(texts, dtype="<U18").view(np.uint32).reshape(n, 18)
    digits = chars - np.uint32(48)
    candidate = (lengths == 18) & (digits.max(axis=1) < 10)
    d = digits.astype(np.int32)
    w4, w2 = np.array([1000, 100, 10, 1], dtype=np.int32), np.array([10, 1], dtype=np.int32)
    year, month, day = d[:, 0:4] @ w4, d[:, 4:6] @ w2, d[:, 6:8] @ w2
    c_year, c_month, gender = d[:, 8:12] @ w4, d[:, 12:14] @ w2, d[:, 14]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_ok = (month >= 1) & (month <= 12)
    days = _DAYS_IN_MONTH[np.where(month_ok, month, 0)] + (leap & (month == 2))
    date_ok = (year >= 1) & month_ok & (day >= 1) & (day <= days)
    this_year = dt.date.today().year
    birth_ok = (year >= _FIRST_BIRTH_YEAR) & (year <= this_year - _MIN_AGE_AT_CPNS)
    cpns_ok = (
        (c_month >= 1)
        & (c_month <= 12)
        & (c_year >= np.maximum(_FIRST_CPNS_YEAR, year + _MIN_AGE_AT_CPNS))
        & (c_year <= this_year + 1)
    )
    sequence_ok = (d[:, 15:18] @ np.array([100, 10, 1], dtype=np.int32)) > 0
    out: npt.NDArray[np.bool_] = (
        candidate & date_ok & birth_ok & cpns_ok & ((gender == 1) | (gender == 2)) & sequence_ok
    )
    return out


#: Characters that are invisible on screen and never part of an id: zero-width
#: space, non-joiner and joiner, left-to-right and right-to-left marks, word
#: joiner, soft hyphen and a byte-order mark (copied from web pages and PDFs).
INVISIBLE = re.compile("[\u200b-\u200f\u2060\u00ad\ufeff]")


def clean_nip_text(text: str) -> str:
    """The NIP a cell means: surrounding space, invisible characters
    (:data:`INVISIBLE`) and Excel's leading apostrophe (its mark for "this
    cell is text", not part of the value) removed."""
    text = INVISIBLE.sub("", text).strip()
    if text.startswith("'"):
        text = text[1:].strip()
    return text


def parse_nip(value: Any) -> Nip:
    """Parse a NIP from user input; raises ValueError with what to change."""
    if isinstance(value, Nip):
        return value
    if isinstance(value, bool) or value is None:
        raise ValueError("a NIP is required")
    if isinstance(value, float):
        raise ValueError(
            "NIP was stored as a number and may have lost digits; store the NIP column as text"
        )
    text = clean_nip_text(str(value))
    if not text:
        raise ValueError("a NIP is required")
    if re.fullmatch(r"\d(\.\d+)?[eE]\+?\d+", text):
        raise ValueError(
            "NIP looks like a number in scientific notation (Excel converts long "
            "numbers); format the NIP column as text and re-enter it"
        )
    whole = re.fullmatch(r"(\d{18})\.0+", text)  # the number 18 digits written with ".0"
    compact = whole.group(1) if whole else re.sub(r"[\s.\-]", "", text)
    if _NIP_RE.match(compact):
        text = compact
    problem = nip_problem(text)
    if problem is not None:
        raise ValueError(f"18-digit NIP is malformed: {problem}")
    return Nip(text)


NipField = Nip


_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
_ROMAN_OF = {v: k for k, v in _ROMAN.items()}
_MAX_LETTER = {1: "d", 2: "d", 3: "d", 4: "e"}


class Golongan(enum.Enum):
    """The 17 ordered ranks ``I/a`` … ``IV/e``; comparisons follow seniority."""

    I_A = "I/a"
    I_B = "I/b"
    I_C = "I/c"
    I_D = "I/d"
    II_A = "II/a"
    II_B = "II/b"
    II_C = "II/c"
    II_D = "II/d"
    III_A = "III/a"
    III_B = "III/b"
    III_C = "III/c"
    III_D = "III/d"
    IV_A = "IV/a"
    IV_B = "IV/b"
    IV_C = "IV/c"
    IV_D = "IV/d"
    IV_E = "IV/e"

    @property
    def order(self) -> int:
        """0 for I/a up to 16 for IV/e."""
        return _GOLONGAN_ORDER[self]

    @property
    def ruang(self) -> int:
        """The group number 1-4."""
        return _ROMAN[self.value.split("/")[0]]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Golongan):
            return NotImplemented
        return self.order < other.order

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Golongan):
            return NotImplemented
        return self.order <= other.order

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Golongan):
            return NotImplemented
        return self.order > other.order

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Golongan):
            return NotImplemented
        return self.order >= other.order

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, value: Any) -> Golongan:
        """Parse ``III/a``, ``3a``, ``III-a``, ``iii/a``, ``3/a``, ``III a``."""
        return parse_golongan(value)


_GOLONGAN_ORDER = {g: i for i, g in enumerate(Golongan)}
_GOLONGAN_RE = re.compile(r"^(IV|III|II|I|[1-4])\s*[/\-\s.]?\s*([A-Ea-e])$", re.IGNORECASE)


def parse_golongan(value: Any) -> Golongan:
    """Parse a golongan from user input; raises ValueError with what to change."""
    if isinstance(value, Golongan):
        return value
    text = str(value).strip()
    match = _GOLONGAN_RE.match(text)
    if match is None:
        raise ValueError("not a golongan; write it as I/a … IV/e (also accepted: 3a, III-a, iii/a)")
    group_text, letter = match.group(1).upper(), match.group(2).lower()
    group = int(group_text) if group_text.isdigit() else _ROMAN[group_text]
    if letter > _MAX_LETTER[group]:
        raise ValueError(
            f"golongan {_ROMAN_OF[group]} goes up to {_ROMAN_OF[group]}/{_MAX_LETTER[group]}"
        )
    return Golongan(f"{_ROMAN_OF[group]}/{letter}")


def _golongan_or_none(value: Any) -> Golongan | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_golongan(value)


GolonganField = Annotated[
    Golongan | None,
    BeforeValidator(_golongan_or_none),
    PlainSerializer(lambda g: None if g is None else g.value, return_type=str | None),
]


# ---------------------------------------------------------------- months
#: the range of months accepted in surge windows (a sanity bound on typing errors)
FIRST_MONTH, LAST_MONTH = "2000-01", "2100-12"
_MONTH_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?$")


def parse_month(value: Any) -> str:
    """A calendar month as ``YYYY-MM``.

    Accepts ``2026-04``, ``2026/4``, ``2026-04-30`` (the day is ignored) and
    date or datetime values (as spreadsheets deliver them).
    """
    if isinstance(value, dt.date):
        year, month = value.year, value.month
    else:
        text = "" if value is None else str(value).strip()
        m = _MONTH_RE.match(text)
        if not m:
            raise ValueError(f"expected a month as YYYY-MM (e.g. 2026-04), got {text!r}")
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise ValueError(f"month {month} does not exist; write YYYY-MM with MM from 01 to 12")
    label = f"{year:04d}-{month:02d}"
    if not FIRST_MONTH <= label <= LAST_MONTH:
        raise ValueError(f"month {label} is outside {FIRST_MONTH}..{LAST_MONTH}; check the year")
    return label


def month_index(label: str) -> int:
    """``'2026-04'`` → months since year 0 (consecutive months differ by one)."""
    year, month = label.split("-")
    return int(year) * 12 + int(month) - 1


def month_label(index: int) -> str:
    """Inverse of :func:`month_index`."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


MonthField = Annotated[str, BeforeValidator(parse_month)]


# ----------------------------------------------------------------- dates
#: Indonesian (and English) month names and their usual abbreviations → month
_MONTH_NAMES: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("januari", "jan", "january"),
        ("februari", "feb", "pebruari", "peb", "february"),
        ("maret", "mar", "march"),
        ("april", "apr"),
        ("mei", "may"),
        ("juni", "jun", "june"),
        ("juli", "jul", "july"),
        ("agustus", "agu", "agt", "ags", "aug", "august"),
        ("september", "sep", "sept"),
        ("oktober", "okt", "oct", "october"),
        ("november", "nov", "nopember", "nop"),
        ("desember", "des", "dec", "december"),
    ),
    start=1,
):
    _MONTH_NAMES.update(dict.fromkeys(_names, _number))

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00(?:\.0+)?)?)?$")
_DMY_DATE = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$")
_NAMED_DATE = re.compile(r"^(\d{1,2})[\s.-]+([A-Za-z]+)\.?[\s.-]+(\d{4})$")
#: the dates accepted in a table (birth dates, dates of a post): a bound on typing errors
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2100, 12, 31)


def parse_date(value: Any) -> dt.date:
    """A calendar date from a cell as BKPSDM files write it.

    Accepts ``YYYY-MM-DD`` (ISO, as written by this library), ``dd/mm/yyyy``,
    ``dd-mm-yyyy`` and ``dd.mm.yyyy`` (day first, as Indonesian spreadsheets
    and SIASN exports write dates), ``12 Maret 1985`` / ``12 Mar 1985`` /
    ``12-Agu-1985`` (Indonesian or English month names) and date or datetime
    values (a workbook's date cells).  Raises ValueError saying what to write.
    """
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise ValueError(f"{value} has a time of day; give a date (dd/mm/yyyy)")
        value = value.date()
    if isinstance(value, dt.date):
        out = value
    else:
        text = "" if value is None else str(value).strip()
        try:
            out = _date_text(text)
        except ValueError as exc:
            raise ValueError(
                f"{text!r} is not a date ({exc}); write it as dd/mm/yyyy (e.g. 31/12/1985), "
                "yyyy-mm-dd or '31 Desember 1985'"
            ) from None
    if not FIRST_DATE <= out <= LAST_DATE:
        raise ValueError(f"date {out.isoformat()} is outside {FIRST_DATE}..{LAST_DATE}; check it")
    return out


def _date_text(text: str) -> dt.date:
    if m := _ISO_DATE.match(text):
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _DMY_DATE.match(text):
        return dt.date(int(m.group(4)), int(m.group(3)), int(m.group(1)))
    if m := _NAMED_DATE.match(text):
        month = _MONTH_NAMES.get(m.group(2).lower())
        if month is None:
            raise ValueError(f"{m.group(2)!r} is not a month name")
        return dt.date(int(m.group(3)), month, int(m.group(1)))
    raise ValueError("unknown date format")


def _date_or_none(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and value != value:  # NaN: an empty cell
        return None
    return parse_date(value)


#: An optional date cell (empty = unknown); written as ``YYYY-MM-DD``.
DateField = Annotated[dt.date | None, BeforeValidator(_date_or_none)]


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` calendar months (the day clipped to the month's end)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from ``start`` to ``end`` (0 when ``end`` is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(0, months)
