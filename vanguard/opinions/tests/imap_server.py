"""A real IMAP server for the e-mail channel's tests: Debian's dovecot, started on
loopback with a throwaway configuration in a temporary folder, one test user with
a maildir of its own. Messages are delivered by APPEND over IMAP, the way a mail
client would file them; nothing is mocked.

Use the session fixture `imap_server` (import it into the test module); each test
that wants an empty inbox calls `server.reset()`. `imap_tls_server` is a second one
that speaks TLS (and STARTTLS) with a self-signed certificate made by openssl.
"""

from __future__ import annotations

import contextlib
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

DOVECOT = "/usr/sbin/dovecot"
USER = "opinions"
PASSWORD = "box-secret-1"  # noqa: S105


@dataclass
class ImapServer:
    host: str
    port: int
    user: str
    password: str
    folder: Path
    log: Path
    tls_port: int | None = None  # IMAP over TLS (993-style), when started with tls=True
    ca_file: Path | None = None  # the self-signed certificate, to trust it

    def connect(self) -> imaplib.IMAP4:
        connection = imaplib.IMAP4(self.host, self.port, timeout=10)
        connection.login(self.user, self.password)
        return connection

    def append(self, raw: bytes, *, mailbox: str = "INBOX", when: float | None = None) -> None:
        """File one message in the mailbox, as a mail client would."""
        connection = self.connect()
        try:
            date = imaplib.Time2Internaldate(when if when is not None else time.time())
            # (typeshed has append's result wrong: it is (status, data) like the rest)
            result: Any = connection.append(mailbox, "", date, raw)
            assert result[0] == "OK", result
        finally:
            connection.logout()

    def reset(self) -> None:
        """Empty the inbox (expunged for good)."""
        connection = self.connect()
        try:
            connection.select("INBOX")
            status, data = connection.search(None, "ALL")
            if data and data[0]:
                connection.store(b",".join(data[0].split()).decode(), "+FLAGS", "\\Deleted")
                connection.expunge()
        finally:
            connection.logout()

    def flags(self) -> list[str]:
        """The flags of every message in the inbox, in order."""
        connection = self.connect()
        try:
            status, count = connection.select("INBOX", readonly=True)
            if count[0] in (b"0", None):
                return []
            status, data = connection.fetch("1:*", "(FLAGS)")
            return [item.decode() for item in data if isinstance(item, bytes)]
        finally:
            connection.logout()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dovecot exited ({process.returncode}): {_tail(log)}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"dovecot did not listen on {port}: {_tail(log)}")


def _tail(log: Path) -> str:
    try:
        return log.read_text(errors="replace")[-2000:]
    except OSError:
        return "(no log)"


def _accounts() -> tuple[str, str, int, int]:
    """Who the server's processes run as, and the uid/gid owning the mail.

    As root, dovecot's own unprivileged users (dovecot, dovenull) run its services
    and the mail belongs to the `dovecot` user (dovecot refuses root as a mail
    user). As anyone else, everything runs as that user."""
    if os.geteuid() == 0:
        internal = pwd.getpwnam("dovecot")
        pwd.getpwnam("dovenull")
        return "dovecot", "dovenull", internal.pw_uid, internal.pw_gid
    me = pwd.getpwuid(os.geteuid())
    return me.pw_name, me.pw_name, me.pw_uid, me.pw_gid


CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {base}/run
state_dir = {base}/state
instance_name = vanguard-test-{port}
log_path = {base}/dovecot.log
info_log_path = {base}/dovecot.log
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
# A wrong password is answered at once, and the next login from 127.0.0.1 is not held
# back: dovecot waits 2 s before saying no, then delays every login from that address
# for seconds more (its anvil's penalty, which auth cannot count without this socket).
# One test's wrong password made the next tests' logins wait 4 s.
auth_failure_delay = 0
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
last_valid_gid = {gid}
mail_location = maildir:{base}/mail/%u
mail_uid = {uid}
mail_gid = {gid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


def _self_signed(base: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, made with openssl for this run only (an EC key:
    made at once, where an RSA key took up to a second)."""
    cert, key = base / "cert.pem", base / "key.pem"
    subprocess.run(  # noqa: S603
        [  # noqa: S607
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "2",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@contextlib.contextmanager
def running_dovecot(*, tls: bool = False) -> Iterator[ImapServer]:
    """A dovecot on loopback. With `tls`, it also listens for IMAP over TLS and offers
    STARTTLS on the plain port, with a self-signed certificate."""
    if not os.path.exists(DOVECOT):
        message = (
            f"{DOVECOT} is missing: install Debian's dovecot-imapd "
            "(`make system-test-deps` does it as root)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    internal, login, uid, gid = _accounts()
    base = Path(tempfile.mkdtemp(prefix="vanguard-imap-"))
    # The server's unprivileged processes must reach the folder.
    base.chmod(0o755)
    port = _free_port()
    tls_port = _free_port() if tls else 0
    for sub in ("run", "state", "mail"):
        (base / sub).mkdir()
    (base / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    if os.geteuid() == 0:
        os.chown(base / "mail", uid, gid)
    cert = None
    ssl_setting = "ssl = no"
    if tls:
        cert, key = _self_signed(base)
        ssl_setting = f"ssl = yes\nssl_cert = <{cert}\nssl_key = <{key}"
    config = base / "dovecot.conf"
    config.write_text(
        CONFIG.format(
            base=base,
            port=port,
            tls_port=tls_port,
            ssl=ssl_setting,
            internal=internal,
            login=login,
            uid=uid,
            gid=gid,
        )
    )
    log = base / "dovecot.log"
    process = subprocess.Popen(  # noqa: S603
        [DOVECOT, "-F", "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=open(base / "stderr.log", "wb"),  # noqa: SIM115
    )
    try:
        try:
            _wait_for_port(port, process, log)
        except RuntimeError as error:
            raise RuntimeError(f"{error}\nstderr: {(base / 'stderr.log').read_text()}") from None
        if tls:
            _wait_for_port(tls_port, process, log)
        yield ImapServer("127.0.0.1", port, USER, PASSWORD, base, log, tls_port or None, cert)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def imap_server() -> Iterator[ImapServer]:
    with running_dovecot() as server:
        yield server


@pytest.fixture(scope="session")
def imap_tls_server() -> Iterator[ImapServer]:
    with running_dovecot(tls=True) as server:
        yield server
