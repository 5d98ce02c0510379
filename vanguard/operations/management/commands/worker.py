"""`manage.py worker`: django_tasks_db's `db_worker`, which also leaves a heartbeat.

db_worker records nothing while it waits for tasks (a task's row says when *it* ran,
not that a worker is still there), so /healthz could not tell an idle worker from a
dead one. This command takes the same options, writes a heartbeat (operations.Heartbeat)
as it starts, and then every `--heartbeat` seconds from a thread of its own until it
stops. A long task does not hold the heartbeat back: it says the process is alive, not
that it is idle. Run it wherever `db_worker` ran (`make worker`, the systemd unit).
"""

from __future__ import annotations

import logging
import os
import threading
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.db import connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from vanguard.operations import services

logger = logging.getLogger(__name__)


class Heartbeat(threading.Thread):
    """Beats every `every` seconds until stopped. Each beat opens and closes this thread's
    own database connection: an idle connection held for minutes is worth nothing."""

    def __init__(self, every: float) -> None:
        super().__init__(name="vanguard-worker-heartbeat", daemon=True)
        self.every = every
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            try:
                services.heartbeat_record()
            except Exception as error:  # noqa: BLE001 - the next beat may get through
                logger.warning("worker heartbeat not recorded: %s: %s", type(error).__name__, error)
            finally:
                connections.close_all()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=10)


class Command(DBWorkerCommand):
    help = "Run the background-task worker (db_worker), with a heartbeat for /healthz"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--heartbeat",
            type=float,
            default=30.0,
            help="Seconds between heartbeats (default: %(default)s); keep it well under "
            "VANGUARD_HEALTH_WORKER_MAX_AGE",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every = options.pop("heartbeat")
        if not 0 < every < float("inf"):
            raise CommandError("--heartbeat must be a number of seconds above 0")
        # With --reload the first process only watches files and restarts a child that
        # runs the worker: only a process that runs tasks beats.
        watching = (
            options["reload"]
            and not options["batch"]
            and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        )
        if watching:
            super().handle(*args, **options)
            return
        services.heartbeat_record()
        beating = Heartbeat(every)
        beating.start()
        try:
            super().handle(*args, **options)
        finally:
            beating.stop()
