"""The client installs on its own (`pip install ./client`): it needs only httpx and pydantic,
and imports nothing else outside the standard library."""

import ast
import sys
import tomllib
from pathlib import Path

CLIENT = Path(__file__).resolve().parents[2] / "client"
ALLOWED = {"httpx", "pydantic", "clinic_client"}


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
        if name not in ALLOWED and name not in sys.stdlib_module_names
    }
    assert sorted(outside) == []


def test_the_client_depends_on_httpx_and_pydantic_only():
    project = tomllib.loads((CLIENT / "pyproject.toml").read_text())["project"]
    assert [spec.split(">")[0] for spec in project["dependencies"]] == ["httpx", "pydantic"]
