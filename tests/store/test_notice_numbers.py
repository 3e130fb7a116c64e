"""Notices' document numbers (store/notices.py): one sequence per county and year; a notice
produced again keeps its number; concurrent productions never share or skip a number (on
SQLite, and on PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from domain.notices import document_number
from store.db import make_engine
from store.notices import issue_number, issued_for_case, notice_key
from tests.databases import fresh_database


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with fresh_database(tmp_path) as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def _issue(
    engine: Engine, case_id: str, occasion: str = "1", county: str = "140105", year: int = 2026
) -> int:
    return issue_number(
        engine,
        case_id=case_id,
        kind="order_to_pay",
        occasion=occasion,
        county_code=county,
        year=year,
        issued_by="inspector-01",
    ).seq


def test_a_notice_keeps_its_number_and_each_county_and_year_counts_alone(engine: Engine) -> None:
    assert _issue(engine, "WA-2026-000001") == 1
    assert _issue(engine, "WA-2026-000002") == 2
    assert _issue(engine, "WA-2026-000001") == 1  # produced again: the same number
    assert _issue(engine, "WA-2026-000001", occasion="2") == 3  # a second order: a new one
    assert _issue(engine, "WA-2026-000003", county="140106") == 1
    assert _issue(engine, "WA-2027-000001", year=2027) == 1
    issued = issued_for_case(engine, "WA-2026-000001")
    assert {k: v.seq for k, v in issued.items()} == {
        notice_key("WA-2026-000001", "order_to_pay", "1"): 1,
        notice_key("WA-2026-000001", "order_to_pay", "2"): 3,
    }
    assert document_number("140105", 2026, 1) == "小店人社〔2026〕第001号"


def test_concurrent_productions_share_no_number_and_skip_none(engine: Engine) -> None:
    cases = [f"WA-2026-{n:06d}" for n in range(1, 17)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        # Every case's notice twice at once: each gets one number, no two the same.
        seqs = list(pool.map(lambda case_id: _issue(engine, case_id), cases * 2))
    by_case: dict[str, set[int]] = {}
    for case_id, seq in zip(cases * 2, seqs, strict=True):
        by_case.setdefault(case_id, set()).add(seq)
    assert all(len(numbers) == 1 for numbers in by_case.values())
    assert sorted(n for numbers in by_case.values() for n in numbers) == list(range(1, 17))
