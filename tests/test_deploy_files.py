"""The deployment files in deploy/ and .env.example say what the code does.

- `.env.example` lists every environment variable the code reads (found by reading the
  code, so a new one cannot be forgotten), each with a comment, and nothing the code
  does not read; its values are accepted by the settings as they are;
- each systemd unit starts a command that exists, with the settings file, the user and
  the sandbox; each periodic command has a timer; `systemd-analyze verify` accepts them
  (where it is installed);
- the nginx site, run by a real nginx on loopback (where one is installed) in front of a
  stand-in app: no card-voting path, query string or Referer in its log, the client's
  address passed as the app expects it (VANGUARD_PROXY_COUNT=1), long caching of hashed
  static files, HTTPS only, the upload limit;
- the container image and compose file: the services, their settings and health checks.
"""

from __future__ import annotations

import ast
import datetime
import functools
import http.client
import importlib
import importlib.util
import json
import re
import shlex
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
INSTALL_DIR = "/srv/vanguard"  # where the units and the nginx site expect the checkout
ENV_FILE = "/etc/vanguard/vanguard.env"
HOST = "vanguard.example.edu.cn"

# Management commands that are not run on a schedule, and why. Every other command under
# vanguard/*/management/commands/ must have a timer: a new periodic command cannot be
# forgotten in deploy/systemd/.
NOT_PERIODIC = {
    "build_demo": "builds the demo college, never on a server",
    "bench_bundles": "benchmark",
    "bench_burst": "benchmark",
    "bench_pages": "benchmark",
    "bench_scale": "benchmark, on a throwaway PostgreSQL database",
    "bench_dashboards": "benchmark",
    "bench_roster_import": "benchmark",
    "bench_vote": "benchmark",
    "bench_workbook": "benchmark",
    "profile_pages": "benchmark: where each page spends its time",
    "archive_campaign": "run by hand at a campaign's end, for the records office",
    "archive_verify": "run by hand on an archive",
    "restore": "run by hand, on a stopped site",
    "worker": "the long-running worker (vanguard-worker.service), not a periodic job",
}


# --- Environment variables ------------------------------------------------------------

READERS = {"get", "getenv", "setdefault", "pop"}
# Read by the code but not Vanguard's settings: nothing for .env.example.
NOT_SETTINGS = {
    # The locale of whoever runs a command (backup and restore speak their language).
    "LANG": "locale",
    "LANGUAGE": "locale",
    "LC_ALL": "locale",
    "LC_MESSAGES": "locale",
    # Django's autoreloader marks its child process with it (`manage.py worker --reload`).
    "RUN_MAIN": "Django's autoreloader",
    # Where deploy/check.py's children find their programs.
    "PATH": "the system's",
}


def _is_environ(node: ast.AST) -> bool:
    """`os.environ` or a bare `environ`."""
    if isinstance(node, ast.Attribute):
        return node.attr == "environ"
    return isinstance(node, ast.Name) and node.id == "environ"


def _env_helper(name: str) -> bool:
    """The settings' own readers (`env_bool`, `env_int`, `_env_list` …)."""
    return re.fullmatch(r"_?env(_\w+)?", name) is not None


def _reads(tree: ast.AST) -> Iterator[tuple[ast.AST, ast.AST | None]]:
    """(node, the expression naming the variable) for each read of the environment."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name_arg = node.args[0] if node.args else None
            if isinstance(func, ast.Attribute) and func.attr in READERS:
                if _is_environ(func.value) or (
                    func.attr == "getenv" and isinstance(func.value, ast.Name)
                ):
                    yield node, name_arg
            elif isinstance(func, ast.Name) and (_env_helper(func.id) or func.id == "getenv"):
                yield node, name_arg
        elif isinstance(node, ast.Subscript) and _is_environ(node.value):
            yield node, node.slice
        elif (
            isinstance(node, ast.Compare)
            and any(isinstance(op, ast.In | ast.NotIn) for op in node.ops)
            and any(_is_environ(c) for c in node.comparators)
        ):
            yield node, node.left


def _strings(node: ast.AST) -> list[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
    ):
        return [e.value for e in node.elts]  # type: ignore[attr-defined]
    return None


def _names(tree: ast.AST) -> dict[str, list[str]]:
    """What a bare name stands for where it is a variable's name: a module constant
    (`NAME = "…"`), a constant imported from another module, or a loop variable over a
    literal tuple (`for name in ("LANG", "LC_ALL")`)."""
    known: dict[str, list[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, values = node.targets[0], _strings(node.value)
            if isinstance(target, ast.Name) and values and len(values) == 1:
                known[target.id] = values
        elif isinstance(node, ast.For) and isinstance(node.target, ast.Name):
            values = _strings(node.iter)
            if values:
                known[node.target.id] = values
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if alias.name.isupper():
                    try:
                        value = getattr(importlib.import_module(node.module), alias.name)
                    except (ImportError, AttributeError):
                        continue
                    if isinstance(value, str):
                        known[alias.asname or alias.name] = [value]
    return known


def _helper_bodies(tree: ast.AST) -> set[ast.AST]:
    """Nodes inside the env_* helpers themselves, which read a name given to them."""
    inside: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and _env_helper(node.name):
            inside.update(ast.walk(node))
    return inside


def code_files() -> list[Path]:
    files = [ROOT / "manage.py", *sorted(DEPLOY.glob("*.py"))]
    for folder in ("config", "vanguard"):
        files += [
            path
            for path in sorted((ROOT / folder).rglob("*.py"))
            if "tests" not in path.relative_to(ROOT).parts and "migrations" not in path.parts
        ]
    return files


# A file that reads the environment names it one of these ways (parsing only those
# keeps the scan under a second).
MAY_READ = re.compile(r"environ|getenv|\b_?env_?\w*\(")


@functools.cache
def variables_read_by_code() -> tuple[dict[str, list[str]], list[str]]:
    """{variable: [where it is read]} and the reads whose name could not be resolved."""
    found: dict[str, list[str]] = {}
    unresolved: list[str] = []
    for path in code_files():
        source = path.read_text(encoding="utf-8")
        if not MAY_READ.search(source):
            continue
        tree = ast.parse(source, filename=str(path))
        helpers, names = _helper_bodies(tree), _names(tree)
        for node, name in _reads(tree):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                values = [name.value]
            elif isinstance(name, ast.Name) and name.id in names:
                values = names[name.id]
            elif node in helpers:
                continue
            else:
                unresolved.append(where)
                continue
            for value in values:
                if value not in NOT_SETTINGS:
                    found.setdefault(value, []).append(where)
    return found, unresolved


ENV_LINE = re.compile(r"^(#\s?)?([A-Z][A-Z0-9_]*)=(.*)$")


def env_example() -> dict[str, Any]:
    """.env.example: {name: (value, commented out, line number, section)}."""
    entries: dict[str, Any] = {}
    section = ""
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        if line.startswith("# ---"):
            section = line.strip("# -").strip()
            continue
        match = ENV_LINE.match(line)
        if match:
            entries[match.group(2)] = {
                "value": match.group(3),
                "commented": bool(match.group(1)),
                "line": number,
                "section": section,
                "before": lines[number - 2] if number > 1 else "",
            }
    return entries


COMPOSE_ONLY = "docker compose only"


def test_every_variable_the_code_reads_is_in_env_example():
    read, unresolved = variables_read_by_code()
    assert not unresolved, (
        "environment variables read under a name this test cannot work out, so it "
        f"cannot check them against .env.example: {unresolved}"
    )
    assert "VANGUARD_SECRET_KEY" in read and "VANGUARD_PDF_FONT" in read  # the scan works
    listed = env_example()
    missing = {name: where for name, where in read.items() if name not in listed}
    assert not missing, f"read by the code but not in .env.example: {missing}"


def test_env_example_lists_only_what_is_read_each_with_a_comment():
    read, _computed = variables_read_by_code()
    compose = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    for name, entry in env_example().items():
        if entry["section"].lower().startswith(COMPOSE_ONLY):
            assert "${" + name in compose, f"{name}: in the compose section, unused by compose"
        else:
            assert name in read, f".env.example line {entry['line']}: {name} is read nowhere"
        before = entry["before"]
        assert before.startswith("#") and not ENV_LINE.match(before), (
            f".env.example line {entry['line']}: {name} has no comment of its own above it"
        )


def test_env_example_is_safe_as_it_stands():
    """No secret that would work, no development mode, no DEBUG."""
    entries = env_example()
    assert entries["VANGUARD_SECRET_KEY"]["value"] == ""  # start-up fails until one is set
    for name in ("VANGUARD_DEVELOPMENT", "VANGUARD_DEBUG"):
        entry = entries[name]
        assert entry["commented"] or entry["value"].lower() in {"", "0", "false", "no", "off"}
    assert not entries["VANGUARD_SESSION_ENGINE"]["value"].startswith("cache") or (
        entries["VANGUARD_CACHE_URL"]["value"].startswith("redis")
    )


def _settings_with(env: dict[str, str]) -> dict[str, Any]:
    """Production settings read in a fresh interpreter from this environment alone."""
    script = (
        "import json, django.conf, config.settings as s;"
        "print(json.dumps({'DEBUG': s.DEBUG, 'DEVELOPMENT': s.DEVELOPMENT,"
        " 'SESSION_ENGINE': s.SESSION_ENGINE, 'CACHE': s.CACHES['default']['BACKEND'],"
        " 'ALLOWED_HOSTS': s.ALLOWED_HOSTS}))"
    )
    result = subprocess.run(  # noqa: S603 - our interpreter, our script
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1", **env},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_env_example_values_are_accepted_by_the_settings():
    """As shipped (with a secret filled in), and with every optional line switched on:
    each documented value parses under the settings' strict rules."""
    entries = env_example()
    code = {n: e for n, e in entries.items() if not e["section"].lower().startswith(COMPOSE_ONLY)}
    secret = {"VANGUARD_SECRET_KEY": "test-" + "s" * 50}
    shipped = {n: e["value"] for n, e in code.items() if not e["commented"]} | secret
    seen = _settings_with(shipped)
    assert seen["DEBUG"] is False and seen["DEVELOPMENT"] is False
    assert HOST in seen["ALLOWED_HOSTS"]
    everything = {n: e["value"] for n, e in code.items()} | secret
    everything.pop("DJANGO_SETTINGS_MODULE", None)  # the script imports config.settings
    everything.pop("VANGUARD_DEVELOPMENT", None)
    everything.pop("VANGUARD_DEBUG", None)
    seen = _settings_with(everything)
    assert seen["DEBUG"] is False


# --- systemd --------------------------------------------------------------------------


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A systemd unit as {section: {key: [values]}} (keys may repeat; a trailing
    backslash continues a line)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = pending + raw.strip() if pending else raw.strip()
        pending = ""
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"{path.name}: {line!r} before any section"
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: not a key=value line: {line!r}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def services() -> dict[str, dict[str, dict[str, list[str]]]]:
    return {path.stem: parse_unit(path) for path in sorted(UNITS.glob("*.service"))}


def timers() -> dict[str, dict[str, dict[str, list[str]]]]:
    return {path.stem: parse_unit(path) for path in sorted(UNITS.glob("*.timer"))}


def exec_start(unit: dict[str, dict[str, list[str]]]) -> list[str]:
    (line,) = unit["Service"]["ExecStart"]
    return shlex.split(line)


def one(unit: dict[str, dict[str, list[str]]], key: str) -> str:
    values = unit["Service"].get(key, [])
    assert len(values) == 1, f"{key}: {values}"
    return values[0]


def test_every_service_runs_as_vanguard_with_the_settings_file_in_a_sandbox():
    found = services()
    assert {"vanguard-web", "vanguard-worker"} <= set(found)
    for name, unit in found.items():
        assert one(unit, "User") == "vanguard", name
        assert one(unit, "WorkingDirectory") == INSTALL_DIR, name
        assert one(unit, "EnvironmentFile") == ENV_FILE, name
        assert one(unit, "NoNewPrivileges") == "yes", name
        assert one(unit, "ProtectSystem") == "strict", name
        assert one(unit, "PrivateTmp") == "yes", name
        assert one(unit, "ProtectHome") == "yes", name
        assert one(unit, "CapabilityBoundingSet") == "", name
        writable = " ".join(unit["Service"].get("ReadWritePaths", [])).split()
        assert f"{INSTALL_DIR}/var/media" in writable, name


def test_each_service_starts_a_command_that_exists():
    commands = get_commands()
    for name, unit in services().items():
        argv = exec_start(unit)
        assert argv[0].startswith(f"{INSTALL_DIR}/.venv/bin/"), name
        program = argv[0].rsplit("/", 1)[1]
        if program == "gunicorn":
            config = argv[argv.index("-c") + 1]
            assert (ROOT / config).is_file(), config
            assert "config.wsgi" in argv
            assert (ROOT / "config" / "wsgi.py").is_file()
            bind = argv[argv.index("--bind") + 1]
            assert bind.startswith(("127.0.0.1:", "unix:")), bind  # only nginx reaches it
        else:
            assert program == "python" and argv[1] == "manage.py", (name, argv)
            assert argv[2] in commands, f"{name}: no management command {argv[2]!r}"


def test_the_worker_takes_tasks_from_the_database():
    unit = services()["vanguard-worker"]
    assert exec_start(unit)[2] in {"db_worker", "worker"}
    assert "VANGUARD_TASKS=database" in " ".join(unit["Service"].get("Environment", []))
    assert services()["vanguard-web"]["Service"]["Type"] == ["notify"]  # ready when it answers


def test_each_periodic_command_has_a_timer_with_a_schedule_and_its_service():
    found_services, found_timers = services(), timers()
    scheduled = set()
    for name, timer in found_timers.items():
        assert timer["Timer"].get("OnCalendar"), f"{name}.timer has no OnCalendar"
        assert timer["Install"]["WantedBy"] == ["timers.target"], name
        assert name in found_services, f"{name}.timer has no {name}.service"
        service = found_services[name]
        assert service["Service"]["Type"] == ["oneshot"], name
        scheduled.add(exec_start(service)[2])
        timer_text = (UNITS / f"{name}.timer").read_text(encoding="utf-8")
        assert timer_text.startswith("# "), f"{name}.timer: say why this schedule"
    for name, service in found_services.items():
        if service["Service"].get("Type") == ["oneshot"]:
            assert name in found_timers, f"{name}.service is a oneshot without a timer"
    ours = {
        path.stem
        for path in ROOT.glob("vanguard/*/management/commands/*.py")
        if not path.stem.startswith("_")
    }
    unscheduled = ours - scheduled - set(NOT_PERIODIC)
    assert not unscheduled, f"commands with no timer (or add them to NOT_PERIODIC): {unscheduled}"


def render(text: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        text = text.replace(old, new)
    return text


def test_systemd_analyze_verifies_the_units(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed: only the checks above ran")
    # Rendered for this checkout, so that verify finds the programs they start.
    for path in sorted(UNITS.iterdir()):
        text = render(path.read_text(encoding="utf-8"), {INSTALL_DIR: str(ROOT)})
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    units = sorted(str(p) for p in tmp_path.iterdir())
    result = subprocess.run(  # noqa: S603
        [analyze, "verify", *units], capture_output=True, text=True, timeout=60
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    problems = [
        line
        for line in output.splitlines()
        if re.search(r"Unknown|Invalid|Failed|not executable|bad", line, re.IGNORECASE)
    ]
    assert not problems, output


# --- nginx ----------------------------------------------------------------------------

NGINX_SITE = DEPLOY / "nginx" / "vanguard.conf"


def nginx_blocks(text: str, opener: str) -> list[str]:
    """The bodies of each block whose header line matches `opener` (e.g. 'location /v/')."""
    bodies = []
    for match in re.finditer(re.escape(opener) + r"\s*\{", text):
        depth, start = 1, match.end()
        index = start
        while depth:
            char = text[index]
            depth += char == "{"
            depth -= char == "}"
            index += 1
        bodies.append(text[start : index - 1])
    return bodies


def size_bytes(value: str) -> int:
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    value = value.strip().lower()
    return int(value[:-1]) * units[value[-1]] if value[-1] in units else int(value)


def nginx_text() -> str:
    # Without the comments: what nginx reads.
    return "\n".join(line.split("#", 1)[0] for line in NGINX_SITE.read_text().splitlines())


def test_nginx_site_keeps_codes_and_queries_out_of_its_logs():
    text = nginx_text()
    (fmt,) = re.findall(r"log_format\s+vanguard\s+(.*?);", text, re.DOTALL)
    for leak in ("$request ", '$request"', "$request_uri", "$args", "$query_string",
                 "$http_referer", "$http_cookie", "$arg_"):  # fmt: skip
        assert leak not in fmt, leak
    assert "$uri" in fmt
    for directive in re.findall(r"access_log\s+([^;]+);", text):
        assert directive == "off" or directive.split()[-1] == "vanguard", directive
    card_blocks = nginx_blocks(text, "location /v/")
    assert len(card_blocks) == 2  # HTTPS, and the plain-HTTP redirect
    for block in card_blocks:
        assert re.search(r"access_log\s+off;", block)


def test_nginx_site_passes_the_client_and_matches_the_app():
    text = nginx_text()
    assert re.search(r"proxy_set_header\s+X-Forwarded-For\s+\$remote_addr;", text)
    assert re.search(r"proxy_set_header\s+X-Forwarded-Proto\s+\$scheme;", text)
    assert re.search(r"proxy_set_header\s+Host\s+\$host;", text)
    assert len(re.findall(r"server_tokens\s+off;", text)) == len(nginx_blocks(text, "server"))
    # The upstream is where vanguard-web.service listens.
    web = exec_start(services()["vanguard-web"])
    assert f"server {web[web.index('--bind') + 1]};" in text
    # Static files from STATIC_ROOT's default under the install directory.
    (alias,) = re.findall(r"alias\s+([^;]+);", text)
    default_root = Path(INSTALL_DIR) / Path(settings.BASE_DIR / "var" / "staticfiles").relative_to(
        settings.BASE_DIR
    )
    assert alias.rstrip("/") == str(default_root)
    # Every upload the app accepts gets through.
    (body,) = re.findall(r"client_max_body_size\s+(\S+);", text)
    largest = max(
        settings.ROSTER_MAX_UPLOAD_BYTES,
        settings.STUDY_UPLOAD_MAX_BYTES,
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
    )
    assert size_bytes(body) > largest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class StandInApp(BaseHTTPRequestHandler):
    """Answers every request with the headers it received, as JSON."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = json.dumps({"path": self.path, "headers": dict(self.headers)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


def self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def find_nginx() -> str | None:
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


@pytest.fixture
def nginx_site(tmp_path) -> Iterator[dict[str, Any]]:
    """The site as written, in a real nginx on loopback ports, in front of StandInApp."""
    nginx = find_nginx()
    if nginx is None:
        pytest.skip("nginx is not installed: the static checks of the site ran alone")
    app = ThreadingHTTPServer(("127.0.0.1", 0), StandInApp)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    cert, key = self_signed(tmp_path)
    static = tmp_path / "srv" / "var" / "staticfiles"
    (static / "css").mkdir(parents=True)
    (static / "css" / "vanguard.0123456789ab.css").write_text("body{}")
    (static / "favicon.svg").write_text("<svg/>")
    http_port, https_port = free_port(), free_port()
    site = render(
        NGINX_SITE.read_text(encoding="utf-8"),
        {
            "listen [::]:80;": "",
            "listen [::]:443 ssl http2;": "",
            "listen 80;": f"listen 127.0.0.1:{http_port};",
            "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
            "/etc/ssl/vanguard/fullchain.pem": str(cert),
            "/etc/ssl/vanguard/privkey.pem": str(key),
            "/var/log/nginx/": f"{tmp_path}/",
            f"{INSTALL_DIR}/": f"{tmp_path}/srv/",
            "server 127.0.0.1:8000;": f"server 127.0.0.1:{app.server_address[1]};",
        },
    )
    (tmp_path / "vanguard.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"daemon off;\nmaster_process off;\npid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/main.error.log warn;\n"
        "events { worker_connections 64; }\n"
        "http {\n  types { text/css css; image/svg+xml svg; }\n"
        + "".join(
            f"  {kind}_temp_path {tmp_path}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f"  include {tmp_path}/vanguard.conf;\n}}\n",
        encoding="utf-8",
    )
    base = [nginx, "-p", str(tmp_path), "-e", f"{tmp_path}/main.error.log"]
    base += ["-c", str(tmp_path / "nginx.conf")]
    checked = subprocess.run(  # noqa: S603
        [*base, "-t"], capture_output=True, text=True, timeout=30
    )
    assert checked.returncode == 0, checked.stderr
    server = subprocess.Popen(base, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "nginx did not listen within 10 s"
                time.sleep(0.05)
        yield {"http": http_port, "https": https_port, "log": tmp_path / "vanguard.access.log"}
    finally:
        server.terminate()
        server.wait(timeout=10)
        app.shutdown()
        app.server_close()


def fetch(
    port: int, method: str, path: str, headers: dict[str, str] | None = None, tls: bool = True
) -> tuple[int, dict[str, str], bytes]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    conn: http.client.HTTPConnection = (
        http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=context)
        if tls
        else http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    )
    try:
        conn.request(method, path, headers={"Host": HOST, **(headers or {})})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def test_nginx_serves_the_site_as_the_app_expects(nginx_site):
    https, log = nginx_site["https"], nginx_site["log"]
    # A card vote reaches the app; the client's own X-Forwarded-For is replaced by the
    # address nginx saw, so the app's one-proxy rule reads the real client.
    status, _headers, body = fetch(
        https, "POST", "/v/12/SECRETCODE1/?from=qr", {"X-Forwarded-For": "203.0.113.9"}
    )
    assert status == 200
    seen = json.loads(body)
    assert seen["path"] == "/v/12/SECRETCODE1/?from=qr"
    assert seen["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert seen["headers"]["X-Forwarded-Proto"] == "https"
    assert seen["headers"]["Host"] == HOST
    # A page opened from a card page: its path is logged, its query and Referer are not.
    status, headers, _body = fetch(
        https,
        "GET",
        "/opinions/?q=SECRETQUERY",
        {"Referer": f"https://{HOST}/v/12/SECRETCODE2/"},
    )
    assert status == 200
    assert headers["server"] == "nginx"  # no version
    # Plain HTTP is only a redirect, to this site's own name, a card path unlogged.
    status, headers, _body = fetch(
        nginx_site["http"], "GET", "/v/12/SECRETCODE3/", {"Host": "evil.example"}, tls=False
    )
    assert (status, headers["location"]) == (301, f"https://{HOST}/v/12/SECRETCODE3/")
    status, headers, _body = fetch(nginx_site["http"], "GET", "/accounts/login/", tls=False)
    assert (status, headers["location"]) == (301, f"https://{HOST}/accounts/login/")
    # Static files: hashed names for a year, others for an hour.
    status, headers, body = fetch(https, "GET", "/static/css/vanguard.0123456789ab.css")
    assert (status, body) == (200, b"body{}")
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers["x-content-type-options"] == "nosniff"
    status, headers, _body = fetch(https, "GET", "/static/favicon.svg")
    assert (status, headers["cache-control"]) == (200, "max-age=3600")
    # /healthz from this host is proxied (nginx refuses it from anywhere else).
    assert fetch(https, "GET", "/healthz")[0] == 200
    # An upload over the limit is refused before it reaches the app.
    status, _headers, _body = fetch(
        https, "POST", "/study/", {"Content-Length": str(13 * 1024 * 1024)}
    )
    assert status == 413
    logged = log.read_text(encoding="utf-8")
    assert '"GET /opinions/ HTTP/1.1" 200' in logged
    assert '"GET /accounts/login/ HTTP/1.1" 301' in logged
    for secret in ("SECRETCODE", "SECRETQUERY", "/v/", "from=qr", "/healthz"):
        assert secret not in logged, secret


# --- Container image and compose file -------------------------------------------------


def compose() -> dict[str, Any]:
    yaml = pytest.importorskip("yaml", reason="PyYAML is not installed: compose.yaml unread")
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_runs_app_worker_postgresql_and_redis_with_health_checks():
    services = compose()["services"]
    assert {"app", "worker", "db", "redis", "migrate"} <= set(services)
    assert services["db"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    for name in ("app", "worker", "migrate"):
        service = services[name]
        assert service["build"]["dockerfile"] == "deploy/Dockerfile", name
        env = service["environment"]
        assert (
            env["DATABASE_URL"].startswith("postgres://vanguard:")
            and "@db:5432/" in env["DATABASE_URL"]
        ), name
        assert env["VANGUARD_CACHE_URL"].startswith("redis://redis:6379/"), name
        assert env["VANGUARD_TASKS"] == "database", name
        assert env["VANGUARD_SESSION_ENGINE"] in {"cache", "cached_db"}, name
        assert "${VANGUARD_SECRET_KEY:?" in env["VANGUARD_SECRET_KEY"], name  # no default
        assert "VANGUARD_DEVELOPMENT" not in env and "VANGUARD_DEBUG" not in env
        assert service["env_file"] == "../.env", name
    for name in ("app", "worker"):
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        test = services[name]["healthcheck"]["test"]
        assert test[:3] == ["CMD", "python", "deploy/healthcheck.py"]
        assert any(part.endswith("/healthz") for part in test), test
    assert "--check" in services["worker"]["healthcheck"]["test"]  # the heartbeat
    assert services["worker"]["command"][0] in get_commands()
    assert services["migrate"]["command"][0] == "migrate"
    # Only loopback: the TLS proxy is the way in.
    assert services["app"]["ports"] == ["127.0.0.1:8000:8000"]
    assert "ports" not in services["db"] and "ports" not in services["redis"]


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of each instruction, continuation lines joined."""
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n\s*", " ", text)
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def test_dockerfile_builds_the_app_as_a_user_of_its_own():
    steps = dockerfile()
    stages = [args for op, args in steps if op == "FROM"]
    assert stages[-1] == "python:3.11-slim"
    run = " ".join(args for op, args in steps if op == "RUN")
    assert "fonts-wqy-microhei" in run  # Chinese in the PDFs
    assert "--require-hashes" in run and "requirements/base.lock" in run  # the lock
    assert "collectstatic --noinput" in run and "compilemessages" in run
    (user,) = [args for op, args in steps if op == "USER"]
    assert user not in {"root", "0"} and "useradd --system --uid 10001 --user-group" in run
    # Everything after USER runs as that user; the image starts gunicorn with the config.
    (entrypoint,) = [json.loads(args) for op, args in steps if op == "ENTRYPOINT"]
    assert entrypoint[:3] == ["gunicorn", "-c", "config/gunicorn.conf.py"]
    assert "config.wsgi" in entrypoint and "--no-control-socket" in entrypoint
    (health,) = [args for op, args in steps if op == "HEALTHCHECK"]
    assert "deploy/healthcheck.py" in health
    # The files it copies exist; the vendored assets are the ones `make assets` copies.
    for op, args in steps:
        if op == "COPY" and not args.startswith("--from"):
            for source in args.split()[:-1]:
                assert (ROOT / source).exists(), source
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    vendored = set(re.findall(r"node_modules/(\S+?\.(?:js|css|map))\b", makefile))
    assert vendored and vendored == set(
        re.findall(r"node_modules/(\S+?\.(?:js|css|map))\b", " ".join(a for _o, a in steps))
    )


def test_deploy_check_starts_what_the_units_start(tmp_path):
    """make deploy-check (deploy/check.py) runs the units' own commands: the same
    gunicorn options and worker, and every timer's command."""
    spec = importlib.util.spec_from_file_location("deploy_check", DEPLOY / "check.py")
    assert spec is not None and spec.loader is not None
    check = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = check  # its dataclasses look their module up
    spec.loader.exec_module(check)
    web = check.web_command(8123, tmp_path)
    unit = exec_start(services()["vanguard-web"])
    changed = {
        "--bind": "127.0.0.1:8123",
        "--workers": "2",
        "--worker-tmp-dir": str(tmp_path / "gunicorn-8123"),
    }
    assert web[1:] == [
        changed.get(previous, arg) for previous, arg in zip(["", *unit[1:]], unit[1:], strict=False)
    ]
    assert Path(web[0]).name == "gunicorn" and Path(web[0]).exists()
    worker = exec_start(services()["vanguard-worker"])
    assert check.unit_command("vanguard-worker")[1:] == worker[1:]
    commands = {argv[2] for _timer, argv in check.timer_commands(tmp_path)}
    assert commands == {exec_start(services()[name])[2] for name in timers()}
