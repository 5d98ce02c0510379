from vanguard.notices.models import Notification


def unread(request):
    """The count of the person's unread notifications, for the badge in the nav."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count()
    }
