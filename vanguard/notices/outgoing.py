"""What leaves the app, and in which language: the switch that keeps notifications in
the app (`services.mail_off`, the demo's) and the site's own language for stored texts,
e-mails and group-chat posts. Its own module, importing nothing of the project, so
that both `notices.services` and `notices.chat` read the same switch."""

from __future__ import annotations

import contextvars
from typing import Any

from django.conf import settings
from django.utils import translation

mail_off_flag: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "notices_mail_off", default=False
)


def mail_is_off() -> bool:
    """Inside `services.mail_off()`: nothing leaves the app (mails, group-chat posts)."""
    return mail_off_flag.get()


def site_language() -> Any:
    """Stored texts and e-mails are written in the site's own language (Chinese)."""
    return translation.override(settings.LANGUAGE_CODE)
