"""The `clinic` command: the clinic's API from a terminal, for patients, the front desk,
therapists and admins.

Installed with the client's `cli` extra (`pip install "./client[cli]"`: Typer, Rich and
platformdirs on top of the client), as the `clinic` console script. `clinic --help` lists
the commands by role; the exit statuses are in exits.py.
"""


def main() -> None:
    """The console script: says what to install when the extra is missing."""
    try:
        from clinic_client.cli.app import app
    except ImportError as missing:
        raise SystemExit(
            f"The clinic command needs the client's cli extra ({missing.name} is missing): "
            'pip install "clinic-client[cli]"'
        ) from None
    app()
