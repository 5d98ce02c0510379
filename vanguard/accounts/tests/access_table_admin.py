"""The back office (Django admin): every URL, for every role of the cast.

Only committee admins get in (everyone else, and the anonymous visitor, is sent to
the admin login: 302). Inside, what a committee admin may do depends on the model
(see `accounts.admin.ScopedAdmin`):

- SCOPED models (the organisation set-up) are theirs under their own units: the
  cast's committee admin is over the whole test college, so every page opens;
- READ_ONLY models are read in their scope, never added, changed or deleted;
- SUPERUSER models (and those registered by third-party apps, which keep Django's
  own permission flags, which no committee admin can set) are refused: 403, and a
  history page answers the admin's "does not exist" redirect (302), since the rows
  are not in a non-superuser's queryset. Their object URLs use an id that may not
  exist: a non-superuser is refused before the object is looked up.

Every registered model must be listed in PROFILES: a model added to the admin
without a row fails the table (KeyError on import). The attacks themselves (another
college's unit, is_superuser on one's own form, a grant at the root, a higher admin's
password) are in test_admin_scope.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from tests.access import AccessRow

OUT = 302  # not a committee admin: sent to the admin login


def _member_transfer(f: Any) -> int:
    """A transfer of the colleague to branch_a2, made once: tests that reuse a row
    (rolled back for each role) read the member afresh, not the moved copy in memory."""
    from vanguard.organization import services
    from vanguard.organization.models import Member

    member = Member.objects.get(pk=f.cast.colleague_record.pk)
    if not member.transfers.exists():
        services.member_move(member=member, to_branch=f.org.branch_a2, reason="调动", actor=None)
    return member.transfers.get().pk


def _opinion(f: Any) -> int:
    from vanguard.opinions.tests.sorting_data import opinion

    return opinion(f).pk


def _content_type(app_label: str, model: str) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get(app_label=app_label, model=model).pk


def _role_assignment(f: Any) -> int:
    return f.cast.secretary.role_assignments.get().pk


NO_SUCH_ID = lambda f: 999999  # noqa: E731

# model label -> (profile, object id for the object pages)
PROFILES: dict[str, tuple[str, Any]] = {
    "accounts.user": ("scoped", lambda f: f.cast.secretary.pk),
    "accounts.roleassignment": ("scoped", _role_assignment),
    "organization.unit": ("scoped", lambda f: f.org.branch_a1.pk),
    "organization.member": ("scoped", lambda f: f.cast.member_record.pk),
    "organization.membertransfer": ("read_only", _member_transfer),
    "opinions.opinion": ("read_only", _opinion),
    "accounts.apitoken": ("superuser", NO_SUCH_ID),
    "audit.auditentry": ("superuser", NO_SUCH_ID),
    "campaigns.campaign": ("superuser", NO_SUCH_ID),
    "campaigns.phase": ("superuser", NO_SUCH_ID),
    "campaigns.phasetransition": ("superuser", NO_SUCH_ID),
    "study.studyplan": ("superuser", NO_SUCH_ID),
    "study.studysession": ("superuser", NO_SUCH_ID),
    "study.attendance": ("superuser", NO_SUCH_ID),
    "study.studywork": ("superuser", NO_SUCH_ID),
    "meetings.meeting": ("superuser", NO_SUCH_ID),
    "notices.notice": ("superuser", NO_SUCH_ID),
    "notices.notification": ("superuser", NO_SUCH_ID),
    "opinions.opinionsettings": ("superuser", NO_SUCH_ID),
    "opinions.aspect": ("superuser", NO_SUCH_ID),
    "opinions.opinionrecord": ("superuser", NO_SUCH_ID),
    "opinions.mailbox": ("superuser", NO_SUCH_ID),
    "opinions.emailmessage": ("superuser", NO_SUCH_ID),
    "opinions.survey": ("superuser", NO_SUCH_ID),
    "opinions.opinionround": ("superuser", NO_SUCH_ID),
    "opinions.feedbackacknowledgement": ("superuser", NO_SUCH_ID),
    "auth.group": ("superuser", NO_SUCH_ID),
    "axes.accessattempt": ("superuser", NO_SUCH_ID),
    "axes.accesslog": ("superuser", NO_SUCH_ID),
    "axes.accessfailurelog": ("superuser", NO_SUCH_ID),
    "django_tasks_database.dbtaskresult": ("superuser", NO_SUCH_ID),
}

# What the cast's committee admin gets on each page, by profile.
COMMITTEE_ADMIN = {
    "scoped": {"changelist": 200, "add": 200, "change": 200, "history": 200, "delete": 200},
    "read_only": {"changelist": 200, "add": 403, "change": 200, "history": 200, "delete": 403},
    "superuser": {"changelist": 403, "add": 403, "change": 403, "history": 302, "delete": 403},
}


def _row(pattern: str, url, committee_admin: int, **kwargs: Any) -> AccessRow:
    return AccessRow(pattern, url, {"committee_admin": committee_admin}, default=OUT, **kwargs)


def _model_rows(label: str) -> list[AccessRow]:
    app_label, model_name = label.split(".")
    profile, pk = PROFILES[label]
    expect = COMMITTEE_ADMIN[profile]
    base = f"admin/{app_label}/{model_name}/"

    def obj(suffix: str):
        return lambda f: f"/{base}{pk(f)}/{suffix}"

    rows = [
        _row(base, lambda f: f"/{base}", expect["changelist"]),
        _row(f"{base}add/", lambda f: f"/{base}add/", expect["add"]),
        _row(f"{base}<path:object_id>/change/", obj("change/"), expect["change"]),
        _row(f"{base}<path:object_id>/history/", obj("history/"), expect["history"]),
        _row(f"{base}<path:object_id>/delete/", obj("delete/"), expect["delete"]),
        # The bare object URL redirects to its change page, whoever asks.
        _row(f"{base}<path:object_id>/", obj(""), 302),
    ]
    if label == "accounts.user":
        rows.append(_row(f"{base}<id>/password/", obj("password/"), 200))
    return rows


_registered = [
    f"{model._meta.app_label}.{model._meta.model_name}" for model in admin.site._registry
]
# The app index's route, spelt as Django's admin builds it (apps in registration order).
_app_index = "admin/^(?P<app_label>{})/".format(
    "|".join(dict.fromkeys(label.split(".")[0] for label in _registered))
)

ROWS = [
    _row("admin/", lambda f: "/admin/", 200),
    # The login page: a committee admin is sent on to the index; anyone else sees the form.
    AccessRow("admin/login/", lambda f: "/admin/login/", {"committee_admin": 302}, default=200),
    AccessRow(
        "admin/logout/",
        lambda f: "/admin/logout/",
        {"committee_admin": 302},
        default=OUT,
        method="post",
    ),
    _row("admin/password_change/", lambda f: "/admin/password_change/", 200),
    _row("admin/password_change/done/", lambda f: "/admin/password_change/done/", 200),
    # Without the widget's parameters the autocomplete refuses.
    _row("admin/autocomplete/", lambda f: "/admin/autocomplete/", 403),
    _row("admin/jsi18n/", lambda f: "/admin/jsi18n/", 200),
    _row(
        "admin/r/<path:content_type_id>/<path:object_id>/",
        lambda f: f"/admin/r/{_content_type('organization', 'unit')}/{f.org.branch_a1.pk}/",
        404,  # units have no page outside the admin to send anyone to
    ),
    _row(_app_index, lambda f: "/admin/organization/", 200),
    _row(_app_index, lambda f: "/admin/accounts/", 200),
    _row(_app_index, lambda f: "/admin/campaigns/", 404, note="no model of it is theirs"),
    _row("admin/(?P<url>.*)", lambda f: "/admin/no-such-page/", 404),
    *(row for label in _registered for row in _model_rows(label)),
]
