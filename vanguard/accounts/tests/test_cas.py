"""Single sign-on against a real CAS server on loopback: django-cas-server in a
throwaway Django project, started once for the module, and Vanguard in the live server
with CAS switched on. A browser's journey is driven over HTTP with a cookie-keeping
client: Vanguard → the CAS login form (its CSRF token and login ticket) → back to
Vanguard with a service ticket, which Vanguard checks with the CAS server itself."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, make_member, make_user
from vanguard.accounts import cas, throttle
from vanguard.accounts.models import User
from vanguard.audit.models import AuditEntry
from vanguard.organization.models import Member

CAS_PASSWORD = "university-password"  # noqa: S105

# The university's accounts at its CAS server. 李四's number comes in an attribute
# (`employeeNumber`, the server's last_name field renamed), not as the user name.
CAS_ACCOUNTS = [
    {"username": "20230001", "password": CAS_PASSWORD},
    {"username": "T0042", "password": CAS_PASSWORD},
    {"username": "li.si", "password": CAS_PASSWORD, "last_name": "20230002"},
    {"username": "visitor9", "password": CAS_PASSWORD},
]

SERVER = """
import json, os, sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ["DJANGO_SETTINGS_MODULE"] = "cas_settings"
import django

django.setup()
from django.contrib.auth.models import User
from django.core.management import call_command

from cas_server.models import ReplaceAttributName, ServicePattern

call_command("migrate", verbosity=0)
for account in json.loads((HERE / "accounts.json").read_text()):
    User.objects.create_user(**account)
vanguard = ServicePattern.objects.create(
    pos=0,
    name="vanguard",
    pattern=r"^http://(127\\.0\\.0\\.1|localhost):\\d+/.*",
    single_log_out=True,
)
ReplaceAttributName.objects.create(name="username", service_pattern=vanguard)
ReplaceAttributName.objects.create(
    name="last_name", replace="employeeNumber", service_pattern=vanguard
)
call_command("runserver", sys.argv[1], use_reloader=False, use_threading=True, skip_checks=True)
"""

SETTINGS = """
SECRET_KEY = "throwaway-cas-server-" + "x" * 40
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = [
    "django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
    "django.contrib.messages", "cas_server",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "cas_urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "cas.sqlite3"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STATIC_URL = "/static/"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
"""

URLS = """
from django.urls import include, path

urlpatterns = [path("cas/", include("cas_server.urls", namespace="cas_server"))]
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def cas_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The CAS server's base URL (…/cas/), serving until the module's tests are done."""
    folder: Path = tmp_path_factory.mktemp("cas_server")
    (folder / "serve.py").write_text(SERVER)
    (folder / "cas_settings.py").write_text(SETTINGS)
    (folder / "cas_urls.py").write_text(URLS)
    (folder / "accounts.json").write_text(json.dumps(CAS_ACCOUNTS))
    port = _free_port()
    log = folder / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, str(folder / "serve.py"), f"127.0.0.1:{port}"],
            cwd=folder,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the CAS server did not start:\n" + log.read_text())
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/cas/"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def cas_on(settings, cas_server: str) -> str:
    """CAS switched on as VANGUARD_CAS_SERVER_URL does (config/settings.py)."""
    settings.CAS_SERVER_URL = cas_server
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, cas.BACKEND]
    return cas_server


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page)
    assert found, f"no {name} in the page"
    return unescape(found.group(1))


def _cas_login(
    browser: requests.Session, site: str, username: str, next_page: str = "/"
) -> requests.Response:
    """Vanguard's CAS login as a browser goes through it; the answer to the ticket's
    return to Vanguard (not followed)."""
    to_cas = browser.get(
        f"{site}/accounts/cas/login/", params={"next": next_page}, allow_redirects=False
    )
    assert to_cas.status_code == 302
    form_url = to_cas.headers["Location"]
    service = parse_qs(urlsplit(form_url).query)["service"][0]
    assert service.startswith(f"{site}/accounts/cas/login/")
    form = browser.get(form_url)
    assert form.status_code == 200 and 'name="password"' in form.text
    answer = browser.post(
        form_url,
        data={
            "csrfmiddlewaretoken": _hidden(form.text, "csrfmiddlewaretoken"),
            "lt": _hidden(form.text, "lt"),
            "service": service,
            "renew": "False",
            "username": username,
            "password": CAS_PASSWORD,
        },
        allow_redirects=False,
    )
    assert answer.status_code == 302, "the CAS server refused the credentials"
    back = answer.headers["Location"]
    assert back.startswith(service) and "ticket=ST-" in back
    return browser.get(back, allow_redirects=False)


def _home(browser: requests.Session, site: str) -> requests.Response:
    return browser.get(f"{site}/", allow_redirects=False)


@pytest.fixture
def branch(org):
    return org.branch_a1


# Three journeys through the live server: each one ends with every table emptied, which
# on PostgreSQL costs seconds, so each tells a whole story.


def test_a_member_logs_in_with_the_university_account_and_out_again(live_server, cas_on, branch):
    member = make_member(name="张三", number="20230001", branch=branch)
    browser = requests.Session()

    # First login: the member had no login; one is made, without a usable password.
    back = _cas_login(browser, live_server.url, "20230001")
    assert back.status_code == 302 and back.headers["Location"] == "/"
    page = _home(browser, live_server.url)
    assert page.status_code == 200 and "张三" in page.text
    member.refresh_from_db()
    user = member.user
    assert user is not None and user.username == "20230001" and str(user) == "张三"
    assert not user.has_usable_password()
    assert AuditEntry.objects.filter(actor_id=user.pk, action=AuditEntry.Action.LOGIN).count() == 1

    # Logging out from the page's button ends Vanguard's session and goes to the CAS
    # logout, which ends the university session and comes back to the login page.
    left = browser.post(
        f"{live_server.url}/accounts/logout/",
        data={"csrfmiddlewaretoken": _hidden(page.text, "csrfmiddlewaretoken")},
        allow_redirects=False,
    )
    assert left.status_code == 302
    assert left.headers["Location"].startswith(f"{cas_on}logout?service=")
    assert _home(browser, live_server.url).status_code == 302
    landing = browser.get(left.headers["Location"])
    assert landing.url == f"{live_server.url}/accounts/login/"
    assert "统一身份认证登录" in landing.text
    # The trail holds the login and the logout, never a session's key or its ticket.
    trail = list(AuditEntry.objects.order_by("pk").values_list("action", "object_type"))
    assert trail == [("login", "accounts.user"), ("logout", "accounts.user")]

    # Logging in again asks for the university password again, and finds the same login.
    to_cas = browser.get(f"{live_server.url}/accounts/cas/login/", allow_redirects=False)
    assert 'name="password"' in browser.get(to_cas.headers["Location"]).text
    # (A `next` to another site is not followed: the member lands on the home page.)
    back = _cas_login(browser, live_server.url, "20230001", next_page="https://evil.example/")
    assert back.status_code == 302 and back.headers["Location"] == "/"
    assert User.objects.filter(username__startswith="20230001").count() == 1

    # Single logout: leaving another university service through CAS ends Vanguard's
    # session too (the CAS server posts a logout request to Vanguard).
    assert _home(browser, live_server.url).status_code == 200
    assert browser.get(f"{cas_on}logout").status_code == 200
    home = _home(browser, live_server.url)
    assert home.status_code == 302 and home.headers["Location"].startswith("/accounts/login/")


def test_a_university_account_without_a_member_record_is_refused(live_server, cas_on, branch):
    make_member(name="张三", number="20230001", branch=branch)
    browser = requests.Session()

    refused = _cas_login(browser, live_server.url, "visitor9")
    assert refused.status_code == 403
    assert "统一身份认证账号 visitor9 未对应任何党员" in refused.text
    assert "请联系党委办公室" in refused.text
    # Not logged in: the home page sends the browser to the login page.
    home = _home(browser, live_server.url)
    assert home.status_code == 302 and home.headers["Location"].startswith("/accounts/login/")
    assert not User.objects.exists()
    assert not AuditEntry.objects.exists()

    # Nor does a ticket the CAS server never gave.
    forged = requests.Session().get(
        f"{live_server.url}/accounts/cas/login/?next=/&ticket=ST-forged", allow_redirects=False
    )
    assert forged.status_code == 403 and "统一身份认证未能确认您的身份" in forged.text
    assert not User.objects.exists()


def test_the_number_may_come_in_an_attribute_and_lead_to_an_existing_login(
    live_server, cas_on, branch, settings
):
    settings.VANGUARD_CAS_NUMBER_ATTRIBUTE = "employeeNumber"
    own = make_user("lisi", display_name="李四")
    make_member(name="李四", number="20230002", branch=branch, user=own)
    browser = requests.Session()

    assert _cas_login(browser, live_server.url, "li.si").status_code == 302
    home = _home(browser, live_server.url)
    assert home.status_code == 200 and "李四" in home.text
    # The member's own login, not a new one.
    assert list(User.objects.values_list("username", flat=True)) == ["lisi"]
    assert AuditEntry.objects.get(action=AuditEntry.Action.LOGIN).actor_id == own.pk


def test_local_accounts_keep_the_password_form(cas_on, db):
    make_user("office")
    page = Client().get(reverse("accounts:login"))
    assert "统一身份认证登录" in page.content.decode()
    answer = Client().post(reverse("accounts:login"), {"username": "office", "password": PASSWORD})
    assert answer.status_code == 302 and answer["Location"] == reverse("home")


def test_an_address_with_too_many_failures_is_refused_before_cas(cas_on, db, settings):
    for _ in range(throttle.login_limit().failures):
        throttle.count_failure(throttle.LOGIN_SCOPE, "127.0.0.1", throttle.login_limit())
    answer = Client().get(reverse("accounts:cas_login"))
    assert answer.status_code == 429 and "登录失败的次数过多" in answer.content.decode()


def test_a_first_login_never_takes_over_a_local_account_of_the_same_name(org):
    stranger = make_user("20230003")  # a local account, not the member's
    member = make_member(name="赵六", number="20230003", branch=org.branch_a1)

    made = cas.member_account_for(number="20230003")
    assert made is not None and made.username == "20230003-cas" and made != stranger
    member.refresh_from_db()
    assert member.user == made
    assert cas.member_account_for(number="20230003") == made


def test_a_member_off_the_roll_without_a_login_is_given_none(org):
    make_member(name="钱七", number="20190007", branch=org.branch_a1)
    Member.objects.filter(number="20190007").update(is_active=False)
    assert cas.member_account_for(number="20190007") is None
    assert cas.member_account_for(number="nobody") is None
    assert not User.objects.exists()


def test_without_a_cas_server_nothing_changes(client, db):
    assert client.get(reverse("accounts:cas_login")).status_code == 404
    assert "统一身份认证登录" not in client.get(reverse("accounts:login")).content.decode()
    assert not Member.objects.exists()
