"""What the operator's tools keep: the worker's heartbeat (心跳)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last time a long-running process said it was alive (`manage.py worker`, every
    half minute). One row per kind of process, overwritten: no history, no data."""

    WORKER = "worker"

    name = models.CharField(_("进程"), max_length=40, primary_key=True)
    beat_at = models.DateTimeField(_("最近心跳"))

    class Meta:
        verbose_name = _("心跳")
        verbose_name_plural = _("心跳")

    def __str__(self) -> str:
        return self.name
