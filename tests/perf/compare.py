"""`make bench AGAINST=<commit>`: this tree and another commit, measured in one run.

Two `make bench` runs minutes apart on a shared machine can differ by more than the
10% a change may cost, so a comparison is measured in one invocation. The other
commit is checked out into a temporary worktree with its own environment
(`uv sync --frozen`). Each commit builds its own clinic, in its own database, with
its own migrations and builders, and serves it with its own app. In every round,
each row is measured on both apps back to back, each beside the baseline, and the
order of the two swaps from round to round. The change of a row is the median of
its rounds' paired changes (`table.compare_rounds`).

Then every `tests/perf/bench_*.py` that both commits have runs in both, in turn, in
their own environments. `BENCH_ONLY=<text>` measures only the rows (and runs only the
benchmarks) whose name holds it.
"""

import contextlib
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.perf.run import (
    REPO_ROOT,
    ROUNDS,
    Fixtures,
    Server,
    bench_database,
    endpoints,
    ensure_wrk,
    measure_endpoint,
    prepare,
    serve_app,
    serve_baseline,
    wait_for_the_seal,
)
from tests.perf.table import Result, compare_rounds, median_round, print_comparison, print_table

ONLY = os.environ.get("BENCH_ONLY", "")

# Run by the other commit's Python in its tree: its own `prepare`, whose fixtures come
# back as JSON on the last line.
_PREPARE = (
    "import dataclasses, json, sys\n"
    "from tests.perf.run import prepare\n"
    "fixtures = dataclasses.asdict(prepare(sys.argv[1]))\n"
    "print('\\nFIXTURES ' + json.dumps(fixtures, default=str))\n"
)


@dataclass
class Tree:
    """A commit's checkout and the Python of its environment."""

    name: str
    path: Path
    python: str


def uv() -> str:
    found = shutil.which("uv")
    if not found:
        raise SystemExit("uv is not on PATH; `make install` installs it")
    return found


def _environment_of_its_own() -> dict[str, str]:
    # `uv run` exports the running environment; the worktree must sync and use its own.
    return {
        k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")
    }


@contextlib.contextmanager
def checkout(commit: str) -> Iterator[Tree]:
    name = subprocess.run(
        ["git", "rev-parse", "--short", commit],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="homeward-bench-") as parent:
        path = Path(parent) / name
        git = ["git", "-C", str(REPO_ROOT), "worktree"]
        subprocess.run([*git, "add", "--detach", "--quiet", str(path), name], check=True)
        try:
            print(f"Installing {name}'s environment in a worktree …", flush=True)
            subprocess.run(
                [uv(), "sync", "--frozen", "--quiet"],
                cwd=path,
                env=_environment_of_its_own(),
                check=True,
            )
            yield Tree(name, path, str(path / ".venv" / "bin" / "python"))
        finally:
            subprocess.run([*git, "remove", "--force", str(path)], check=False)


def this_tree() -> Tree:
    name = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return Tree(name, REPO_ROOT, sys.executable)


def prepare_in(tree: Tree, database_url: str) -> Fixtures:
    if tree.path == REPO_ROOT:
        return prepare(database_url)
    output = subprocess.run(
        [tree.python, "-c", _PREPARE, database_url],
        cwd=tree.path,
        env=_environment_of_its_own(),
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    ).stdout
    told, fixtures = output.rsplit("\nFIXTURES ", 1)
    print(told.rstrip())
    fields = json.loads(fixtures)
    return Fixtures(
        enrollment_id=uuid.UUID(fields["enrollment_id"]),
        session_id=uuid.UUID(fields["session_id"]),
        roster=[uuid.UUID(e) for e in fields["roster"]],
        active=[uuid.UUID(e) for e in fields["active"]],
        day_from=fields["day_from"],
        day_to=fields["day_to"],
    )


@dataclass
class Side:
    tree: Tree
    fixtures: Fixtures
    app: Server
    routes: set[str]
    rounds: list[list[Result]] = dataclasses.field(default_factory=list)


def measure_compared(commit: str) -> None:
    wrk = ensure_wrk()
    here = this_tree()
    with contextlib.ExitStack() as stack:
        there = stack.enter_context(checkout(commit))
        baseline = stack.enter_context(serve_baseline())
        sides = [stack.enter_context(_side(tree)) for tree in (here, there)]
        for number in range(1, ROUNDS + 1):
            print(f"Round {number} of {ROUNDS}", flush=True)
            # The one measured first in a round is measured second in the next.
            order = sides if number % 2 else sides[::-1]
            for side in sides:
                side.rounds.append([])
            rows = zip(*(endpoints(side.fixtures, number) for side in order), strict=True)
            for pair in (pair for pair in rows if ONLY in pair[0].name):
                print(f"  {pair[0].name} …", flush=True)
                for side, endpoint in zip(order, pair, strict=True):
                    for each in sides:
                        wait_for_the_seal(each.app)
                    result = measure_endpoint(wrk, side.app, baseline, endpoint, side.routes)
                    side.rounds[-1].append(result)
                    print(f"    {side.tree.name:>14} {_brief(result)}", flush=True)
    for side in sides:
        print(f"\n== {side.tree.name} ==")
        print_table([median_round(row) for row in zip(*side.rounds, strict=True)])
    after, before = sides
    print_comparison(
        [
            compare_rounds(list(after_row), list(before_row))
            for after_row, before_row in zip(
                zip(*after.rounds, strict=True), zip(*before.rounds, strict=True), strict=True
            )
        ],
        after=after.tree.name,
        before=before.tree.name,
    )


def _brief(result: Result) -> str:
    if result.ratio is None:
        return result.note or "no result"
    cost = (result.server_cpu_us or 0) + (result.database_cpu_us or 0)
    return f"{result.ratio:6.1%}  {cost:6.0f} µs of CPU a request (app and database)"


@contextlib.contextmanager
def _side(tree: Tree) -> Iterator[Side]:
    with bench_database() as database_url:
        print(f"{tree.name}:", flush=True)
        fixtures = prepare_in(tree, database_url)
        with serve_app(database_url, tree.path, tree.python) as (app, routes):
            yield Side(tree, fixtures, app, routes)


def run_other_benchmarks_compared(commit: str) -> None:
    here = this_tree()
    with checkout(commit) as there:
        names = sorted(
            path.stem
            for path in (REPO_ROOT / "tests" / "perf").glob("bench_*.py")
            if (there.path / "tests" / "perf" / path.name).exists() and ONLY in path.stem
        )
        for name in names:
            for tree in (there, here):
                print(f"\n== tests/perf/{name}.py at {tree.name} ==", flush=True)
                subprocess.run(
                    [tree.python, "-m", f"tests.perf.{name}"],
                    cwd=tree.path,
                    env=_environment_of_its_own() if tree is there else None,
                    check=False,
                )


def main() -> None:
    # `python -m tests.perf.compare <commit> [all|http|others]`
    if len(sys.argv) < 2:
        raise SystemExit("usage: python -m tests.perf.compare <commit> [all|http|others]")
    commit = sys.argv[1]
    part = sys.argv[2] if len(sys.argv) > 2 else "all"
    if part in ("all", "http"):
        measure_compared(commit)
    if part in ("all", "others"):
        run_other_benchmarks_compared(commit)


if __name__ == "__main__":
    main()
