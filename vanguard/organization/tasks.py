"""Background tasks of the organisation app, by the path a task queue stores.

The roster import task lives beside the jobs it runs (`organization.roster.jobs`), and
new tasks are queued under that path. This module keeps the path the queue stored
before the roster became a package, `vanguard.organization.tasks.roster_import`, so a
task queued under it (VANGUARD_TASKS=database) still runs after an upgrade."""

from vanguard.organization.roster.jobs import roster_import

__all__ = ["roster_import"]
