"""The three jobs share one abstract model (materials.jobs.MaterialJob): the workbook's
status / steps_done / steps_total are renamed state / done / total like the bundles'
and the archive's (RenameField: the columns keep their rows), its "pending" becomes
"queued", and every file field names the one upload_to."""

from django.db import migrations, models

import vanguard.materials.jobs


def pending_to_queued(apps, schema_editor):
    apps.get_model("materials", "WorkbookJob").objects.filter(state="pending").update(
        state="queued"
    )


def queued_to_pending(apps, schema_editor):
    apps.get_model("materials", "WorkbookJob").objects.filter(state="queued").update(
        state="pending"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("materials", "0006_alter_workbookjob_file"),
    ]

    operations = [
        migrations.RenameField(model_name="workbookjob", old_name="status", new_name="state"),
        migrations.RenameField(model_name="workbookjob", old_name="steps_done", new_name="done"),
        migrations.RenameField(model_name="workbookjob", old_name="steps_total", new_name="total"),
        migrations.AlterField(
            model_name="workbookjob",
            name="state",
            field=models.CharField(
                choices=[
                    ("queued", "等待处理"),
                    ("running", "正在生成"),
                    ("done", "已完成"),
                    ("failed", "未能生成"),
                ],
                default="queued",
                max_length=20,
                verbose_name="状态",
            ),
        ),
        migrations.RunPython(pending_to_queued, queued_to_pending),
        migrations.AlterField(
            model_name="workbookjob",
            name="done",
            field=models.PositiveIntegerField(default=0, verbose_name="已完成"),
        ),
        migrations.AlterField(
            model_name="workbookjob",
            name="total",
            field=models.PositiveIntegerField(default=0, verbose_name="总数"),
        ),
        migrations.AlterField(
            model_name="archivejob",
            name="file",
            field=models.FileField(
                blank=True, upload_to=vanguard.materials.jobs.job_file_path, verbose_name="文件"
            ),
        ),
        migrations.AlterField(
            model_name="bundlejob",
            name="file",
            field=models.FileField(
                blank=True, upload_to=vanguard.materials.jobs.job_file_path, verbose_name="文件"
            ),
        ),
        migrations.AlterField(
            model_name="workbookjob",
            name="file",
            field=models.FileField(
                blank=True, upload_to=vanguard.materials.jobs.job_file_path, verbose_name="文件"
            ),
        ),
    ]
