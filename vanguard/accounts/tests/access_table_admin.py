"""The back office (Django admin) is for committee admins only. Its many URLs share
one check (accounts.admin.CommitteeAdminOnly and admin.site.has_permission), so the
table samples the index and a model list; everyone else is sent to the admin login."""

from tests.access import AccessRow

ROWS = [
    AccessRow("admin/", lambda f: "/admin/", {"committee_admin": 200}, default=302),
    AccessRow(
        "admin/organization/member/",
        lambda f: "/admin/organization/member/",
        {"committee_admin": 200},
        default=302,
    ),
    AccessRow(
        "admin/audit/auditentry/",
        lambda f: "/admin/audit/auditentry/",
        {"committee_admin": 200},
        default=302,
    ),
]
