"""User-facing errors.

Every mistake a user can make in the input is reported as an :class:`InputIssue`
naming the file, the spreadsheet row, the column, the bad value and what to
change.  All issues found in one pass are raised together in one
:class:`InputError`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace

__all__ = ["InputError", "InputIssue", "SolverError", "UsageError", "toml_text"]


@dataclass(frozen=True, slots=True)
class InputIssue:
    """One problem in the input.

    Parameters
    ----------
    file
        The file (``employees.csv``) or table (``employees``) the issue is in.
    row
        Spreadsheet row number (the header is row 1, the first data row is
        row 2), or ``None`` when the issue concerns the whole file.
    column
        Column name as the user wrote it, or ``None``.
    value
        The offending value as text, or ``None``.
    message
        What is wrong and what to change.

    Each field's ``description`` metadata is its text in the HTTP service's
    schema (:class:`mutasi_opt.service.models.Issue` is generated from these fields).
    """

    file: str = field(
        metadata={
            "description": "file or part of the request: problem.json, employees.csv, request, ..."
        }
    )
    row: int | None = field(
        metadata={"description": "spreadsheet row (header = row 1) or 1-based index in a JSON list"}
    )
    column: str | None = field(metadata={"description": "column or field name"})
    value: str | None = field(metadata={"description": "the offending value as text"})
    message: str = field(metadata={"description": "what is wrong and what to change"})

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        shown = "" if self.value is None else f" (value {self.value!r})"
        return f"{where}{shown}: {self.message}"

    def to_dict(self) -> dict[str, str | int | None]:
        """Plain dict for JSON output (every field, in order)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def relocated(
        self, *, file: str | None = None, row: int | None = None, column: str | None = None
    ) -> InputIssue:
        """Copy with a different location (used when mapping table rows to files)."""
        return replace(
            self,
            file=self.file if file is None else file,
            row=self.row if row is None else row,
            column=self.column if column is None else column,
        )


class InputError(ValueError):
    """The input has one or more problems; ``issues`` lists every one of them."""

    issues: tuple[InputIssue, ...]

    def __init__(self, issues: Iterable[InputIssue]) -> None:
        self.issues = tuple(issues)
        if not self.issues:
            raise ValueError("InputError needs at least one issue")
        super().__init__(self._render())

    def _render(self) -> str:
        n = len(self.issues)
        head = f"{n} problem{'s' if n != 1 else ''} in the input:"
        return "\n".join([head, *(f"  - {issue}" for issue in self.issues)])

    def to_list(self) -> list[dict[str, str | int | None]]:
        """The issues as plain dicts (for ``--json`` output)."""
        return [issue.to_dict() for issue in self.issues]


class SolverError(RuntimeError):
    """The solver rejected a model it was given (a bug, not a user error)."""


class UsageError(ValueError):
    """A command-line mistake (the CLI prints it as ``error: ...`` and exits with 1)."""


def toml_text(data: bytes, file: str) -> str:
    """The text of a TOML file's bytes (``policy.toml``, solve parameters).

    TOML is UTF-8: a byte-order mark is dropped, and a byte that is not UTF-8
    (a file saved as Windows-1252) raises :class:`InputError` naming its line.
    Line endings are written as ``\\n`` (old Mac files end lines with CR alone,
    which TOML does not read).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = (before.count(b"\n") if b"\n" in before else before.count(b"\r")) + 1
        byte = f"0x{data[exc.start]:02x}"
        raise InputError(
            [
                InputIssue(
                    file,
                    line,
                    None,
                    byte,
                    f"byte {byte} on line {line} is not UTF-8 (TOML files must be UTF-8; this "
                    "one was probably saved as Windows-1252); save it as UTF-8 or replace the "
                    "character (e.g. an en dash or curly quote) on that line",
                )
            ]
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")
