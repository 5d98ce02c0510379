from vanguard.notices.models import Notification


def unread_count(request) -> int:
    """The person's unread notifications: the badge in the nav, and a part of a kept
    page's key (notifications are not counted records: `campaigns.kept_pages`)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def unread(request):
    """The count of the person's unread notifications, for the badge in the nav."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(request)}
