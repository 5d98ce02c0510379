import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0001_initial"),
        ("materials", "0001_workbook_job"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ReportSelection",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=30, verbose_name="事例类型")),
                ("ref", models.CharField(max_length=60, verbose_name="记录")),
                ("order", models.PositiveIntegerField(default=0, verbose_name="顺序")),
                ("chosen_at", models.DateTimeField(auto_now_add=True, verbose_name="选定时间")),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="report_selections",
                        to="campaigns.campaign",
                        verbose_name="活动",
                    ),
                ),
                (
                    "chosen_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="选定人",
                    ),
                ),
            ],
            options={
                "verbose_name": "工作总结选用事例",
                "verbose_name_plural": "工作总结选用事例",
                "ordering": ("order", "pk"),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("campaign", "kind", "ref"), name="materials_report_selection_once"
                    )
                ],
            },
        ),
    ]
