from django.db import connection

from vanguard.notices.models import Notification

# The count in one statement of its own: every page asks it (the nav's badge, a kept
# page's key), and the ORM's compiling of it cost more than the database's answer.
_UNREAD = (
    f"SELECT COUNT(*) FROM {Notification._meta.db_table} "  # noqa: S608 (names of our own)
    "WHERE user_id = %s AND read_at IS NULL"
)


def unread_count(request) -> int:
    """The person's unread notifications: the badge in the nav, and a part of a kept
    page's key (notifications are not counted records: `campaigns.kept_pages`)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    # Asked once a request: a kept page's key reads it, and the page made after a miss.
    if not hasattr(request, "_vanguard_unread"):
        with connection.cursor() as cursor:
            cursor.execute(_UNREAD, [user.pk])
            request._vanguard_unread = int(cursor.fetchone()[0])
    return request._vanguard_unread


def unread(request):
    """The count of the person's unread notifications, for the badge in the nav."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(request)}
