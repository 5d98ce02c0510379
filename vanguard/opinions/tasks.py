"""Background tasks of the opinions app. Thin (habit 6): they take primary keys and
call a service. Without a worker they run inline."""

from typing import Any

from django_tasks import task

from vanguard.opinions.email import polling


@task()
def poll_mailbox(mailbox_id: int) -> dict[str, Any]:
    """Fetch one mailbox's new mail into opinions (电子信箱); returns what happened."""
    return polling.mailbox_poll(mailbox_id=mailbox_id).as_dict()
