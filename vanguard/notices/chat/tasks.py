"""The group-chat post task: thin, it takes the post's primary key. A failed attempt
is queued again to run after its wait where the task backend can defer (the database
worker); inline, the `chat_retry` command (a timer) sends it once it is due."""

from __future__ import annotations

from django_tasks import task

from vanguard.notices.chat.sending import chat_post_send


@task()
def chat_post_deliver(post_id: int) -> str:
    outcome, retry_at = chat_post_send(post_id=post_id)
    if retry_at is not None and chat_post_deliver.get_backend().supports_defer:
        chat_post_deliver.using(run_after=retry_at).enqueue(post_id)
    return outcome
