"""Background tasks of the organisation app. Thin: they take primary keys and call a
service (habit 6). Without a worker (the default ImmediateBackend) they run inline;
with VANGUARD_TASKS=database they wait for `make worker`."""

from django_tasks import task

from vanguard.organization import roster


@task()
def roster_import(job_id: int) -> str:
    """Check and write one uploaded roster (名册导入); returns the job's final status."""
    return roster.import_job_run(job_id=job_id).status
