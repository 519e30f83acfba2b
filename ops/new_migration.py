"""Write a new migration from the models: `python -m ops.new_migration "what it does"`.

Builds a throw-away database on a private embedded server, migrates it to head and lets
Alembic compare it with the models. Read and edit what it writes (data changes, triggers and
renames are never found by the comparison)."""

import asyncio
import sys

from alembic import command

from ops.migrate import alembic_config, upgrade_to_head
from tests.database import TestServer, create_empty


def main(message: str) -> None:
    server = TestServer()
    try:
        url = asyncio.run(create_empty(server.base_url, "new_migration"))
        upgrade_to_head(url)
        command.revision(alembic_config(url), message=message, autogenerate=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main(" ".join(sys.argv[1:]) or "change")
