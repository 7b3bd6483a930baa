"""The one reader of decimal commas (io.numbers), used by the folder tables and ABK sheets."""

from __future__ import annotations

import pytest

from mutasi_opt.io.numbers import (
    decimal_comma_column,
    decimal_point,
    point_decimal,
    thousands_grouped,
)


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


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("3.000", "3000"),
        ("-1.250.000", "-1250000"),
        (" 12.500 ", "12500"),
        ("3.00", "3.00"),  # two decimals: not a thousands group
        ("0.5", "0.5"),
        ("0.333", "0.333"),  # a leading 0 is no thousands group
        ("-0.250", "-0.250"),
        ("1234.567", "1234.567"),  # four digits before the dot: not grouped
        ("2.500,5", "2500.5"),
    ],
)
def test_the_thousands_dot_of_a_decimal_comma_file(written: str, read: str) -> None:
    assert decimal_point(written, thousands_dot=True) == read
    if written != read and "," not in written:
        assert thousands_grouped(written)
        assert decimal_point(written) == written  # unknown notation: left for the caller


@pytest.mark.parametrize(
    ("column", "read", "refused"),
    [
        (["3.000", "2,5", ""], ["3000", "2.5", ""], []),
        (["3.000", "0.75", "12"], ["3000", "0.75", "12"], [0]),  # mixed: 3.000 is ambiguous
        (["1.5", "2"], ["1.5", "2"], []),
    ],
)
def test_a_decimal_comma_column(column: list[str], read: list[str], refused: list[int]) -> None:
    converted, why = decimal_comma_column(column)
    assert converted == read
    assert sorted(why) == refused
    assert all("'0.75'" in message for message in why.values())
    assert [point_decimal(t) for t in column] == [t in ("0.75", "1.5") for t in column]
