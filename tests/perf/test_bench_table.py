"""The HTTP benchmark's table: each row's ratio, and the same over the bare ORM read's."""

import pytest

from tests.perf.table import (
    BARE_ORM_READ,
    Result,
    compare_rounds,
    median_round,
    print_comparison,
    print_table,
    times_orm_read,
)


def _result(name: str, per_second: float, baseline: float, goal: float | None = None) -> Result:
    return Result(
        name,
        requests_per_second=per_second,
        baseline_per_second=baseline,
        goal=goal,
        p50_ms=1.0,
        p99_ms=2.0,
        server_cpu_us=500.0,
        database_cpu_us=300.0,
        baseline_cpu_us=100.0,
    )


def test_times_orm_read_compares_ratios_not_rates() -> None:
    orm_read = _result(BARE_ORM_READ, 1000, 10_000)  # 10%
    # Fewer requests per second, but beside a slower baseline: 15%.
    endpoint = _result("GET /x", 900, 6_000)
    assert times_orm_read(endpoint, orm_read) == pytest.approx(1.5)


def test_times_orm_read_is_unknown_without_the_reference() -> None:
    endpoint = _result("GET /x", 900, 6_000)
    assert times_orm_read(endpoint, None) is None
    assert times_orm_read(endpoint, Result(BARE_ORM_READ, note="did not start")) is None
    assert times_orm_read(Result("GET /y", note="not available yet"), endpoint) is None


def test_table_prints_verdicts_and_the_comparison(capsys: pytest.CaptureFixture[str]) -> None:
    print_table(
        [
            _result(BARE_ORM_READ, 1000, 10_000),
            _result("GET /fast", 2500, 10_000, goal=0.2),
            _result("GET /slow", 900, 10_000, goal=0.1),
        ]
    )
    rows = {line.split("  ")[0]: line.split() for line in capsys.readouterr().out.splitlines()}
    assert " ".join(rows["GET /fast"][-8:]) == "10000 25.0% 20% 2.50 500 300 meets goal"
    assert " ".join(rows["GET /slow"][-8:]) == "10000 9.0% 10% 0.90 500 300 MISSES goal"
    assert " ".join(rows[BARE_ORM_READ][-5:]) == "10.0% 1.00 500 300 reference"


def test_a_row_shows_its_median_round_and_the_range() -> None:
    rounds = [_result("GET /x", rate, 10_000) for rate in (1100, 900, 1000)]
    median = median_round(rounds)
    assert median is rounds[2]
    assert median.ratio_range == (pytest.approx(0.09), pytest.approx(0.11))


def test_the_lower_median_of_an_even_count() -> None:
    rounds = [_result("GET /x", rate, 10_000) for rate in (1100, 900)]
    assert median_round(rounds) is rounds[1]


def test_a_failed_round_speaks_for_the_row() -> None:
    erring = _result("GET /x", 5000, 10_000)
    erring.errors = 3
    assert median_round([_result("GET /x", 1000, 10_000), erring]) is erring
    missing = Result("GET /x", note="answers 500")
    assert median_round([_result("GET /x", 1000, 10_000), missing]) is missing


def test_the_range_is_printed_beside_the_median(capsys: pytest.CaptureFixture[str]) -> None:
    rounds = [_result("GET /x", rate, 10_000, goal=0.1) for rate in (1100, 900, 1000)]
    print_table([median_round(rounds)])
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("GET /x"))
    assert " ".join(row.split()[-9:]) == "10000 10.0% 9.0%-11.0% 10% — 500 300 meets goal"


def test_a_comparison_takes_the_median_of_each_rounds_paired_change() -> None:
    # The machine slows in round 2: both sides fall together, and the change holds.
    after = [_result("GET /x", rate, 10_000) for rate in (1000, 500, 990)]
    before = [_result("GET /x", rate, 10_000) for rate in (1000, 520, 1100)]
    comparison = compare_rounds(after, before)
    assert comparison.change == pytest.approx(500 / 520 - 1)
    assert comparison.change_range == (pytest.approx(-0.1), pytest.approx(0.0))
    assert comparison.after is after[2]
    assert comparison.before is before[0]


def test_a_comparison_has_no_change_when_a_round_failed() -> None:
    after = [_result("GET /x", 1000, 10_000), Result("GET /x", note="answers 500")]
    before = [_result("GET /x", 1000, 10_000), _result("GET /x", 1000, 10_000)]
    assert compare_rounds(after, before).change is None


def test_the_comparison_flags_a_row_down_by_more_than_ten_percent(
    capsys: pytest.CaptureFixture[str],
) -> None:
    print_comparison(
        [
            compare_rounds(
                [_result("GET /held", 950, 10_000)], [_result("GET /held", 1000, 10_000)]
            ),
            compare_rounds(
                [_result("GET /fell", 880, 10_000)], [_result("GET /fell", 1000, 10_000)]
            ),
            compare_rounds(
                [Result("GET /new", note="not available yet")], [_result("GET /new", 1, 10)]
            ),
        ],
        after="after",
        before="before",
    )
    rows = {line.split("  ")[0]: line.split() for line in capsys.readouterr().out.splitlines()}
    assert rows["GET /held"][2:] == ["10.0%", "9.5%", "-5.0%", "-5.0%..-5.0%", "within", "bounds"]
    assert rows["GET /fell"][2:5] == ["10.0%", "8.8%", "-12.0%"]
    assert rows["GET /fell"][-5:] == ["DOWN", "by", "more", "than", "10%"]
    assert rows["GET /new"][-3:] == ["not", "available", "yet"]
