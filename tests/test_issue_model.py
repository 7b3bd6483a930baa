"""The service's Issue model is generated from InputIssue's fields (one issue type)."""

from __future__ import annotations

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from mutasi_opt.domain.errors import InputIssue
from mutasi_opt.service.models import ErrorResponse, Issue, issue_model


def test_the_service_issue_is_input_issue() -> None:
    fields = dataclasses.fields(InputIssue)
    assert list(Issue.model_fields) == [f.name for f in fields]
    for f in fields:
        assert Issue.model_fields[f.name].description == f.metadata["description"]
        assert Issue.model_fields[f.name].is_required()


@given(
    file=st.text(max_size=10),
    row=st.one_of(st.none(), st.integers(1, 10**6)),
    column=st.one_of(st.none(), st.text(max_size=10)),
    value=st.one_of(st.none(), st.text(max_size=10)),
    message=st.text(max_size=30),
)
def test_every_input_issue_is_a_service_issue(
    file: str, row: int | None, column: str | None, value: str | None, message: str
) -> None:
    issue = InputIssue(file, row, column, value, message)
    assert Issue.model_validate(issue.to_dict()).model_dump() == issue.to_dict()
    answer = ErrorResponse(error="invalid_input", message="m", issues=[issue.to_dict()])
    assert answer.model_dump()["issues"] == [issue.to_dict()]


def test_a_field_added_to_the_issue_reaches_the_service_model() -> None:
    @dataclasses.dataclass(frozen=True)
    class Richer(InputIssue):
        hint: str | None = dataclasses.field(default=None, metadata={"description": "a hint"})

    model = issue_model(Richer)
    assert list(model.model_fields) == [*Issue.model_fields, "hint"]
    assert model.model_fields["hint"].description == "a hint"
    assert not model.model_fields["hint"].is_required()
    assert (
        model.model_validate({**InputIssue("f", None, None, None, "m").to_dict()}).model_dump()[
            "hint"
        ]
        is None
    )
