"""The organisation: committee (党委) → general branch (党总支) → branch (党支部)
→ party group (党小组), and the members (党员) who belong to branches.

The tree is one model, `Unit`, not five fixed levels: some branches sit directly
under the committee, small branches have no party groups, and a university
deployment puts the university committee above its colleges' committees.
Each unit keeps a materialised path ("/1/4/17/") so that "everything under this
unit" is one indexed prefix query, whatever the depth.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

from vanguard.lib.paths import path_ids


class Unit(models.Model):
    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("党委")
        GENERAL_BRANCH = "general_branch", _("党总支")
        BRANCH = "branch", _("党支部")
        PARTY_GROUP = "party_group", _("党小组")

    class BranchType(models.TextChoices):
        FACULTY = "faculty", _("教工")
        MASTERS = "masters", _("硕士生")
        DOCTORAL = "doctoral", _("博士生")
        UNDERGRADUATE = "undergraduate", _("本科生")
        RETIRED = "retired", _("退休")
        OFFICE = "office", _("机关")
        INSTITUTE = "institute", _("研究所")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    branch_type = models.CharField(
        _("支部类型"), max_length=20, choices=BranchType.choices, blank=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级组织"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("组织单位")
        verbose_name_plural = _("组织单位")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unit_unique_name_in_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    # Which kinds a unit of each kind may sit under (None: at the top of the tree).
    ALLOWED_PARENT_KINDS: dict[str, frozenset[str | None]] = {
        Kind.COMMITTEE: frozenset({None, Kind.COMMITTEE}),
        Kind.GENERAL_BRANCH: frozenset({Kind.COMMITTEE}),
        Kind.BRANCH: frozenset({Kind.COMMITTEE, Kind.GENERAL_BRANCH}),
        Kind.PARTY_GROUP: frozenset({Kind.BRANCH}),
    }

    def save(self, *args, **kwargs) -> None:
        """Save, keeping every stored path right: when the unit moves to another parent,
        the paths of its whole subtree are rewritten in the same transaction, so no
        scope check ever sees a half-moved subtree."""
        with transaction.atomic():
            # The path needs the primary key, so a new unit is saved twice.
            creating = self.pk is None
            old_path = ""
            if creating:
                self.path = ""
                super().save(*args, **kwargs)
                kwargs.pop("force_insert", None)
                kwargs["update_fields"] = ["path", "depth"]
            else:
                # Lock the unit so that two moves of one subtree cannot interleave.
                old_path = (
                    Unit.objects.select_for_update()
                    .filter(pk=self.pk)
                    .values_list("path", flat=True)
                    .first()
                ) or ""
            parent = self.parent if self.parent_id else None
            if parent is not None:
                # The parent's stored path, not a copy that a move may have made stale.
                parent.path = Unit.objects.values_list("path", flat=True).get(pk=parent.pk)
            check_placement(self, parent, current_path=old_path)
            if not creating:
                check_kind_fits_contents(self)
            self.path = f"{parent.path if parent is not None else '/'}{self.pk}/"
            self.depth = self.path.count("/") - 2
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(
                        Value(self.path),
                        Substr("path", len(old_path) + 1),
                        output_field=models.CharField(),
                    ),
                    depth=F("depth") + (self.path.count("/") - old_path.count("/")),
                )

    def clean(self) -> None:
        super().clean()
        check_placement(self, self.parent if self.parent_id else None)

    @property
    def is_branch(self) -> bool:
        return self.kind == self.Kind.BRANCH

    def ancestors(self) -> models.QuerySet[Unit]:
        ids = path_ids(self.path)
        return Unit.objects.filter(pk__in=ids[:-1]).order_by("depth")

    def subtree(self) -> models.QuerySet[Unit]:
        return Unit.objects.filter(path__startswith=self.path)


def check_placement(unit: Unit, parent: Unit | None, *, current_path: str | None = None) -> None:
    """Refuse a unit under one of its own descendants (or itself), and under a parent of
    a kind it cannot sit under (a branch under a party group, a committee under a branch)."""
    path = unit.path if current_path is None else current_path
    if (
        parent is not None
        and unit.pk is not None
        and (parent.pk == unit.pk or (path and parent.path.startswith(path)))
    ):
        raise ValidationError({"parent": _("不能把组织单位移到它自己或它的下级之下。")})
    allowed = Unit.ALLOWED_PARENT_KINDS.get(unit.kind)
    if allowed is not None and (parent.kind if parent is not None else None) not in allowed:
        raise ValidationError(
            {
                "parent": _("%(kind)s不能设在%(parent)s之下。")
                % {
                    "kind": unit.get_kind_display(),
                    "parent": parent.get_kind_display() if parent is not None else _("顶层"),
                }
            }
        )


def check_kind_fits_contents(unit: Unit) -> None:
    """A unit's kind cannot change into one its children or members cannot sit under."""
    child_kinds = set(Unit.objects.filter(parent_id=unit.pk).values_list("kind", flat=True))
    if any(
        unit.kind not in Unit.ALLOWED_PARENT_KINDS.get(kind, {unit.kind}) for kind in child_kinds
    ):
        raise ValidationError(
            {
                "kind": _("这个组织单位的下级不能设在%(kind)s之下。")
                % {"kind": unit.get_kind_display()}
            }
        )
    if unit.kind != Unit.Kind.BRANCH and Member.objects.filter(branch_id=unit.pk).exists():
        raise ValidationError({"kind": _("这个组织单位有党员，只能是党支部。")})


class Member(models.Model):
    """A Party member (党员), formal or probationary (预备党员)."""

    class Category(models.TextChoices):
        FACULTY = "faculty", _("教师")
        STAFF = "staff", _("管理人员")
        POSTDOC = "postdoc", _("博士后")
        DOCTORAL = "doctoral", _("博士研究生")
        MASTERS = "masters", _("硕士研究生")
        UNDERGRADUATE = "undergraduate", _("本科生")
        RETIRED = "retired", _("退休人员")
        OTHER = "other", _("其他")

    class Standing(models.TextChoices):
        FORMAL = "formal", _("正式党员")
        PROBATIONARY = "probationary", _("预备党员")

    name = models.CharField(_("姓名"), max_length=50)
    number = models.CharField(_("工号/学号"), max_length=32, unique=True)
    category = models.CharField(_("人员类别"), max_length=20, choices=Category.choices)
    standing = models.CharField(
        _("党员类型"), max_length=20, choices=Standing.choices, default=Standing.FORMAL
    )
    joined_on = models.DateField(_("入党时间"), null=True, blank=True)
    phone = models.CharField(_("手机"), max_length=32, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    is_active = models.BooleanField(_("在册"), default=True)
    branch = models.ForeignKey(
        Unit,
        verbose_name=_("所在支部"),
        on_delete=models.PROTECT,
        related_name="members",
        limit_choices_to={"kind": Unit.Kind.BRANCH},
    )
    party_group = models.ForeignKey(
        Unit,
        verbose_name=_("所在党小组"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="group_members",
        limit_choices_to={"kind": Unit.Kind.PARTY_GROUP},
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["branch__path", "number"]
        indexes = [
            models.Index(fields=["name"]),
            # The active members of a subtree's branches, read without the table: with
            # only the plain branch index, PostgreSQL reads all a million members of a
            # province to find one university's 20,000 (docs/scale.md).
            # (`id` as a key column rather than INCLUDE, which SQLite does not have.)
            models.Index(
                fields=["branch", "id"],
                condition=models.Q(is_active=True),
                name="member_active_by_branch",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"


class MemberTransfer(models.Model):
    """A move of a member from one branch to another (组织关系转接), kept as history."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="transfers")
    from_branch = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("原支部")
    )
    to_branch = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("新支部")
    )
    moved_at = models.DateTimeField(_("转接时间"), auto_now_add=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        ordering = ["-moved_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.from_branch_id} → {self.to_branch_id}"


class ImportJob(models.Model):
    """One roster import (名册导入): the uploaded file, its progress and its outcome.

    The job row is the record of the import (who, when, into which unit, what came
    of it); the members it creates, changes or moves are audited one by one.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("等待处理")
        VALIDATING = "validating", _("正在校验")
        WRITING = "writing", _("正在写入")
        DONE = "done", _("已完成")
        FAILED = "failed", _("未导入")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("导入范围"), on_delete=models.PROTECT, related_name="+"
    )
    # Stored under MEDIA_ROOT, which has no public URL; removed once the job is finished.
    file = models.FileField(_("文件"), upload_to="roster_imports/%Y/%m/", blank=True)
    original_name = models.CharField(_("文件名"), max_length=255)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已校验行数"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    summary = models.JSONField(_("结果"), default=dict, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("名册导入")
        verbose_name_plural = _("名册导入")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}
