"""Competency values in every accepted shape, and every bad one a clear ValueError
(pydantic turns it into a located InputError): never a TypeError traceback."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import ValidationError

from mutasi_opt import Employee
from mutasi_opt.domain.problem import parse_competencies


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("vaksinasi:2;k3", (("k3", 1), ("vaksinasi", 2))),
        ({"b": 3, "a": "1"}, (("a", 1), ("b", 3))),
        ([("a", 2), "b:4"], (("a", 2), ("b", 4))),
        (None, ()),
    ],
)
def test_accepted_shapes(value: Any, expected: tuple[tuple[str, int], ...]) -> None:
    assert parse_competencies(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([5], "not a (code, level) pair"),
        ([("a", 1, 2)], "not a (code, level) pair"),
        ([None], "not a (code, level) pair"),
        ("a:x", "not a whole number"),
        ("a:9", "between 1 and 5"),
        ("a:1;a:2", "listed twice"),
        (":2", "empty"),
        (7, "code:level"),
    ],
)
def test_bad_values_are_value_errors(value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_competencies(value)


def test_a_bad_pair_is_a_validation_error_not_a_crash() -> None:
    with pytest.raises(ValidationError, match="not a \\(code, level\\) pair"):
        Employee(nip="E1", unit="A", competencies=[5])  # type: ignore[arg-type]
