"""Wiring of the production container files.

No Docker engine runs where the tests do, so nothing here builds or starts a
container. The files are parsed instead (docker-compose.yml with PyYAML, the
Dockerfile and deploy/Caddyfile with small line-based readers) and checked
against each other: the compose services, their environment and start order,
the image the Dockerfile builds, the proxy's routes, and .env.example.

No database, no network, no conftest fixtures: the routes the proxy must serve
come from the three apps, built but never started.
"""

from __future__ import annotations

import ipaddress
import re
import shlex
from pathlib import Path

import pytest
import yaml

from services.patients.main import build_app as build_patients
from services.plans.main import build_app as build_plans
from services.scheduling.main import build_app as build_scheduling
from tests.app_routes import served_routes, service_only_routes

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
CADDYFILE = ROOT / "deploy" / "Caddyfile"
ENV_EXAMPLE = ROOT / ".env.example"

APP_SERVICES = ("patients", "plans", "scheduling")
# Services that run the app image and talk to the database.
DB_CLIENTS = ("migrate", *APP_SERVICES)
ALL_SERVICES = ("db", *DB_CLIENTS, "proxy")
APP_PORT = 8000
PUBLIC_PORT = 8080

# Each service's own pages, which the proxy serves only under the service's name
# (/plans/docs), never at the root, where the API lives.
SERVICE_PAGES = ("/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json", "/healthz", "/readyz")
# Paths no route serves: the proxy answers them itself with 404.
UNROUTED_PATHS = (
    "/",
    "/v1",
    "/v1/me",
    "/v1/unknown",
    "/docs",
    "/openapi.json",
    "/healthz",
    "/readyz",
    "/patientsx/docs",
    "/v2/patients",
    # Service-only (docs/access.md, "Services"), at the root or under a prefix.
    "/v1/accounts/x/status",
    "/patients/v1/accounts/x/status",
    "/v1/patients/x/status",
    "/V1/Patients/x/Status",
    "/v1/patient-names",
    "/patients/v1/patient-names",
    # The API once more under a service's prefix.
    "/patients/v1/patients",
    "/plans/v1/exercises",
    "/scheduling/v1/locations",
    "/patients/",
    "/plans/docs/x",
    "/scheduling/openapi.jsonx",
)

# Environment variable names that hold secrets.
SECRET_NAME = re.compile(r"PASSWORD|KEY|SECRET|TOKEN", re.IGNORECASE)
# A secret's value: a required interpolation, `${VAR:?message}` or
# `${VAR?message}`, so compose refuses to start when .env lacks it.
REQUIRED_INTERPOLATION = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?\?[^}]*\}")
# Any interpolation compose performs: ${VAR}, ${VAR:-default}, $VAR ...
# (`$$` is compose's escape for a literal `$` and is removed before matching).
INTERPOLATION = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<modifier>[^}]*)\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)
DATABASE_URL = re.compile(
    r"^(?P<scheme>[a-z0-9+]+)://(?P<user>[^:@/]+):(?P<password>.+)@"
    r"(?P<host>[^:/@]+):(?P<port>\d+)/(?P<database>[^/?]+)$"
)


# --------------------------------------------------------------------------
# docker-compose.yml helpers


def _compose() -> dict:
    # safe_load resolves YAML anchors and `<<` merge keys, as compose does.
    return yaml.safe_load(COMPOSE_FILE.read_text())


def _services() -> dict:
    return _compose()["services"]


def _env(service: dict) -> dict[str, str]:
    """A service's `environment`, list or mapping form, as a dict."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (item.partition("=") for item in env)
        return {key: value for key, _, value in pairs}
    return {key: "" if value is None else str(value) for key, value in env.items()}


def _depends_on(service: dict) -> dict[str, str]:
    """`depends_on` as {service: condition} (short form means started)."""
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: "service_started" for name in deps}
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def _argv(command: object) -> list[str]:
    if command is None:
        return []
    if isinstance(command, str):
        return shlex.split(command)
    return [str(part) for part in command]


def _option(argv: list[str], name: str) -> str | None:
    """Value of `--name value` or `--name=value` in argv, else None."""
    for index, arg in enumerate(argv):
        if arg == name and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def _strings(node: object):
    """Every string value in a parsed YAML tree (keys are not interpolated)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _interpolations(node: object) -> dict[str, set[str]]:
    """{variable name: set of modifiers} for every interpolation in node."""
    found: dict[str, set[str]] = {}
    for text in _strings(node):
        for match in INTERPOLATION.finditer(text.replace("$$", "")):
            name = match.group("braced") or match.group("bare")
            found.setdefault(name, set()).add(match.group("modifier") or "")
    return found


def _published_ports(service: dict) -> list[tuple[str, str]]:
    """(published, target) pairs of a service's `ports`."""
    pairs = []
    for entry in service.get("ports") or []:
        if isinstance(entry, dict):
            pairs.append((str(entry.get("published", "")), str(entry.get("target", ""))))
            continue
        parts = str(entry).split("/")[0].split(":")
        # "target", "published:target" or "ip:published:target"
        pairs.append(("", parts[0]) if len(parts) == 1 else (parts[-2], parts[-1]))
    return pairs


# --------------------------------------------------------------------------
# docker-compose.yml: services and start order


def test_compose_defines_every_service():
    services = _services()
    missing = [name for name in ALL_SERVICES if name not in services]
    assert not missing, f"docker-compose.yml lacks services: {missing}"


def test_db_is_postgres_17_on_a_named_volume_with_a_healthcheck():
    compose = _compose()
    db = compose["services"]["db"]
    assert db.get("image") == "postgres:17"

    declared = set((compose.get("volumes") or {}).keys())
    data_volumes = []
    for volume in db.get("volumes") or []:
        if isinstance(volume, dict):
            source, target = volume.get("source", ""), volume.get("target", "")
        else:
            source, _, target = str(volume).partition(":")
            target = target.split(":")[0]
        if target.rstrip("/") == "/var/lib/postgresql/data":
            data_volumes.append(source)
    assert data_volumes, "db does not mount anything at /var/lib/postgresql/data"
    source = data_volumes[0]
    assert not source.startswith((".", "/", "~")), f"db data is a bind mount: {source}"
    assert source in declared, f"volume {source!r} is not declared under top-level volumes"

    env = _env(db)
    assert env.get("POSTGRES_USER") == "clinic"
    assert env.get("POSTGRES_DB") == "clinic"
    assert REQUIRED_INTERPOLATION.fullmatch(env.get("POSTGRES_PASSWORD", "")), (
        "POSTGRES_PASSWORD must come from .env as ${POSTGRES_PASSWORD:?...}"
    )

    healthcheck = db.get("healthcheck") or {}
    assert not healthcheck.get("disable")
    assert "pg_isready" in " ".join(_argv(healthcheck.get("test")))


@pytest.mark.parametrize("name", DB_CLIENTS)
def test_database_url_points_at_the_db_service(name):
    services = _services()
    db_env = _env(services["db"])
    url = _env(services[name]).get("DATABASE_URL")
    assert url, f"{name} has no DATABASE_URL"

    match = DATABASE_URL.fullmatch(url)
    assert match, f"{name}: DATABASE_URL {url!r} is not scheme://user:password@host:port/db"
    assert match["scheme"] == "postgresql+asyncpg"
    assert match["host"] == "db"
    assert match["port"] == "5432"
    assert match["user"] == db_env.get("POSTGRES_USER")
    assert match["database"] == db_env.get("POSTGRES_DB")
    # The password is the one the db service was initialised with, from .env.
    assert REQUIRED_INTERPOLATION.fullmatch(match["password"]), (
        f"{name}: DATABASE_URL embeds a literal password"
    )
    assert set(_interpolations(match["password"])) == set(
        _interpolations(db_env["POSTGRES_PASSWORD"])
    )


@pytest.mark.parametrize("name", DB_CLIENTS)
def test_app_containers_share_one_image_built_from_the_dockerfile(name):
    services = _services()
    service = services[name]
    assert service.get("image") == services["patients"].get("image"), (
        f"{name} runs a different image from patients"
    )
    build = service.get("build")
    assert build, f"{name} has no build section"
    if isinstance(build, str):
        context, dockerfile = build, "Dockerfile"
    else:
        context, dockerfile = build.get("context", "."), build.get("dockerfile", "Dockerfile")
    assert (COMPOSE_FILE.parent / context / dockerfile).resolve() == DOCKERFILE


@pytest.mark.parametrize("name", DB_CLIENTS)
def test_app_containers_run_in_production_mode(name):
    env = _env(_services()[name])
    assert env.get("CLINIC_ENV") == "production"


def test_migrate_is_a_one_shot_job_that_migrates_then_seeds():
    migrate = _services()["migrate"]
    command = " ".join(_argv(migrate.get("command")))
    assert re.search(r"alembic upgrade head\s*&&\s*clinic-admin seed\b", command), command
    # Quoted in YAML: a bare `no` would load as the boolean false.
    assert migrate.get("restart") == "no"
    assert _depends_on(migrate).get("db") == "service_healthy"
    assert not migrate.get("healthcheck"), "a one-shot job has nothing to probe"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_runs_its_own_module_with_uvicorn(name):
    argv = _argv(_services()[name].get("command"))
    assert argv and argv[0] == "uvicorn", f"{name}: command {argv} does not start uvicorn"
    targets = [arg for arg in argv if re.fullmatch(r"[\w.]+:\w+", arg)]
    assert targets == [f"services.{name}.main:app"], f"{name} runs {targets}"
    module_file = ROOT / "services" / name / "main.py"
    assert module_file.is_file(), f"{name}'s command imports a missing {module_file}"
    host = _option(argv, "--host")
    # Every interface of the container, or the proxy cannot reach it.
    assert host and ipaddress.ip_address(host).is_unspecified, f"{name} listens on {host}"
    assert _option(argv, "--port") == str(APP_PORT)
    # Behind the proxy, the app alone decides whose X-Forwarded-* to believe
    # (CLINIC_TRUSTED_PROXIES): uvicorn must not rewrite the client first.
    assert "--no-proxy-headers" in argv
    assert _option(argv, "--forwarded-allow-ips") is None
    # Relative paths resolve against WORKDIR /app, the repository root.
    log_config = _option(argv, "--log-config")
    assert log_config is None or (ROOT / log_config).is_file(), f"{name}: no {log_config}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_trusts_exactly_the_internal_network(name):
    (pool,) = _compose()["networks"]["default"]["ipam"]["config"]
    subnet = ipaddress.ip_network(pool["subnet"])
    assert subnet.is_private
    trusted = _env(_services()[name]).get("CLINIC_TRUSTED_PROXIES", "")
    assert [ipaddress.ip_network(n.strip()) for n in trusted.split(",")] == [subnet]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_starts_after_migrations_and_a_healthy_database(name):
    service = _services()[name]
    deps = _depends_on(service)
    assert deps.get("migrate") == "service_completed_successfully"
    assert deps.get("db") == "service_healthy"
    assert service.get("restart") == "unless-stopped"


@pytest.mark.parametrize("name", [n for n in APP_SERVICES if n != "patients"])
def test_token_verifiers_wait_for_the_identity_provider(name):
    # plans and scheduling fetch patients' JWKS to verify tokens.
    assert _depends_on(_services()[name]).get("patients") == "service_healthy"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_healthcheck_probes_readyz(name):
    healthcheck = _services()[name].get("healthcheck") or {}
    assert healthcheck and not healthcheck.get("disable"), f"{name} has no healthcheck"
    probe = " ".join(_argv(healthcheck.get("test")))
    assert re.search(rf"(127\.0\.0\.1|localhost):{APP_PORT}/readyz\b", probe), probe
    # python:3.11-slim ships neither curl nor wget.
    assert "python" in probe
    assert not re.search(r"\b(curl|wget)\b", probe), probe


@pytest.mark.parametrize("name", DB_CLIENTS)
def test_services_find_each_other_by_compose_name(name):
    env = _env(_services()[name])
    for peer in APP_SERVICES:
        variable = f"CLINIC_{peer.upper()}_URL"
        assert env.get(variable) == f"http://{peer}:{APP_PORT}", f"{name}: {variable}"


def test_jwt_settings_agree_and_only_patients_holds_the_signing_key():
    services = _services()
    for setting in ("CLINIC_JWT_ISSUER", "CLINIC_JWT_AUDIENCE"):
        values = {name: _env(services[name]).get(setting) for name in APP_SERVICES}
        assert all(values.values()), f"{setting} missing: {values}"
        assert len(set(values.values())) == 1, f"{setting} differs: {values}"
    holders = [name for name in services if "CLINIC_JWT_PRIVATE_KEY" in _env(services[name])]
    assert holders == ["patients"]


def test_proxy_is_caddy_in_front_of_healthy_services():
    proxy = _services()["proxy"]
    assert str(proxy.get("image", "")).startswith("caddy:2")
    mounts = [str(v) for v in proxy.get("volumes") or [] if not isinstance(v, dict)]
    caddyfile_mounts = [m for m in mounts if m.split(":")[1:2] == ["/etc/caddy/Caddyfile"]]
    assert caddyfile_mounts, "proxy does not mount a Caddyfile at /etc/caddy/Caddyfile"
    source = caddyfile_mounts[0].split(":")[0]
    assert (COMPOSE_FILE.parent / source).resolve() == CADDYFILE
    deps = _depends_on(proxy)
    for name in APP_SERVICES:
        assert deps.get(name) == "service_healthy", f"proxy does not wait for {name}"


def test_only_the_proxy_is_published():
    services = _services()
    for name, service in services.items():
        assert service.get("network_mode") != "host", f"{name} uses the host network"
        if name != "proxy":
            assert not service.get("ports"), f"{name} publishes {service.get('ports')}"
    assert _published_ports(services["proxy"]) == [(str(PUBLIC_PORT), str(PUBLIC_PORT))]


def test_no_literal_secrets_in_compose():
    for name, service in _services().items():
        for variable, value in _env(service).items():
            if SECRET_NAME.search(variable):
                assert REQUIRED_INTERPOLATION.fullmatch(value), (
                    f"{name}: {variable} must be ${{{variable}:?...}} from .env, "
                    "not a literal or a default"
                )
    # No interpolation of a secret carries a default value either.
    for variable, modifiers in _interpolations(_compose()).items():
        if SECRET_NAME.search(variable):
            assert all("?" in modifier for modifier in modifiers), (
                f"${{{variable}}} must be required (:?), got {modifiers}"
            )


# --------------------------------------------------------------------------
# .env.example


def _env_example() -> dict[str, str]:
    """Assignments in .env.example, commented-out ones included."""
    assignments = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"\s*(#\s*)?(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line)
        if match and not (match[1] and match[2] in assignments):
            commented = bool(match[1])
            assignments[match[2]] = None if commented else match[3].strip()
    return assignments


def test_env_example_names_every_interpolated_variable():
    example = _env_example()
    used = _interpolations(_compose())
    assert used, "docker-compose.yml interpolates nothing from .env"
    missing = sorted(set(used) - set(example))
    assert not missing, f".env.example does not name {missing}"
    # Required ones must be real (uncommented) lines, so `cp` gives a template.
    for variable, modifiers in used.items():
        if any("?" in modifier for modifier in modifiers):
            assert example[variable] is not None, f"{variable} is commented out"


def test_env_example_carries_no_secret_values():
    for variable, value in _env_example().items():
        if SECRET_NAME.search(variable) and value is not None:
            assert value.strip("'\"") == "", f".env.example gives {variable} a value"


# --------------------------------------------------------------------------
# Dockerfile


def _dockerfile_stages() -> tuple[dict[str, str], list[list[tuple[str, str]]]]:
    """(ARG defaults before the first FROM, [[(INSTRUCTION, arguments)] per stage])."""
    logical, pending = [], ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):  # also inside a continued instruction
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""

    global_args: dict[str, str] = {}
    stages: list[list[tuple[str, str]]] = []
    for line in logical:
        instruction, _, arguments = line.partition(" ")
        instruction, arguments = instruction.upper(), arguments.strip()
        if instruction == "FROM":
            stages.append([])
        if not stages:
            if instruction == "ARG" and "=" in arguments:
                key, _, value = arguments.partition("=")
                global_args[key.strip()] = value.strip()
            continue
        stages[-1].append((instruction, arguments))
    return global_args, stages


def _from_image(arguments: str, global_args: dict[str, str]) -> str:
    image = next(word for word in arguments.split() if not word.startswith("--"))
    return re.sub(r"\$\{?(\w+)\}?", lambda match: global_args.get(match[1], match[0]), image)


def _env_pairs(arguments: str) -> dict[str, str]:
    words = shlex.split(arguments)
    if all("=" in word for word in words):
        return dict(word.split("=", 1) for word in words)
    return {words[0]: " ".join(words[1:])}  # legacy `ENV KEY value`


def test_dockerfile_is_multi_stage_on_python_311_slim():
    global_args, stages = _dockerfile_stages()
    assert len(stages) >= 2, "Dockerfile has a single stage"
    for stage in stages:
        assert _from_image(stage[0][1], global_args) == "python:3.11-slim"


def test_dockerfile_final_stage_runs_as_a_fixed_non_root_user():
    _, stages = _dockerfile_stages()
    users = [arguments for instruction, arguments in stages[-1] if instruction == "USER"]
    assert users, "final stage sets no USER: the services would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), f"final USER is {users[-1]}"
    if user.isdigit():
        assert int(user) >= 1000


def test_dockerfile_final_stage_environment_and_contents():
    _, stages = _dockerfile_stages()
    final = stages[-1]
    env: dict[str, str] = {}
    for instruction, arguments in final:
        if instruction == "ENV":
            env.update(_env_pairs(arguments))
    assert env.get("PYTHONDONTWRITEBYTECODE") == "1"
    assert env.get("PYTHONUNBUFFERED") == "1"
    # The code finds migrations/ next to its own source: the copy in /app
    # must win over the one installed in site-packages.
    assert "/app" in env.get("PYTHONPATH", "").split(":")

    workdirs = [arguments for instruction, arguments in final if instruction == "WORKDIR"]
    assert workdirs and workdirs[-1] == "/app"

    copied: set[str] = set()  # sources copied from the build context
    for instruction, arguments in final:
        words = shlex.split(arguments)
        if instruction in ("COPY", "ADD") and not any(w.startswith("--from") for w in words):
            sources = [word for word in words if not word.startswith("--")][:-1]
            copied.update(source.rstrip("/") for source in sources)
    needed = {"services", "ops", "migrations", "alembic.ini", "pyproject.toml", "requirements.lock"}
    assert needed <= copied, f"final stage does not copy {sorted(needed - copied)}"

    # Dependencies are installed in the builder; no compiler or package
    # manager run in the image that ships.
    runs = " ".join(arguments for instruction, arguments in final if instruction == "RUN")
    assert not re.search(r"\bpip\b.*\binstall\b", runs), runs
    assert not re.search(r"\b(gcc|g\+\+|build-essential|curl|wget|git)\b", runs), runs


def test_dockerignore_keeps_local_state_and_secrets_out():
    patterns = {
        line.strip().lstrip("/").removeprefix("**/").rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    }
    for pattern in (".git", ".venv", ".data", ".env", "__pycache__", "bench/results"):
        assert pattern in patterns, f".dockerignore does not exclude {pattern}"


# --------------------------------------------------------------------------
# deploy/Caddyfile
#
# A deliberately small reader: the file is split into lines of tokens, and
# a line ending in `{` opens a block that a line `}` closes. Routing is then
# modelled from named `path` matchers, `handle`/`handle_path` blocks,
# `uri strip_prefix` and `reverse_proxy`. Anything fancier in a route (other
# matcher types, rewrites) makes the reader fail loudly rather than guess.


def _caddy_tokens(line: str) -> list[str]:
    tokens, index = [], 0
    while index < len(line):
        char = line[index]
        if char.isspace():
            index += 1
        elif char == "#":  # a comment starts a token
            break
        elif char in '"`':
            end = line.index(char, index + 1)
            tokens.append(line[index + 1 : end])
            index = end + 1
        else:
            end = index
            while end < len(line) and not line[end].isspace():
                end += 1
            tokens.append(line[index:end])
            index = end
    return tokens


def _caddy_tree() -> list[dict]:
    root: list[dict] = []
    stack = [root]
    for line in CADDYFILE.read_text().splitlines():
        tokens = _caddy_tokens(line)
        if not tokens:
            continue
        if tokens == ["}"]:
            stack.pop()
            continue
        opens = tokens[-1] == "{"
        node = {"tokens": tokens[:-1] if opens else tokens, "children": []}
        stack[-1].append(node)
        if opens:
            stack.append(node["children"])
    assert len(stack) == 1, "unbalanced braces in the Caddyfile"
    return root


def _site_block() -> list[dict]:
    sites = [
        node
        for node in _caddy_tree()
        if node["tokens"] and any(t.endswith(f":{PUBLIC_PORT}") for t in node["tokens"])
    ]
    assert len(sites) == 1, f"expected one site block listening on :{PUBLIC_PORT}"
    return sites[0]["children"]


def _child(node: dict, name: str) -> dict | None:
    return next((c for c in node["children"] if c["tokens"][:1] == [name]), None)


def _caddy_routes() -> list[dict]:
    """[{paths, unless, upstream, strip, header_up, status}] for each handle block; paths
    None = catch-all; unless: the `not path` patterns the matcher excludes; header_up holds
    the arguments of each `header_up` of its reverse_proxy."""
    site = _site_block()
    matchers: dict[str, list[str]] = {}
    excluded: dict[str, list[str]] = {}
    for node in site:
        if node["tokens"][0].startswith("@"):
            name = node["tokens"][0]
            lines = [node["tokens"][1:]] if len(node["tokens"]) > 1 else []
            lines += [child["tokens"] for child in node["children"]]
            negated = [line[1:] for line in lines if line[:2] == ["not", "path"]]
            lines = [line for line in lines if line[:2] != ["not", "path"]]
            assert all(line[0] == "path" for line in lines), (
                f"matcher {name} uses more than `path` and `not path`: extend this test"
            )
            matchers[name] = [p for line in lines for p in line[1:]]
            excluded[name] = [p for line in negated for p in line[1:]]

    routes = []
    for node in site:
        directive = node["tokens"][0]
        if directive not in ("handle", "handle_path"):
            continue
        matcher = node["tokens"][1] if len(node["tokens"]) > 1 else None
        unless = excluded.get(matcher or "", [])
        if matcher is None:
            paths = None
        elif matcher.startswith("@"):
            paths = matchers[matcher]
        else:
            paths = [matcher]

        strip = None
        if directive == "handle_path":
            assert paths and len(paths) == 1 and paths[0].endswith("/*")
            strip = paths[0][:-2]
        uri = _child(node, "uri")
        if uri is not None:
            assert uri["tokens"][1] == "strip_prefix", f"unmodelled {uri['tokens']}"
            strip = uri["tokens"][2]

        proxy, respond = _child(node, "reverse_proxy"), _child(node, "respond")
        upstream = proxy["tokens"][1] if proxy else None
        header_up = [
            child["tokens"][1:]
            for child in (proxy["children"] if proxy else [])
            if child["tokens"][0] == "header_up"
        ]
        status = None
        if respond is not None:
            status = int(next(t for t in reversed(respond["tokens"]) if t.isdigit()))
        routes.append(
            {
                "paths": paths,
                "unless": unless,
                "upstream": upstream,
                "strip": strip,
                "header_up": header_up,
                "status": status,
            }
        )
    return routes


def _path_matches(pattern: str, path: str) -> bool:
    """Caddy's `path` matcher: exact and case-insensitive; a `*` only at the
    end is a prefix match, only at the start a suffix match, at both ends a
    substring match, and elsewhere matches within one path segment."""
    pattern, path = pattern.lower(), path.lower()
    stars = pattern.count("*")
    if stars == 0:
        return path == pattern
    if stars == 1 and pattern.endswith("*"):
        return path.startswith(pattern[:-1])
    if stars == 1 and pattern.startswith("*"):
        return path.endswith(pattern[1:])
    if stars == 2 and pattern.startswith("*") and pattern.endswith("*"):
        return pattern[1:-1] in path
    regex = "[^/]*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, path) is not None


def _route(path: str) -> tuple[str | None, str, int | None]:
    """(upstream, path the upstream sees, status) for a request path."""
    routes = _caddy_routes()
    hits = [
        r
        for r in routes
        if r["paths"]
        and any(_path_matches(p, path) for p in r["paths"])
        and not any(_path_matches(p, path) for p in r["unless"])
    ]
    assert len(hits) <= 1, f"{path} matches more than one handle block: {hits}"
    if not hits:
        fallback = [r for r in routes if r["paths"] is None]
        assert fallback, "no catch-all `handle` block"
        hits = fallback
    route = hits[0]
    seen = path
    if route["strip"] and path.lower().startswith(route["strip"].lower()):
        seen = path[len(route["strip"]) :] or "/"
    return route["upstream"], seen, route["status"]


def _operations() -> list[tuple[str, str, str]]:
    """(service, kind, path template) for every route of the three apps: `page`
    (SERVICE_PAGES), `internal` (service tokens only) or `public` (the API)."""
    builders = {"patients": build_patients, "plans": build_plans, "scheduling": build_scheduling}
    operations = set()
    for service, build in builders.items():
        app = build()
        internal = {path for _, path in service_only_routes(app)}
        for _, path in served_routes(app):
            kind = "page" if path in SERVICE_PAGES else "internal" if path in internal else "public"
            if path == "/v1/audit" and service != "patients":
                kind = "trail"  # every service keeps one; the root one is the patients
            operations.add((service, kind, path))
    return sorted(operations)


OPERATIONS = _operations()


def _example(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", template)


def _of_kind(kind: str) -> list[tuple[str, str]]:
    return [(service, path) for service, k, path in OPERATIONS if k == kind]


def test_the_apps_have_routes_of_every_kind():
    # The split below rests on the apps' routes: make sure it found them.
    assert ("patients", "/v1/accounts/{user_id}/status") in _of_kind("internal")
    assert ("plans", "/v1/exercises") in _of_kind("public")
    assert {service for service, _ in _of_kind("page")} == set(APP_SERVICES)


@pytest.mark.parametrize(("service", "template"), _of_kind("public"))
def test_caddy_routes_every_public_route_to_its_service(service, template):
    path = _example(template)
    upstream, seen, _ = _route(path)
    assert upstream == f"{service}:{APP_PORT}", f"{path} goes to {upstream}"
    assert seen == path, f"{path} is rewritten to {seen}"


@pytest.mark.parametrize(("service", "template"), _of_kind("internal"))
def test_caddy_does_not_route_service_only_routes(service, template):
    # Only plans and scheduling call them, on the internal network.
    for prefix in ("", *(f"/{name}" for name in APP_SERVICES)):
        upstream, _, status = _route(prefix + _example(template))
        assert (upstream, status) == (None, 404), f"{prefix}{template} reaches {upstream}"


@pytest.mark.parametrize(("service", "template"), _of_kind("public"))
def test_caddy_serves_the_api_only_at_the_root(service, template):
    trails = _of_kind("trail")  # /plans/v1/audit is the plans service's own trail
    for prefix in (f"/{name}" for name in APP_SERVICES if (name, template) not in trails):
        upstream, _, status = _route(prefix + _example(template))
        assert (upstream, status) == (None, 404), f"{prefix}{template} reaches {upstream}"


@pytest.mark.parametrize(("service", "page"), _of_kind("page"))
def test_caddy_serves_each_service_pages_under_its_stripped_prefix(service, page):
    upstream, seen, _ = _route(f"/{service}{page}")
    assert upstream == f"{service}:{APP_PORT}"
    assert seen == page
    assert _route(page)[0] is None, f"{page} is served at the root"


@pytest.mark.parametrize(("service", "path"), _of_kind("trail"))
def test_caddy_serves_each_services_audit_trail_under_its_prefix(service, path):
    upstream, seen, _ = _route(f"/{service}{path}")
    assert (upstream, seen) == (f"{service}:{APP_PORT}", path)


def test_caddy_sets_the_forwarded_prefix_itself():
    # The services believe X-Forwarded-Prefix from the proxy (it becomes root_path):
    # each route sets it to the prefix it strips, or removes a client's.
    for route in _caddy_routes():
        if route["upstream"] is None:
            continue
        prefix_lines = [
            tokens for tokens in route["header_up"] if "x-forwarded-prefix" in tokens[0].lower()
        ]
        if route["strip"]:
            assert prefix_lines == [["X-Forwarded-Prefix", route["strip"]]], route
        else:
            assert prefix_lines == [["-X-Forwarded-Prefix"]], route


@pytest.mark.parametrize("path", UNROUTED_PATHS)
def test_caddy_answers_404_for_anything_else(path):
    upstream, _, status = _route(path)
    assert upstream is None, f"{path} is proxied to {upstream}"
    assert status == 404


def test_caddy_upstreams_are_the_app_services():
    upstreams = {r["upstream"] for r in _caddy_routes() if r["upstream"]}
    assert upstreams == {f"{name}:{APP_PORT}" for name in APP_SERVICES}
    assert set(APP_SERVICES) <= set(_services())


def test_caddy_limits_bodies_and_logs_json_to_stdout():
    site = {node["tokens"][0]: node for node in _site_block()}
    body = site.get("request_body")
    assert body, "no request_body limit"
    sizes = [c["tokens"][1] for c in body["children"] if c["tokens"][0] == "max_size"]
    assert sizes and sizes[0].upper() in ("1MB", "1MIB", "1000000", "1048576")

    log = site.get("log")
    assert log, "no access log"
    settings = {c["tokens"][0]: c["tokens"][1:] for c in log["children"]}
    assert settings.get("output") == ["stdout"]
    assert settings.get("format", [""])[0] == "json"


def test_caddy_does_not_drop_request_ids():
    text = CADDYFILE.read_text().lower()
    assert "-x-request-id" not in text, "the Caddyfile strips X-Request-ID"
