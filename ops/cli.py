"""`clinic-admin`: the operator's command line."""

import argparse
import asyncio

from ops.migrate import upgrade_to_head
from ops.seed import seed
from services.common.settings import get_settings


def _migrate(args: argparse.Namespace) -> None:
    upgrade_to_head(get_settings().database_url)
    print("database schema at head")


def _seed(args: argparse.Namespace) -> None:
    settings = get_settings()
    report = asyncio.run(seed(settings))
    print("reference data present (clinics, appointment types, exercise library)")
    if report.generated_password:
        print(f"demo accounts created with the password: {report.generated_password}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="clinic-admin", description="Operate the clinic backend.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "migrate", help="upgrade the database schema to the newest migration"
    ).set_defaults(handler=_migrate)
    sub.add_parser(
        "seed", help="add the reference data (and demo accounts outside production)"
    ).set_defaults(handler=_seed)
    args = parser.parse_args(argv)
    args.handler(args)


if __name__ == "__main__":
    main()
