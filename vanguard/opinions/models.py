"""Opinion solicitation (征求意见): opinions gathered through five channels —
suggestion box (意见箱), e-mail (电子信箱), written survey (书面调查), individual
talks (个人交谈) and symposia (座谈会) — sorted (梳理) and fed back (反馈) to the
member they concern, with the source hidden.

Secrecy rules kept here, by the shape of the tables:
- An opinion's source (`contact`, `source`) is kept apart from what a subject may
  read, never copied into the audit trail (`audit_hidden_fields`), and no
  opinion records an exact time: `received_on` is a date.
- A survey answer (`SurveyAnswer`) has no link to its invitation, its respondent
  or the time it was given, and answers of one respondent about several members
  are separate rows with nothing in common. Invitations record only *whether*
  they were used, never when.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_ASPECTS = (
    ("political", _("政治思想")),
    ("party_spirit", _("党性锻炼")),
    ("work", _("学习工作（教学科研）")),
    ("service", _("服务奉献")),
    ("discipline", _("组织纪律")),
    ("style", _("工作作风")),
    ("unity", _("团结协作")),
    ("integrity", _("廉洁自律")),
)


class OpinionSettings(models.Model):
    """Per-campaign settings of opinion solicitation."""

    campaign = models.OneToOneField(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="opinion_settings"
    )
    min_respondents = models.PositiveSmallIntegerField(
        _("问卷汇总最少人数"),
        default=3,
        help_text=_("少于这个人数作答时，不显示问卷汇总，以免推断出作答人。"),
    )
    criticism_threshold = models.PositiveSmallIntegerField(
        _("批评意见比例下限（%）"),
        default=20,
        help_text=_("支部收到的批评意见占比低于此值时，提示开展第二轮征求意见。"),
    )

    class Meta:
        verbose_name = _("征求意见设置")
        verbose_name_plural = _("征求意见设置")

    def __str__(self) -> str:
        return str(self.campaign)


class Aspect(models.Model):
    """One of the aspects of the opinion form (默认 8 个方面), editable per campaign."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="opinion_aspects"
    )
    key = models.SlugField(max_length=30)
    name = models.CharField(_("方面"), max_length=30)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("意见方面")
        verbose_name_plural = _("意见方面")
        ordering = ["campaign", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="aspect_unique_key"),
        ]

    def __str__(self) -> str:
        return self.name


class Opinion(models.Model):
    class Channel(models.TextChoices):
        SUGGESTION_BOX = "suggestion_box", _("意见箱")
        EMAIL = "email", _("电子信箱")
        SURVEY = "survey", _("书面调查")
        TALK = "talk", _("个人交谈")
        SYMPOSIUM = "symposium", _("座谈会")

    class SubjectKind(models.TextChoices):
        UNASSIGNED = "unassigned", _("待归类")
        MEMBER = "member", _("党员个人")
        BRANCH = "branch", _("党支部")
        COMMITTEE = "committee", _("党委")

    class Kind(models.TextChoices):
        UNSORTED = "unsorted", _("未分类")
        PRAISE = "praise", _("肯定表扬")
        CRITICISM = "criticism", _("批评")
        SUGGESTION = "suggestion", _("建议")

    class Status(models.TextChoices):
        NEW = "new", _("待梳理")
        SORTED = "sorted", _("已梳理")
        SET_ASIDE = "set_aside", _("已搁置")
        MERGED = "merged", _("已合并")

    # Never copied into the audit trail: they can name the person who gave it.
    audit_hidden_fields = ("contact", "source")

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="opinions"
    )
    branch = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("收集单位"),
        on_delete=models.CASCADE,
        related_name="opinions",
        help_text=_("由哪个支部（或党委）梳理这条意见。"),
    )
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    text = models.TextField(_("意见内容"))
    received_on = models.DateField(_("收到日期"))  # a date, never a time
    # The source: whoever or whatever it came from. Hidden from the subject always.
    contact = models.CharField(_("联系方式"), max_length=200, blank=True)
    source = models.CharField(_("来源"), max_length=300, blank=True)
    subject_kind = models.CharField(
        _("意见对象"), max_length=20, choices=SubjectKind.choices, default=SubjectKind.UNASSIGNED
    )
    subject_member = models.ForeignKey(
        "organization.Member",
        verbose_name=_("所涉党员"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opinions_about",
    )
    subject_unit = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("所涉组织"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opinions_about",
    )
    aspect = models.ForeignKey(
        Aspect, verbose_name=_("方面"), on_delete=models.SET_NULL, null=True, blank=True
    )
    kind = models.CharField(_("性质"), max_length=20, choices=Kind.choices, default=Kind.UNSORTED)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.NEW)
    set_aside_reason = models.CharField(_("搁置原因"), max_length=300, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_from"
    )
    # The talk or symposium record this opinion was entered from, if any.
    record = models.ForeignKey(
        "OpinionRecord", on_delete=models.CASCADE, null=True, blank=True, related_name="opinions"
    )
    # Where an e-mail opinion came from (attachments hang off it), if any.
    email = models.ForeignKey(
        "EmailMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="opinions"
    )

    class Meta:
        verbose_name = _("意见")
        verbose_name_plural = _("意见")
        ordering = ["-received_on", "-pk"]
        indexes = [
            models.Index(fields=["campaign", "branch", "status"]),
            models.Index(fields=["campaign", "subject_member"]),
        ]

    def __str__(self) -> str:
        return self.text[:40]


class OpinionRecord(models.Model):
    """A record of an individual talk (个人交谈) or a symposium (座谈会), kept by a
    branch committee member; each opinion in it is entered as its own Opinion."""

    class Kind(models.TextChoices):
        TALK = "talk", _("个人交谈")
        SYMPOSIUM = "symposium", _("座谈会")

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="opinion_records"
    )
    branch = models.ForeignKey("organization.Unit", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("形式"), max_length=20, choices=Kind.choices)
    held_on = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    participants = models.TextField(_("参加人员"), blank=True)  # a source: hidden from subjects
    notes = models.TextField(_("记录"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)

    # Who took part, and notes that may name them, are sources.
    audit_hidden_fields = ("participants", "notes")

    class Meta:
        verbose_name = _("谈话与座谈记录")
        verbose_name_plural = _("谈话与座谈记录")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"


class Mailbox(models.Model):
    """A campaign's mailbox (电子信箱), polled over IMAP."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="mailboxes"
    )
    branch = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("归属单位"),
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("收到的邮件交由哪个单位梳理。"),
    )
    address = models.EmailField(_("邮箱地址"))
    host = models.CharField(_("IMAP 服务器"), max_length=200)
    port = models.PositiveIntegerField(_("端口"), default=993)
    use_ssl = models.BooleanField(_("使用 SSL"), default=True)
    username = models.CharField(_("用户名"), max_length=200)
    password = models.CharField(_("密码"), max_length=200)
    folder = models.CharField(_("文件夹"), max_length=100, default="INBOX")
    is_active = models.BooleanField(_("启用"), default=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    audit_hidden_fields = ("password",)

    class Meta:
        verbose_name = _("意见邮箱")
        verbose_name_plural = _("意见邮箱")

    def __str__(self) -> str:
        return self.address


class EmailMessage(models.Model):
    """One imported e-mail; its Message-ID (hashed) stops a second import."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    message_id_hash = models.CharField(max_length=64)
    subject = models.CharField(_("主题"), max_length=300, blank=True)
    sender = models.CharField(_("发件人"), max_length=300, blank=True)  # a source
    received_on = models.DateField(_("收到日期"))
    # Attachments that were not kept (executable, too large), one line each with the
    # file's name. For the sorters who see the sources only: a file name can name the
    # sender, so it is never part of the opinion's text, which is fed back.
    attachment_notes = models.TextField(_("未保存的附件"), blank=True)

    audit_hidden_fields = ("sender", "attachment_notes")

    class Meta:
        verbose_name = _("意见邮件")
        verbose_name_plural = _("意见邮件")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "message_id_hash"], name="email_imported_once"
            ),
        ]

    def __str__(self) -> str:
        return self.subject


def attachment_path(instance: EmailAttachment, filename: str) -> str:
    return f"opinions/mail/{instance.message.campaign_id}/{uuid.uuid4().hex}"


class EmailAttachment(models.Model):
    message = models.ForeignKey(EmailMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("邮件附件")
        verbose_name_plural = _("邮件附件")

    def __str__(self) -> str:
        return self.name


class Survey(models.Model):
    """A written survey (书面调查) of a branch's members, on the campaign's aspects."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    branch = models.ForeignKey("organization.Unit", on_delete=models.CASCADE, related_name="+")
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    title = models.CharField(_("标题"), max_length=200)
    is_open = models.BooleanField(_("接受作答"), default=True)

    class Meta:
        verbose_name = _("书面调查")
        verbose_name_plural = _("书面调查")

    def __str__(self) -> str:
        return self.title


class SurveyInvitation(models.Model):
    """A one-time link (or QR code) to the survey for one named respondent.

    Only a hash of the token is kept, and only *whether* it was used — never
    when, and nothing that leads to the answers it gave."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    respondent = models.CharField(_("调查对象"), max_length=100)
    inside_party = models.BooleanField(_("党内"), default=False)
    used = models.BooleanField(_("已作答"), default=False)

    class Meta:
        verbose_name = _("问卷邀请")
        verbose_name_plural = _("问卷邀请")

    def __str__(self) -> str:
        return self.respondent


class SurveyAnswer(models.Model):
    """One respondent's ratings of one member: no token, no respondent, no time.

    The primary key is random, and the table is rewritten in random order when the
    survey closes, so not even the insertion order follows the order of answering."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    subject_member = models.ForeignKey(
        "organization.Member", on_delete=models.CASCADE, related_name="survey_answers"
    )
    ratings = models.JSONField(default=dict)  # {aspect key: "good"|"fair"|"average"|"poor"}
    comments = models.JSONField(default=dict)  # {aspect key: text}

    class Meta:
        verbose_name = _("问卷答卷")
        verbose_name_plural = _("问卷答卷")

    def __str__(self) -> str:
        return str(self.pk)


class OpinionRound(models.Model):
    """A further round of solicitation for a branch (the seed's face-to-face round)."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    branch = models.ForeignKey("organization.Unit", on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField(_("轮次"))
    reason = models.CharField(_("原因"), max_length=300)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_on = models.DateField(_("开始日期"), auto_now_add=True)

    class Meta:
        verbose_name = _("征求意见轮次")
        verbose_name_plural = _("征求意见轮次")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "branch", "number"], name="opinion_round_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch_id} #{self.number}"


class FeedbackAcknowledgement(models.Model):
    """A member's acknowledgement of their feedback sheet (反馈), with how they will respond.
    The self-analysis and rectification workflows read `response` later."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(
        "organization.Member", on_delete=models.CASCADE, related_name="feedback_acknowledgements"
    )
    acknowledged_at = models.DateTimeField(_("确认时间"), auto_now=True)
    response = models.TextField(_("如何回应"), blank=True)

    class Meta:
        verbose_name = _("反馈确认")
        verbose_name_plural = _("反馈确认")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "member"], name="feedback_ack_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}"


class SubmissionToken(models.Model):
    """A create that must happen once: the suggestion box form's one-time hidden token,
    or an API client's Idempotency-Key (stored as a keyed hash of the caller and the
    key, `accounts.idempotency.token`, so that it names no one). The same token again
    finds the first opinion instead of making a second. No time is kept: the box
    dates its opinions by day only."""

    token = models.CharField(max_length=64, unique=True)
    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="+")

    audit_hidden_fields = ("token",)

    class Meta:
        verbose_name = _("提交凭据")
        verbose_name_plural = _("提交凭据")

    def __str__(self) -> str:
        return str(self.pk)
