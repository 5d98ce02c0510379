"""`make deploy-check`: Vanguard deployed as the README and deploy/ describe it, on
loopback, and a smoke journey from login to a counted vote through two app instances.

1. PostgreSQL on 127.0.0.1:5432 (user postgres, trusted), in a database of its own,
   vanguard_deploycheck, created afresh and dropped at the end. Where nothing answers on
   the port, Debian's postgresql cluster is started without systemd (as .ci/run does;
   root only) and stopped again at the end. Redis on 127.0.0.1:6379 (database 12 by
   default, every key under the site's "vanguard:" prefix, removed before and after);
   where none answers, a redis-server of its own on a free port, stopped at the end.
2. Production settings (no VANGUARD_DEVELOPMENT, DEBUG off, a secret generated for the
   run, the sessions in the shared cache: VANGUARD_SESSION_ENGINE=cache,
   VANGUARD_CACHE_URL), then `migrate`, `collectstatic`, `build_demo --size demo`.
3. Two gunicorn instances and the worker, started as deploy/systemd's vanguard-web and
   vanguard-worker units start them (their ExecStart, on free loopback ports, two
   gunicorn workers each). Every request carries what nginx would add
   (deploy/nginx/vanguard.conf): Host, X-Forwarded-Proto https, X-Forwarded-For.
4. The journey, each step printed PASS or FAIL: /healthz on both; log in on instance 1,
   the same session on instance 2; the demo secretary opens the demo branch's vote,
   prints the cards, ticks the members present; every card votes through instance 2 and
   the turnout counts them; wrong codes spread over both instances meet one shared limit
   (counted in Redis); the vote is closed and the tally counts every ballot; every
   command a systemd timer starts runs under the same settings (the backup included)
   and the worker runs the tasks they queue; logging out on instance 2 ends the session
   on instance 1; /healthz still ok; no voting code or /v/ path in any log.

Every process it starts is stopped by its PID (its process group) at the end, whatever
happened; the whole run is bounded by --timeout. Exit 0 only when every step passed.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
HOST = "vanguard.example.edu.cn"  # the Host nginx passes; VANGUARD_ALLOWED_HOSTS
DATABASE = "vanguard_deploycheck"
DEMO_PASSWORD = "vanguard-demo"  # noqa: S105 - the demo's documented password (README)
SECRETARY = "secretary"  # the demo's branch secretary, whose branch has a vote to run
VOTER_ADDRESS = "198.51.100.20"  # the meeting hall's address, as nginx would pass it
GUESSER_ADDRESS = "203.0.113.50"  # someone trying codes
WRONG_CODE_LIMIT = 50  # settings.VANGUARD_BALLOT_WRONG_CODE_LIMITS["address"]
TOO_MANY = "次数过多"  # the wrong-code page's "too many attempts" (zh-hans, the default)


class Failed(Exception):
    """A step's check did not hold: the message says what was seen."""


class TimedOut(Exception):
    pass


def say(text: str) -> None:
    print(text, flush=True)


# --- Processes --------------------------------------------------------------------------


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log: Path


@dataclass
class Processes:
    """Every process this run started, stopped in reverse order by PID (each was started
    in a session of its own, so its process group is its PID: gunicorn's workers go
    with their arbiter)."""

    children: list[Child] = field(default_factory=list)
    cleanups: list[tuple[str, Callable[[], object]]] = field(default_factory=list)

    def start(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> Child:
        with open(log, "ab") as out:
            process = subprocess.Popen(  # noqa: S603 - our own programs and arguments
                argv,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        child = Child(name, process, log)
        self.children.append(child)
        return child

    def stop_all(self) -> None:
        for child in reversed(self.children):
            if child.process.poll() is not None:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.process.pid, signal.SIGTERM)
            try:
                child.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.process.pid, signal.SIGKILL)
                child.process.wait(timeout=10)
            say(f"  stopped {child.name} (pid {child.process.pid})")
        self.children.clear()
        for name, cleanup in reversed(self.cleanups):
            try:
                cleanup()
                say(f"  {name}")
            except Exception as error:  # noqa: BLE001 - report and go on cleaning
                say(f"  {name}: FAILED ({error})")
        self.cleanups.clear()


def run(argv: list[str], env: dict[str, str], log: Path, timeout: float) -> None:
    """A command to its end, its output to the log; Failed with the log's tail."""
    with open(log, "ab") as out:
        try:
            result = subprocess.run(  # noqa: S603 - our own programs and arguments
                argv,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                start_new_session=True,
            )
        except subprocess.TimeoutExpired as error:
            raise Failed(f"{' '.join(argv[1:3])} took longer than {timeout:g} s") from error
    if result.returncode != 0:
        raise Failed(f"{' '.join(argv[1:3])} exited {result.returncode}:\n{tail(log)}")


def tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join("    | " + line for line in text.splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers(port: int, host: str = "127.0.0.1") -> bool:
    try:
        socket.create_connection((host, port), timeout=2).close()
        return True
    except OSError:
        return False


# --- PostgreSQL and Redis ---------------------------------------------------------------


def pg_admin(url: str) -> Any:
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=5)


def start_debian_postgres(port: int, procs: Processes) -> None:
    """Debian's cluster, started without systemd, as .ci/run does (root only)."""
    lsclusters, ctlcluster = shutil.which("pg_lsclusters"), shutil.which("pg_ctlcluster")
    if os.geteuid() != 0 or lsclusters is None or ctlcluster is None:
        raise Failed(
            f"no PostgreSQL answers on 127.0.0.1:{port}; start one that trusts the user "
            "postgres (or run this as root on Debian with the postgresql package installed)"
        )
    listing = subprocess.run(  # noqa: S603
        [lsclusters, "-h"], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split("\n")
    clusters = [line.split() for line in listing if line.strip()]
    chosen = next((c for c in clusters if c[2] == str(port)), None)
    if chosen is None:
        raise Failed(f"no Debian PostgreSQL cluster is set up on port {port}")
    version, name = chosen[0], chosen[1]
    say(f"  starting Debian's PostgreSQL {version}/{name} on port {port} (without systemd)")
    subprocess.run(  # noqa: S603
        [ctlcluster, "--skip-systemctl-redirect", version, name, "start"],
        check=True,
        timeout=120,
    )
    procs.cleanups.append(
        (
            f"stopped PostgreSQL {version}/{name}",
            lambda: subprocess.run(  # noqa: S603
                [ctlcluster, "--skip-systemctl-redirect", version, name, "stop"],
                check=True,
                timeout=120,
            ),
        )
    )
    for _ in range(60):
        if answers(port):
            return
        time.sleep(1)
    raise Failed(f"PostgreSQL {version}/{name} did not answer within 60 s")


def prepare_postgres(admin_url: str, port: int, procs: Processes) -> str:
    """Creates the check's own database afresh; returns its URL. Dropped at the end."""
    if not answers(port):
        start_debian_postgres(port, procs)
    try:
        conn = pg_admin(admin_url)
    except Exception as error:
        raise Failed(f"cannot connect to {admin_url}: {error}") from error
    with conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")

    def drop() -> None:
        with pg_admin(admin_url) as again:
            again.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")

    procs.cleanups.append((f"dropped the database {DATABASE}", drop))
    return admin_url.rsplit("/", 1)[0] + "/" + DATABASE


def redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def prepare_redis(port: int, db: int, procs: Processes, logs: Path) -> str:
    """The machine's Redis, or one of our own where none answers. Returns the cache URL;
    the site's keys in that database are removed before and after."""
    ours = not redis_ping(port)
    if ours:
        server = shutil.which("redis-server")
        if server is None:
            raise Failed(f"no Redis answers on 127.0.0.1:{port} and redis-server is not installed")
        port = free_port()
        say(f"  starting redis-server on 127.0.0.1:{port} (none answered)")
        procs.start(
            "redis-server",
            [
                server,
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],  # fmt: skip
            dict(os.environ),
            logs / "redis.log",
        )
        for _ in range(100):
            if redis_ping(port):
                break
            time.sleep(0.1)
        else:
            raise Failed("the redis-server started here did not answer within 10 s")
    url = f"redis://127.0.0.1:{port}/{db}"

    def forget() -> int:
        import redis

        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter(match="vanguard:*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()
        return len(keys)

    if not ours:  # a Redis of our own goes with its process
        forget()
        procs.cleanups.append((f"removed the site's keys from {url}", forget))
    return url


# --- HTTP as nginx passes it ------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str

    def find(self, pattern: str) -> list[str]:
        return re.findall(pattern, self.text)


class Browser:
    """One person's browser: cookies kept by hand (the app's are Secure, and this talks
    plain HTTP to gunicorn as nginx does, saying X-Forwarded-Proto: https)."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.cookies: dict[str, str] = {}

    def request(
        self, port: int, method: str, path: str, form: dict[str, Any] | None = None
    ) -> Answer:
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            "Accept-Language": "zh-hans",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if method == "POST":
            body = urlencode(form or {}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{HOST}"
            headers["Referer"] = f"https://{HOST}{path}"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", errors="replace")
            for cookie in response.msg.get_all("Set-Cookie") or []:
                name, _sep, rest = cookie.partition("=")
                value = rest.split(";", 1)[0]
                expired = re.search(r"max-age=0\b|expires=Thu, 01 Jan 1970", cookie, re.I)
                if expired or value in ("", '""'):
                    self.cookies.pop(name.strip(), None)
                else:
                    self.cookies[name.strip()] = value
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, text)
        finally:
            conn.close()

    def get(self, port: int, path: str) -> Answer:
        return self.request(port, "GET", path)

    def post(self, port: int, path: str, form: dict[str, Any], csrf_from: Answer) -> Answer:
        tokens = csrf_from.find(r'name="csrfmiddlewaretoken" value="([^"]+)"')
        if not tokens:
            raise Failed(f"no CSRF token on the page before POST {path}")
        return self.request(port, "POST", path, {"csrfmiddlewaretoken": tokens[0], **form})


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise Failed(message)


# --- The journey ------------------------------------------------------------------------


@dataclass
class Journey:
    web: list[int]  # the two instances' ports
    logs: list[Path]
    env: dict[str, str]  # the settings the instances run with
    database_url: str
    work: Path
    steps: list[tuple[str, bool, str]] = field(default_factory=list)
    secretary: Browser = field(default_factory=lambda: Browser("198.51.100.10"))
    session_pk: int = 0
    codes: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    votes: int = 0

    def step(self, name: str, action: Callable[[], str]) -> bool:
        started = time.monotonic()
        try:
            detail = action()
            ok = True
        except Failed as error:
            detail, ok = str(error), False
        except Exception as error:  # noqa: BLE001 - any surprise is this step failing
            detail, ok = f"{type(error).__name__}: {error}", False
        took = time.monotonic() - started
        say(f"{'PASS' if ok else 'FAIL'}  {name} ({took:.1f} s){': ' + detail if detail else ''}")
        self.steps.append((name, ok, detail))
        return ok

    # Each step returns a line of what it saw.

    def health(self) -> str:
        seen = []
        for index, port in enumerate(self.web, 1):
            deadline = time.monotonic() + 90  # the worker's first heartbeat
            while True:
                answer = Browser("127.0.0.1").get(port, "/healthz")
                body = json.loads(answer.text) if answer.text.startswith("{") else {}
                if answer.status == 200 and body.get("status") == "ok":
                    break
                if time.monotonic() > deadline:
                    raise Failed(f"instance {index}: {answer.status} {answer.text[:300]}")
                time.sleep(1)
            expect("set-cookie" not in answer.headers, "/healthz set a cookie")
            checks = body.get("checks", {})
            seen.append(f"instance {index}: " + ", ".join(sorted(checks)))
        return "; ".join(seen) + " ok"

    def login(self) -> str:
        page = self.secretary.get(self.web[0], "/accounts/login/")
        expect(page.status == 200, f"login page: {page.status}")
        done = self.secretary.post(
            self.web[0],
            "/accounts/login/",
            {"username": SECRETARY, "password": DEMO_PASSWORD},
            page,
        )
        expect(done.status == 302, f"login answered {done.status}, not a redirect")
        expect("sessionid" in self.secretary.cookies, "no session cookie after logging in")
        return f"{SECRETARY} signed in on instance 1"

    def shared_session(self) -> str:
        page = self.secretary.get(self.web[1], "/ballots/")
        expect(page.status == 200, f"instance 2 answered {page.status} (302: not signed in)")
        expect('action="/accounts/logout/"' in page.text, "instance 2 shows no logout button")
        return "instance 2 knows the session instance 1 opened"

    def open_vote(self) -> str:
        listing = self.secretary.get(self.web[0], "/ballots/")
        for pk in dict.fromkeys(listing.find(r'href="/ballots/(\d+)/"')):
            detail = self.secretary.get(self.web[0], f"/ballots/{pk}/")
            if f'action="/ballots/{pk}/open/"' in detail.text:
                self.session_pk = int(pk)
                break
        else:
            raise Failed("the demo leaves no vote ready to open for the secretary")
        opened = self.secretary.post(self.web[0], f"/ballots/{self.session_pk}/open/", {}, detail)
        expect(opened.status == 302, f"open answered {opened.status}")
        detail = self.secretary.get(self.web[1], f"/ballots/{self.session_pk}/")
        expect(
            f'href="/ballots/{self.session_pk}/roll/"' in detail.text,
            "instance 2 does not show the vote as open",
        )
        return f"vote {self.session_pk} opened on instance 1, seen open on instance 2"

    def print_cards(self) -> str:
        detail = self.secretary.get(self.web[1], f"/ballots/{self.session_pk}/")
        cards = self.secretary.post(
            self.web[1], f"/ballots/{self.session_pk}/cards/", {"spares": "0"}, detail
        )
        expect(cards.status == 200, f"cards page: {cards.status}")
        self.codes = cards.find(r'class="card-code">[^<]*<strong>([^<]+)</strong>')
        expect(len(self.codes) >= 3, f"{len(self.codes)} cards printed")
        return f"{len(self.codes)} cards printed on instance 2"

    def tick_present(self) -> str:
        roll = self.secretary.get(self.web[0], f"/ballots/{self.session_pk}/roll/")
        members = roll.find(r'name="present" value="(\d+)"')
        expect(bool(members), "the door roll lists nobody")
        saved = self.secretary.post(
            self.web[0],
            f"/ballots/{self.session_pk}/roll/",
            {"present": members, "shown": []},
            roll,
        )
        expect(saved.status == 302, f"saving the roll answered {saved.status}")
        detail = self.secretary.get(self.web[0], f"/ballots/{self.session_pk}/")
        present = detail.find(r"名册 \d+ 人，到会 (\d+) 人")
        expect(present == [str(len(members))], f"present: {present}, ticked {len(members)}")
        return f"{len(members)} members ticked present on instance 1"

    def card_votes(self) -> str:
        hall = Browser(VOTER_ADDRESS)  # phones send no cookie the page would need
        for index, code in enumerate(self.codes):
            page = hall.get(self.web[1], f"/v/{self.session_pk}/{code}/")
            fields = sorted(set(page.find(r'name="(c\d+)"')))
            expect(bool(fields), f"card {index + 1}: no ballot form ({page.status})")
            self.candidates = fields
            grade = "excellent" if index == 0 else "qualified"
            done = hall.request(
                self.web[1],
                "POST",
                f"/v/{self.session_pk}/",
                {"code": code, "step": "vote", **dict.fromkeys(fields, grade)},
            )
            expect('class="vote-done"' in done.text, f"card {index + 1} was not counted")
            expect("set-cookie" not in done.headers, "the card page set a cookie")
            self.votes += 1
        detail = self.secretary.get(self.web[0], f"/ballots/{self.session_pk}/")
        turnout = detail.find(r"已投 (\d+) 票")
        expect(turnout == [str(self.votes)], f"instance 1 shows turnout {turnout}")
        return f"{self.votes} card votes on instance 2; instance 1 counts {turnout[0]}"

    def shared_limit(self) -> str:
        guesser = Browser(GUESSER_ADDRESS)
        path = f"/v/{self.session_pk}/"

        def attempt(port: int) -> str:
            wrong = "WRNG-" + secrets.token_hex(4).upper()
            answer = guesser.request(port, "POST", path, {"code": wrong, "step": "check"})
            expect(answer.status == 200, f"wrong code answered {answer.status}")
            return answer.text

        for attempt_number in range(WRONG_CODE_LIMIT):
            port = self.web[attempt_number % 2]
            expect(
                TOO_MANY not in attempt(port),
                f"held back after {attempt_number} wrong codes, before the limit",
            )
        held = [TOO_MANY in attempt(port) for port in self.web]
        expect(all(held), f"after {WRONG_CODE_LIMIT} wrong codes, held back: {held}")
        other = Browser("203.0.113.51").request(
            self.web[0], "POST", path, {"code": "WRNG-0000", "step": "check"}
        )
        expect(TOO_MANY not in other.text, "another address was held back too")
        import redis

        client = redis.Redis.from_url(self.env["VANGUARD_CACHE_URL"])
        counters = list(client.scan_iter(match="vanguard:*throttle:ballot-code-*", count=1000))
        client.close()
        expect(bool(counters), "no wrong-code counter in Redis")
        half = WRONG_CODE_LIMIT // 2
        return (
            f"{half} + {half} wrong codes on the two instances: the next is held back on "
            "both (one count, in Redis); another address is not"
        )

    def tally(self) -> str:
        page = self.secretary.get(self.web[1], f"/ballots/{self.session_pk}/close/")
        closed = self.secretary.post(
            self.web[1], f"/ballots/{self.session_pk}/close/", {"confirm": "1"}, page
        )
        expect(closed.status == 302, f"close answered {closed.status}")
        tally = self.secretary.get(self.web[0], f"/ballots/{self.session_pk}/tally/")
        ballots = tally.find(r"收回选票 (\d+) 张")
        expect(ballots == [str(self.votes)], f"tally: ballots {ballots}, votes {self.votes}")
        excellent = tally.find(r'data-label="优秀">(\d+) ')
        qualified = tally.find(r'data-label="合格">(\d+) ')
        expect(len(excellent) == len(self.candidates), f"{len(excellent)} rows in the tally")
        expect(set(excellent) == {"1"}, f"优秀 counts {sorted(set(excellent))}, expected 1")
        expect(
            set(qualified) == {str(self.votes - 1)},
            f"合格 counts {sorted(set(qualified))}, expected {self.votes - 1}",
        )
        return (
            f"closed on instance 2; instance 1's tally: {ballots[0]} ballots, each of "
            f"{len(excellent)} candidates 1 优秀 and {self.votes - 1} 合格"
        )

    def timers_and_worker(self) -> str:
        """Each command a systemd timer starts (deploy/systemd), as its service starts it,
        under the same settings; then the worker runs the tasks they queued (e-mails)."""
        ran = []
        for timer, argv in timer_commands(self.work):
            output = subprocess.run(  # noqa: S603 - our interpreter, our commands
                argv, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=600
            )
            with open(self.logs[-1].with_name("timers.log"), "a", encoding="utf-8") as log:
                log.write(f"$ {' '.join(argv[1:])}\n{output.stdout}{output.stderr}\n")
            expect(
                output.returncode == 0,
                f"{timer}: {' '.join(argv[1:3])} exited {output.returncode}: "
                + (output.stderr.strip().splitlines() or [""])[-1][:300],
            )
            ran.append(argv[2])
        sent = f"{len(ran)} timers' commands ran"
        deadline = time.monotonic() + 120
        while True:
            with pg_admin(self.database_url) as conn:
                rows = conn.execute(
                    "SELECT upper(status), count(*) FROM django_tasks_database_dbtaskresult "
                    "GROUP BY upper(status)"
                ).fetchall()
            counts = {status: number for status, number in rows}
            waiting = counts.get("READY", 0) + counts.get("RUNNING", 0)
            if not waiting or time.monotonic() > deadline:
                break
            time.sleep(1)
        done = counts.get("SUCCESSFUL", 0) + counts.get("SUCCEEDED", 0)
        expect(done > 0, f"no task run by the worker ({counts}; {sent})")
        expect(not waiting, f"{waiting} task(s) still waiting after 120 s")
        expect(not counts.get("FAILED"), f"{counts.get('FAILED')} task(s) failed")
        return f"{sent} ({', '.join(ran)}); the worker ran the {done} task(s) they queued"

    def logout(self) -> str:
        page = self.secretary.get(self.web[1], "/ballots/")
        out = self.secretary.post(self.web[1], "/accounts/logout/", {}, page)
        expect(out.status == 302, f"logout answered {out.status}")
        after = self.secretary.get(self.web[0], "/ballots/")
        expect(
            after.status == 302 and "/accounts/login/" in after.headers.get("location", ""),
            f"instance 1 after logout: {after.status}",
        )
        return "logged out on instance 2; instance 1 asks to log in"

    def logs_hold_no_code(self) -> str:
        logs = sorted(self.logs[0].parent.glob("*.log"))  # the servers', worker's, commands'
        text = "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in logs)
        leaked = [code for code in self.codes if code in text or code.replace("-", "") in text]
        expect(not leaked, f"{len(leaked)} voting code(s) in the logs")
        expect(f"/v/{self.session_pk}/" not in text, "a card-voting path in the logs")
        names = ", ".join(path.stem for path in logs)
        return f"{len(self.codes)} codes and the /v/ paths: in none of the logs ({names})"


# --- Main -------------------------------------------------------------------------------

INSTALL_DIR = "/srv/vanguard"  # where the systemd units expect the checkout


def unit_command(unit: str) -> list[str]:
    """What deploy/systemd/<unit>.service starts, with this checkout's virtualenv."""
    text = (ROOT / "deploy" / "systemd" / f"{unit}.service").read_text(encoding="utf-8")
    text = text.replace("\\\n", " ")
    match = re.search(r"^ExecStart=(.+)$", text, re.MULTILINE)
    if match is None:
        raise Failed(f"{unit}.service has no ExecStart")
    argv = shlex.split(match.group(1))
    venv = f"{INSTALL_DIR}/.venv/bin/"
    if not argv[0].startswith(venv):
        raise Failed(f"{unit}.service starts {argv[0]}, not a program of {venv}")
    program = argv[0].removeprefix(venv)
    here = Path(sys.executable)
    argv[0] = str(here) if program == "python" else str(here.with_name(program))
    return argv


def web_command(port: int, work: Path) -> list[str]:
    """vanguard-web.service's gunicorn on another port, with two workers (two instances
    share this machine's cores) and the heartbeat files in the run's own folder (the
    unit's is the RuntimeDirectory systemd makes)."""
    argv = unit_command("vanguard-web")
    beats = work / f"gunicorn-{port}"
    beats.mkdir(exist_ok=True)
    for option, value in (
        ("--bind", f"127.0.0.1:{port}"),
        ("--workers", "2"),
        ("--worker-tmp-dir", str(beats)),
    ):
        if option not in argv:
            raise Failed(f"vanguard-web.service gives no {option}")
        argv[argv.index(option) + 1] = value
    return argv


def timer_commands(work: Path) -> list[tuple[str, list[str]]]:
    """(timer, argv) of what each systemd timer starts, for this checkout: the
    virtualenv's python for INSTALL_DIR's, the backups in the run's own folder."""
    found = []
    for timer in sorted((ROOT / "deploy" / "systemd").glob("*.timer")):
        argv = unit_command(timer.stem)
        if argv[1] != "manage.py":
            raise Failed(f"{timer.name}: its service starts {' '.join(argv)}, not manage.py")
        argv = [arg.replace(f"{INSTALL_DIR}/var/backups", str(work / "backups")) for arg in argv]
        found.append((timer.stem, argv))
    return found


def environment(database_url: str, cache_url: str, work: Path) -> dict[str, str]:
    """Production's settings, built from nothing (the caller's VANGUARD_DEVELOPMENT and
    DJANGO_SETTINGS_MODULE, e.g. the Makefile's, do not leak in)."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(work),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "VANGUARD_SECRET_KEY": secrets.token_urlsafe(50),
        "VANGUARD_ALLOWED_HOSTS": HOST,
        "VANGUARD_CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "VANGUARD_SITE_URL": f"https://{HOST}",
        "DATABASE_URL": database_url,
        "VANGUARD_CACHE_URL": cache_url,
        "VANGUARD_SESSION_ENGINE": "cache",
        "VANGUARD_TASKS": "database",
        "VANGUARD_PROXY_COUNT": "1",
        "VANGUARD_STATIC_ROOT": str(work / "staticfiles"),
        "VANGUARD_MEDIA_ROOT": str(work / "media"),
        "VANGUARD_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "VANGUARD_LOG_LEVEL": "INFO",
    }


def wait_listening(child: Child, port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not answers(port):
        if child.process.poll() is not None:
            raise Failed(f"{child.name} exited ({child.process.returncode}):\n{tail(child.log)}")
        if time.monotonic() > deadline:
            raise Failed(f"{child.name} did not listen within {seconds:g} s:\n{tail(child.log)}")
        time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Vanguard's deployment smoke check")
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL URL that may create databases (default: %(default)s)",
    )
    parser.add_argument("--redis-port", type=int, default=6379)
    parser.add_argument("--redis-db", type=int, default=12)
    parser.add_argument("--timeout", type=float, default=1200, help="seconds for the whole run")
    parser.add_argument("--keep-logs", action="store_true", help="keep the logs' folder")
    options = parser.parse_args(argv)

    def out_of_time(_signum: int, _frame: Any) -> None:
        raise TimedOut

    signal.signal(signal.SIGALRM, out_of_time)
    signal.signal(signal.SIGTERM, out_of_time)
    signal.alarm(int(options.timeout))
    work = Path(tempfile.mkdtemp(prefix="vanguard-deploycheck-"))
    logs = work / "logs"
    logs.mkdir()
    procs = Processes()
    journey: Journey | None = None
    setup_ok = False
    started = time.monotonic()
    try:
        say(">>> Services: PostgreSQL and Redis")
        pg_port = int(re.search(r":(\d+)/", options.postgres).group(1))  # type: ignore[union-attr]
        database_url = prepare_postgres(options.postgres, pg_port, procs)
        cache_url = prepare_redis(options.redis_port, options.redis_db, procs, logs)
        env = environment(database_url, cache_url, work)
        say(f"  database {DATABASE}, cache {cache_url}, sessions in the cache, DEBUG off")
        python = sys.executable
        for title, args, limit in (
            ("migrate", ["migrate", "--noinput", "-v", "0"], 600),
            ("collectstatic", ["collectstatic", "--noinput", "-v", "0"], 300),
            ("build_demo --size demo", ["build_demo", "--size", "demo"], 900),
        ):
            begun = time.monotonic()
            run([python, "manage.py", *args], env, logs / "setup.log", limit)
            say(f"  {title}: {time.monotonic() - begun:.0f} s")
        say(">>> Two app instances (gunicorn) and the worker")
        ports = [free_port(), free_port()]
        web_logs = []
        for index, port in enumerate(ports, 1):
            log = logs / f"web{index}.log"
            web_logs.append(log)
            name = f"gunicorn {index} (127.0.0.1:{port})"
            child = procs.start(name, web_command(port, work), env, log)
            wait_listening(child, port, 60)
        worker_argv = unit_command("vanguard-worker")
        worker = procs.start(
            f"the worker (manage.py {worker_argv[2]})", worker_argv, env, logs / "worker.log"
        )
        say(f"  instances on 127.0.0.1:{ports[0]} and :{ports[1]}, worker pid {worker.process.pid}")
        setup_ok = True
        say(">>> The journey")
        journey = Journey(
            web=ports,
            logs=[*web_logs, logs / "worker.log"],
            env=env,
            database_url=database_url,
            work=work,
        )
        steps: list[tuple[str, Callable[[], str]]] = [
            ("/healthz on both instances: 200, every check ok", journey.health),
            ("log in on instance 1", journey.login),
            ("the same session on instance 2 (sessions in Redis)", journey.shared_session),
            ("the secretary opens the demo vote", journey.open_vote),
            ("voting cards printed", journey.print_cards),
            ("members ticked present at the door", journey.tick_present),
            ("card votes through instance 2, counted", journey.card_votes),
            ("wrong codes on both instances meet one limit (Redis)", journey.shared_limit),
            ("the vote closed, the tally counts every ballot", journey.tally),
            ("every timer's command runs; the worker runs their tasks", journey.timers_and_worker),
            ("logging out on instance 2 ends the session on 1", journey.logout),
            ("/healthz still ok (worker heartbeat)", journey.health),
            ("no voting code or /v/ path in any log", journey.logs_hold_no_code),
        ]
        for name, action in steps:
            if not journey.step(name, action) and name != steps[-1][0]:
                # Later steps build on earlier ones: stop at the first failure, but
                # still look at the logs.
                journey.step(*steps[-1])
                break
    except Failed as error:
        say(f"FAIL  setting up: {error}")
    except TimedOut:
        say(f"FAIL  the check ran out of time ({options.timeout:g} s)")
    except KeyboardInterrupt:
        say("FAIL  interrupted")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        say(">>> Stopping what this check started")
        with contextlib.suppress(Exception):
            if journey is None or not all(ok for _n, ok, _d in journey.steps):
                for log in sorted(logs.glob("*.log")):
                    say(f"--- {log.name} (last lines)\n{tail(log)}")
        procs.stop_all()
        if options.keep_logs:
            say(f"  logs kept in {logs}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    passed = setup_ok and journey is not None and all(ok for _n, ok, _d in journey.steps)
    count = len(journey.steps) if journey else 0
    failed = sum(1 for _n, ok, _d in journey.steps if not ok) if journey else 0
    say(
        f"=== deploy-check {'PASSED' if passed else 'FAILED'}: {count - failed} of {count} steps"
        f" passed in {time.monotonic() - started:.0f} s"
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
