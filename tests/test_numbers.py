"""The one reader of decimal commas (io.numbers), used by the folder tables and ABK sheets."""

from __future__ import annotations

import pytest

from mutasi_opt.io.numbers import decimal_point


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("2,5", "2.5"),
        (" 2,5 ", "2.5"),
        (",5", ".5"),
        ("-0,25", "-0.25"),
        ("1.234,5", "1234.5"),
        ("12.345.678,25", "12345678.25"),
        ("1 234,5", "1234.5"),
        ("1250", "1250"),  # no comma: unchanged
        ("12.5", "12.5"),
        ("1,2,3", "1,2,3"),  # not a number: left for the caller to refuse
        ("12.34,5", "12.34,5"),  # dots that do not group thousands
        ("abc", "abc"),
    ],
)
def test_decimal_commas(written: str, read: str) -> None:
    assert decimal_point(written) == read


def test_non_text_is_unchanged() -> None:
    assert decimal_point(2.5) == 2.5 and decimal_point(None) is None
