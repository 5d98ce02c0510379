"""Notices and reminders posted to units' group chats: WeChat Work (企业微信) and
DingTalk (钉钉) group robots, by webhook (`webhooks`), sent by a task and retried with
backoff (`services`), managed by a unit's officers on one page (`views`)."""
