"""The client installs on its own (`pip install ./client`): it needs only httpx and pydantic,
and imports nothing else outside the standard library. The `clinic` command
(clinic_client/cli) is the `cli` extra: it may import its own three packages too."""

import ast
import sys
import tomllib
from pathlib import Path

CLIENT = Path(__file__).resolve().parents[2] / "client"
ALLOWED = {"httpx", "pydantic", "clinic_client"}
CLI = CLIENT / "clinic_client" / "cli"
CLI_EXTRA = {"typer", "rich", "platformdirs"}


def imported_packages(source: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_client_imports_only_the_standard_library_httpx_and_pydantic():
    outside = {
        f"{source.relative_to(CLIENT)}: {name}"
        for source in (CLIENT / "clinic_client").rglob("*.py")
        for name in imported_packages(source)
        if name not in _allowed(source) and name not in sys.stdlib_module_names
    }
    assert sorted(outside) == []


def _allowed(source: Path) -> set[str]:
    return ALLOWED | CLI_EXTRA if source.is_relative_to(CLI) else ALLOWED


def test_the_client_depends_on_httpx_and_pydantic_only():
    project = tomllib.loads((CLIENT / "pyproject.toml").read_text())["project"]
    assert [spec.split(">")[0] for spec in project["dependencies"]] == ["httpx", "pydantic"]


def test_the_cli_extra_names_what_the_command_imports():
    project = tomllib.loads((CLIENT / "pyproject.toml").read_text())["project"]
    extra = project["optional-dependencies"]["cli"]
    assert {spec.split(">")[0] for spec in extra} == CLI_EXTRA
    assert project["scripts"] == {"clinic": "clinic_client.cli:main"}
