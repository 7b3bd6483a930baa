"""Competency values in every accepted shape, and every bad one a clear ValueError
(pydantic turns it into a located InputError): never a TypeError traceback."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
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
        ("a;a;b:9", "'a' is listed twice"),  # the first error in the text's order
        ("b:9;a;a", "level 9 of competency 'b'"),
        ("a|b;a:2", "'a' is listed twice"),
    ],
)
def test_bad_values_are_value_errors(value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_competencies(value)


def test_a_bad_pair_is_a_validation_error_not_a_crash() -> None:
    with pytest.raises(ValidationError, match="not a \\(code, level\\) pair"):
        Employee(nip="E1", unit="A", competencies=[5])  # type: ignore[arg-type]


def _reference(text: str) -> tuple[tuple[str, int], ...]:
    """The rule written plainly: items in order, the first bad one raises."""
    out: dict[str, int] = {}
    for part in re.split(r"[;|]", text):
        part = part.strip()
        if not part:
            continue
        code, _, level = part.partition(":") if ":" in part else (part, "", "1")
        code = code.strip()
        if not code:
            raise ValueError("a competency code is empty")
        try:
            lvl = int(level.strip())
        except ValueError:
            raise ValueError(f"level {level.strip()!r} of competency {code!r} is not") from None
        if not 1 <= lvl <= 5:
            raise ValueError(f"level {lvl} of competency {code!r} must be")
        if code in out:
            raise ValueError(f"competency {code!r} is listed twice")
        out[code] = lvl
    return tuple(sorted(out.items()))


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(["K1", "K2:3", " k1 : 2 ", "K1:9", ":2", "K3:x", "", " ", "K2"]),
        max_size=5,
    ),
    st.sampled_from([";", "|", "; "]),
)
def test_text_parse_equals_the_plain_rule(items: list[str], sep: str) -> None:
    text = sep.join(items)
    try:
        expected: Any = _reference(text)
    except ValueError as error:
        with pytest.raises(ValueError) as raised:
            parse_competencies(text)
        assert str(error) in str(raised.value)
    else:
        assert parse_competencies(text) == expected
