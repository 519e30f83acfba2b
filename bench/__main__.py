"""`make bench`: start a throwaway stack, create data, run closed-loop load scenarios, report;
then search over 100,000 generated patients on a second throwaway stack (search-100k), a
patient's own plans over 100,000 plans against a bare ceiling app on a third (me-plans), and
scheduling's booking against its own ceiling, a month's availability over 200,000
appointments and the day sheet, each on one more (booking, availability-month, day-sheet).

python -m bench [--seconds 10] [--concurrency 32] [--scenario NAME ...] [--ref REV] [--list]
"""

import argparse
import asyncio
import dataclasses
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from bench import (
    accountcheck,
    booking,
    bookingreport,
    meplans,
    meplansreport,
    report,
    schedulereads,
    schedulereadsreport,
    search100k,
    searchreport,
)
from bench.data import Tokens, create_patients, sign_in_all
from bench.load import Result, make_client, run_closed_loop
from bench.scenarios import SCENARIOS, Fixture, Scenario, by_name
from bench.source import describe, source_tree
from bench.stack import Stack, log_problems, running_stack

Rows = list[tuple[Scenario, Result]]
T = TypeVar("T")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per scenario (default 10)")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight (32)")
    parser.add_argument("--warmup", type=float, default=1.0, help="unrecorded seconds first (1)")
    parser.add_argument("--patients", type=int, default=200, help="patients made first (200)")
    parser.add_argument(
        "--scenario", action="append", metavar="NAME", help="run only this one (repeatable)"
    )
    parser.add_argument(
        "--ref", metavar="REV", help="run a committed revision (git archive) not the working tree"
    )
    parser.add_argument(
        "--client",
        choices=("httpx", "raw"),
        default="raw",
        help="load generator: plain asyncio sockets (default) or one shared httpx.AsyncClient",
    )
    parser.add_argument(
        "--search-patients", type=int, default=100_000, help="search-100k: patients (100000)"
    )
    parser.add_argument(
        "--search-requests", type=int, default=300, help="search-100k: searches measured (300)"
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="account-check(-remote): rounds per variant (5)"
    )
    parser.add_argument("--plans", type=int, default=100_000, help="me-plans: plans (100000)")
    parser.add_argument(
        "--plan-patients", type=int, default=50_000, help="me-plans: their patients (50000)"
    )
    parser.add_argument(
        "--sessions", type=int, default=1_000_000, help="me-plans: home sessions (1000000)"
    )
    parser.add_argument(
        "--plan-requests", type=int, default=1000, help="me-plans: measured one at a time (1000)"
    )
    parser.add_argument(
        "--ceiling-rounds", type=int, default=3, help="me-plans: in-flight rounds per app (3)"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="me-plans: one more round per app under py-spy, CPU by request step (needs py-spy)",
    )
    parser.add_argument(
        "--appointments",
        type=int,
        default=200_000,
        help="availability-month: appointments COPYed (200000)",
    )
    parser.add_argument(
        "--read-requests",
        type=int,
        default=200,
        help="availability-month, day-sheet: requests measured one at a time (200)",
    )
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.concurrency < 1 or args.warmup < 0 or args.patients < 1:
        parser.error("--seconds, --concurrency and --patients must be positive")
    if args.rounds < 1 or args.ceiling_rounds < 1 or args.plan_requests < 1:
        parser.error("--rounds, --ceiling-rounds and --plan-requests must be positive")
    if not 1 < args.plan_patients < args.plans or args.sessions < 0:
        parser.error("me-plans needs more --plans than --plan-patients, and at least 2 patients")
    if args.appointments < 1 or args.read_requests < 1:
        parser.error("--appointments and --read-requests must be positive")
    if args.search_patients < 10 or args.search_requests < 1:
        parser.error("--search-patients must be at least 10, --search-requests positive")
    if args.ref is not None and args.ref.startswith("-"):
        parser.error(f"--ref {args.ref!r} is not a revision")
    return args


def print_list() -> None:
    for s in SCENARIOS:
        print(f"{s.name:<15} {s.request:<50} {s.measures}")
    print(f"{search100k.NAME:<15} {search100k.REQUEST:<50} {search100k.MEASURES}")
    print(f"{meplans.NAME:<15} {meplans.REQUEST:<50} {meplans.MEASURES}")
    print(f"{booking.NAME:<15} {booking.REQUEST:<50} {booking.MEASURES}")
    for read in schedulereads.SCENARIOS.values():
        print(f"{read.name:<15} {read.request:<50} {read.measures}")
    for c in accountcheck.CHECKS:
        print(f"{c.name:<15} {c.request:<50} {c.measures} (only named)")


@dataclasses.dataclass(frozen=True)
class Selection:
    """What to run: closed-loop scenarios, and which parts on stacks of their own."""

    loops: list[Scenario]
    search: bool
    me_plans: bool
    checks: list[str]
    booking: bool = False
    reads: list[str] = dataclasses.field(default_factory=list)  # availability-month, day-sheet


def selection(names: list[str] | None) -> Selection:
    """The scenarios named; all but the account checks when none named."""
    if not names:
        return Selection(
            list(SCENARIOS),
            search=True,
            me_plans=True,
            checks=[],
            booking=True,
            reads=list(schedulereads.NAMES),
        )
    own_stacks = (
        search100k.NAME,
        meplans.NAME,
        booking.NAME,
        *schedulereads.NAMES,
        *accountcheck.NAMES,
    )
    known = [s.name for s in SCENARIOS] + list(own_stacks)
    if unknown := [n for n in names if n not in known]:
        raise SystemExit(f"no scenario {unknown[0]!r}; known: {', '.join(known)}")
    return Selection(
        loops=[by_name(n) for n in dict.fromkeys(names) if n not in own_stacks],
        search=search100k.NAME in names,
        me_plans=meplans.NAME in names,
        checks=[n for n in accountcheck.NAMES if n in names],
        booking=booking.NAME in names,
        reads=[n for n in schedulereads.NAMES if n in names],
    )


async def run_one(scenario: Scenario, fixture: Fixture, args: argparse.Namespace) -> Result:
    send = scenario.build(fixture)
    async with make_client(args.concurrency, args.client) as client:
        if args.warmup:
            await run_closed_loop(
                "warm-up", client, send, seconds=args.warmup, concurrency=args.concurrency
            )
        result = await run_closed_loop(
            scenario.name, client, send, seconds=args.seconds, concurrency=args.concurrency
        )
    errors = result.tally.errors
    print(f"  {scenario.name:<15} {result.rate:8,.0f} req/s  errors {errors}", flush=True)
    return result


async def fixture_for(stack: Stack, patients: int) -> Fixture:
    rng = random.Random(20261124)
    async with make_client(8) as client:
        tokens = await sign_in_all(client, stack)
        ids = await create_patients(client, stack, tokens.front_desk, patients, rng)
    return Fixture(stack=stack, tokens=tokens, patient_ids=ids, rng=rng)


async def fresh_tokens(stack: Stack) -> Tokens:
    """Tokens live 15 minutes; each scenario signs in anew so long runs never see them expire."""
    async with make_client(2) as client:
        return await sign_in_all(client, stack)


async def run_all(stack: Stack, scenarios: list[Scenario], args: argparse.Namespace) -> Rows:
    print(f"Creating {args.patients} patients through the API...", flush=True)
    fixture = await fixture_for(stack, args.patients)
    rows = []
    for scenario in scenarios:
        fixture = dataclasses.replace(fixture, tokens=await fresh_tokens(stack))
        rows.append((scenario, await run_one(scenario, fixture, args)))
    return rows


def guarded(stack: Stack, work: Callable[[], T]) -> T:
    """Run work; on failure show the services' log problems before they are deleted."""
    try:
        return work()
    except BaseException:
        print("Warnings and errors in the services' logs:", file=sys.stderr)
        for line in log_problems(stack) or ["none"]:
            print(f"  {line}", file=sys.stderr)
        raise


def benchmark(stack: Stack, scenarios: list[Scenario], args: argparse.Namespace) -> Rows:
    return guarded(stack, lambda: asyncio.run(run_all(stack, scenarios, args)))


def settings_line(args: argparse.Namespace) -> str:
    return (
        f"{args.seconds:g} s per scenario after {args.warmup:g} s warm-up, "
        f"concurrency {args.concurrency}, {args.patients} patients made first, "
        f"load generator client: {args.client}"
    )


def run_loops(root: Path, scenarios: list[Scenario], args: argparse.Namespace, code: str) -> str:
    started = report.now_utc()
    print(f"Starting a throwaway stack (ops.run) from the {code}...", flush=True)
    with running_stack(root) as stack:
        rows = benchmark(stack, scenarios, args)
        problems = log_problems(stack)
    return report.render(
        rows, started=started, settings=settings_line(args), code=code, log_problems=problems
    )


def run_search(root: Path, args: argparse.Namespace, code: str) -> str:
    started = report.now_utc()
    print(f"Starting a throwaway stack for {search100k.NAME} from the {code}...", flush=True)
    with running_stack(root) as stack:
        run = guarded(stack, lambda: search100k.run_sync(stack, args))
        problems = log_problems(stack)
    return searchreport.render(run, started=started, code=code, args=args, problems=problems)


def run_me_plans(root: Path, args: argparse.Namespace, code: str) -> str:
    started, load = report.now_utc(), report.load_average()
    print(f"Starting a throwaway stack for {meplans.NAME} from the {code}...", flush=True)
    with running_stack(root) as stack:
        run = guarded(stack, lambda: meplans.run_sync(stack, args))
        problems = log_problems(stack)
    return meplansreport.render(
        run, started=started, load=load, code=code, args=args, problems=problems
    )


def run_booking(root: Path, args: argparse.Namespace, code: str) -> str:
    started, load = report.now_utc(), report.load_average()
    print(f"Starting a throwaway stack for {booking.NAME} from the {code}...", flush=True)
    with running_stack(root) as stack:
        run = guarded(stack, lambda: booking.run_sync(stack, args))
        problems = log_problems(stack)
    return bookingreport.render(
        run, started=started, load=load, code=code, args=args, problems=problems
    )


def run_schedule_read(name: str, root: Path, args: argparse.Namespace, code: str) -> str:
    started, load = report.now_utc(), report.load_average()
    print(f"Starting a throwaway stack for {name} from the {code}...", flush=True)
    with running_stack(root) as stack:
        run = guarded(stack, lambda: schedulereads.run_sync(name, stack, args))
        problems = log_problems(stack)
    return schedulereadsreport.render(
        run, started=started, load=load, code=code, args=args, problems=problems
    )


def run_account_check(name: str, root: Path, args: argparse.Namespace, code: str) -> str:
    started = report.now_utc()
    measured = accountcheck.by_name(name)
    print(f"Starting a throwaway stack for {name} from the {code}...", flush=True)
    with running_stack(root) as stack:
        run = guarded(stack, lambda: accountcheck.run_sync(measured, stack, root, args))
    return accountcheck.render(run, started=started, code=code, args=args)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        print_list()
        return 0
    chosen = selection(args.scenario)
    code, parts = describe(args.ref), []
    with source_tree(args.ref) as root:
        if chosen.loops:
            parts.append(run_loops(root, chosen.loops, args, code))
        if chosen.search:
            parts.append(run_search(root, args, code))
        if chosen.me_plans:
            parts.append(run_me_plans(root, args, code))
        if chosen.booking:
            parts.append(run_booking(root, args, code))
        parts.extend(run_schedule_read(name, root, args, code) for name in chosen.reads)
        parts.extend(run_account_check(name, root, args, code) for name in chosen.checks)
    text = "\n".join(parts)
    print("\n" + text)
    print(f"Written to {report.write_latest(text)}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("Interrupted; the stack was stopped and its temp folder deleted.", file=sys.stderr)
        sys.exit(130)
