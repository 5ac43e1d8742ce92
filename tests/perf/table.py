"""The HTTP benchmark's results, and the table `make bench` prints of them.

Each row is measured in several rounds, taken in turn across the whole run: the
machine is shared, and its speed drifts over minutes. A row shows its median round,
and the range of its ratios says how far one round can be trusted.
"""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

BARE_ORM_READ = "reference: ORM read by id, bare"


@dataclass
class Result:
    name: str
    requests_per_second: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    errors: int = 0
    goal: float | None = None
    note: str = ""
    # CPU time per request: the server process's, and the database server's (all of it).
    server_cpu_us: float | None = None
    database_cpu_us: float | None = None
    # The baseline, measured just before this result: the machine is shared, and its
    # speed drifts over a run; each ratio compares two measurements taken side by side.
    baseline_per_second: float | None = None
    baseline_cpu_us: float | None = None
    # The lowest and highest ratio of the rounds this result is the median of.
    ratio_range: tuple[float, float] | None = None

    @property
    def ratio(self) -> float | None:
        if self.requests_per_second is None or not self.baseline_per_second:
            return None
        return self.requests_per_second / self.baseline_per_second


def median_round(rounds: Sequence[Result]) -> Result:
    """The round with the median ratio (the lower one of an even count), with the range.

    A round that failed or answered errors speaks for the row instead: a median would
    hide it.
    """
    failed = [r for r in rounds if r.ratio is None or r.errors]
    if failed:
        return failed[0]
    ordered = sorted(rounds, key=lambda r: r.ratio or 0.0)
    median = ordered[(len(ordered) - 1) // 2]
    low, high = ordered[0].ratio, ordered[-1].ratio
    if low is not None and high is not None and len(ordered) > 1:
        median.ratio_range = (low, high)
    return median


def times_orm_read(result: Result, orm_read: Result | None) -> float | None:
    """`result`'s ratio over the bare ORM read's: how many such reads each request is worth.

    The goals are set against the baseline, whose speed on a machine moves apart from
    that of database work: this says how an endpoint compares with the leanest read.
    """
    ratio, orm_ratio = result.ratio, orm_read.ratio if orm_read else None
    return ratio / orm_ratio if ratio is not None and orm_ratio else None


def _fmt(value: float | None, pattern: str) -> str:
    return "—" if value is None else format(value, pattern)


def _range(result: Result) -> str:
    if result.ratio_range is None:
        return ""
    low, high = result.ratio_range
    return f"{low:.1%}-{high:.1%}"


def print_table(results: list[Result]) -> None:
    header = (
        f"{'endpoint':<44} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'base/s':>7} "
        f"{'ratio':>6} {'rounds':>12} {'goal':>5} {'vs ORM':>6} {'app µs':>7} {'db µs':>7}  "
    )
    orm_read = next((r for r in results if r.name == BARE_ORM_READ), None)
    print("\n" + header + "verdict")
    print("-" * (len(header) + 22))
    rates = [r.baseline_per_second for r in results if r.baseline_per_second]
    costs = [r.baseline_cpu_us for r in results if r.baseline_cpu_us]
    if rates and costs:
        print(
            f"{'baseline (median of the runs beside each row)':<44} "
            f"{statistics.median(rates):>7.0f} {'':>7} {'':>7} {'':>7} {'':>6} {'':>12} "
            f"{'':>5} {'':>6} {statistics.median(costs):>7.0f} {0:>7}"
        )
    for result in results:
        ratio = result.ratio
        goal = f"{result.goal:.0%}" if result.goal is not None else ""
        if ratio is None:
            verdict = result.note or "no result"
        elif result.errors:
            verdict = f"{result.errors} non-2xx responses"
        elif result.goal is None:
            verdict = "reference"
        else:
            verdict = "meets goal" if ratio >= result.goal else "MISSES goal"
        print(
            f"{result.name:<44} {_fmt(result.requests_per_second, '.0f'):>7} "
            f"{_fmt(result.p50_ms, '.2f'):>7} {_fmt(result.p99_ms, '.2f'):>7} "
            f"{_fmt(result.baseline_per_second, '.0f'):>7} {_fmt(ratio, '.1%'):>6} "
            f"{_range(result):>12} {goal:>5} "
            f"{_fmt(times_orm_read(result, orm_read), '.2f'):>6} "
            f"{_fmt(result.server_cpu_us, '.0f'):>7} {_fmt(result.database_cpu_us, '.0f'):>7}  "
            f"{verdict}"
        )
    print(
        "\nratio: requests/s over the baseline's (a minimal async FastAPI app, same uvicorn "
        "options),\nmeasured just before each row; the median round, with the range of "
        "all rounds. vs ORM: the\nratio over the bare ORM read's (the issue puts that read "
        "at about 15% of the baseline on its\nhardware). app µs / db µs: CPU time per "
        "request of the server process (pinned to its own\ncore) and of all PostgreSQL "
        "processes."
    )


# A row whose ratio falls by more than this against the other commit's is flagged.
ALLOWED_FALL = 0.10


@dataclass
class Comparison:
    name: str
    after: Result
    before: Result
    # The median of the rounds' paired changes of the ratio (after over before, less 1),
    # and their range; None where a round has no ratio on either side.
    change: float | None = None
    change_range: tuple[float, float] | None = None


def compare_rounds(after: Sequence[Result], before: Sequence[Result]) -> Comparison:
    """One row on two commits, each measured once per round, the two back to back.

    Within a round both sides ran seconds apart, so the change of each round is taken
    first and the median of those is the row's: a slow minute of the machine moves both.
    """
    comparison = Comparison(after[0].name, median_round(after), median_round(before))
    changes = [
        a.ratio / b.ratio - 1
        for a, b in zip(after, before, strict=True)
        if a.ratio is not None and b.ratio and not a.errors and not b.errors
    ]
    if len(changes) == len(after):
        ordered = sorted(changes)
        comparison.change = ordered[(len(ordered) - 1) // 2]
        comparison.change_range = (ordered[0], ordered[-1])
    return comparison


def print_comparison(rows: list[Comparison], *, after: str, before: str) -> None:
    header = f"{'endpoint':<44} {before:>14} {after:>14} {'change':>7} {'rounds':>15}  "
    print(f"\n{after} against {before}, measured in turn in each round:")
    print("\n" + header + "verdict")
    print("-" * (len(header) + 26))
    for row in rows:
        if row.change is None or row.change_range is None:
            verdict = row.after.note or row.before.note or "no result on one side"
            changes = "—"
            span = ""
        else:
            fell = row.change < -ALLOWED_FALL
            verdict = f"DOWN by more than {ALLOWED_FALL:.0%}" if fell else "within bounds"
            changes = f"{row.change:+.1%}"
            span = f"{row.change_range[0]:+.1%}..{row.change_range[1]:+.1%}"
        print(
            f"{row.name:<44} {_fmt(row.before.ratio, '.1%'):>14} "
            f"{_fmt(row.after.ratio, '.1%'):>14} {changes:>7} {span:>15}  {verdict}"
        )
    print(
        "\nEach side's ratio is its median round's; change: the median of the rounds' "
        "changes of the\nratio (each round measures both sides back to back), with their "
        "range."
    )
