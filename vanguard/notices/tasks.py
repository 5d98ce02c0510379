"""Background tasks of the notices app. Thin: the e-mails of notifications and digests
are sent here, after the rows are committed, so a web request that tells hundreds of
people (a notice to the whole college) does not wait on the mail server. Without a
worker they run inline.

Unlike other tasks it takes the mails themselves, not primary keys: a message's
subject, body and address may be the caller's own and are not stored elsewhere. They
hold nothing secret (`notify_many`'s texts name no opinion, source or vote); a
database queue keeps them until the worker's results are pruned."""

from __future__ import annotations

from django.core.mail import get_connection, send_mass_mail
from django_tasks import task


@task()
def send_mails(mails: list[list]) -> int:
    """Send [subject, body, from, [to]] e-mails over one connection; returns how many."""
    return int(send_mass_mail([tuple(mail) for mail in mails], connection=get_connection()))
