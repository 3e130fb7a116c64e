"""The notices' Typst templates print every value verbatim: markup or code in a name is text
(no injection), a line break in it is a space, and the same notice prints the same bytes."""

from __future__ import annotations

import io
from datetime import date

import pypdf

from api.notices.render import escape, markup, render
from domain.notices import NoticeKind, Occasion, document_number

HOSTILE = '#set page(fill: red) *bold* _x_ $1+1$ [a] <b> @c `d` = e - f \\ "g" // h\nnext'


def _summary(party: str) -> Occasion:
    return Occasion(
        kind=NoticeKind.closure_summary,
        key="1",
        issued_on=date(2026, 12, 8),
        county_code="140105",
        issuer="太原市小店区人力资源和社会保障局",
        title="案件办理情况摘要（结案审批）",
        context={
            "case_kind": "欠薪案件",
            "opened_on": "2026年12月1日",
            "party": party,
            "workers": 2,
            "status": "办理中",
            "timeline": [{"date": "2026年12月1日", "what": "立案", "by": "mediator-01"}],
            "deadlines": [],
        },
    )


def test_markup_in_a_value_prints_as_text() -> None:
    number = document_number("140105", 2026, 7)
    source = markup(_summary(HOSTILE), number, "WA-2026-000001", None)
    assert "#set page(fill: red)" not in source  # escaped, not code
    pdf = render(_summary(HOSTILE), number, "WA-2026-000001", None)
    text = "".join(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "".join(HOSTILE.split()) in text
    assert "小店人社〔2026〕第007号" in text and "2026年12月8日" in text
    assert render(_summary(HOSTILE), number, "WA-2026-000001", None) == pdf  # no clock in it


def test_escape_leaves_chinese_and_digits_alone() -> None:
    assert escape("王某 3000.00元") == "王某 3000\\.00元"
    assert escape(None) == ""
    assert escape("a\nb\tc") == "a b c"
