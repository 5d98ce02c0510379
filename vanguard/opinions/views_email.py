"""Pages of the e-mail channel (电子信箱): the mailboxes a unit keeps, polling them on
demand, uploading saved .eml files, and downloading an e-mail's attachments.
Thin: the work is in `services_email`; access is in `accounts.permissions`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.campaigns.selectors import active_campaign_for_unit
from vanguard.lib import filetypes
from vanguard.opinions import access, services_email
from vanguard.opinions.models import EmailAttachment, Mailbox
from vanguard.opinions.tasks import poll_mailbox
from vanguard.organization.forms import MarksInvalidFields
from vanguard.organization.models import Unit


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return "\u3000" * max(obj.depth, 0) + obj.name


class MailboxForm(MarksInvalidFields, forms.ModelForm):
    branch = UnitChoiceField(
        label=gettext_lazy("归属单位"),
        queryset=Unit.objects.none(),
        empty_label=None,
        help_text=gettext_lazy("收到的邮件交由这个单位梳理，归入它进行中的活动。"),
    )
    password = forms.CharField(
        label=gettext_lazy("密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = Mailbox
        fields = (
            "branch",
            "address",
            "host",
            "port",
            "use_ssl",
            "username",
            "password",
            "folder",
            "is_active",
        )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = units  # type: ignore[attr-defined]
        self.fields["port"].widget.attrs.update({"min": 1, "max": 65535})
        if self.instance.pk:
            self.fields["password"].help_text = _("留空则保持原密码不变。")

    def clean_port(self) -> int:
        port = self.cleaned_data["port"]
        if not 1 <= port <= 65535:
            raise forms.ValidationError(_("端口应在 1 到 65535 之间"))
        return port

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        if not password and not self.instance.pk:
            raise forms.ValidationError(_("请填写邮箱密码（或授权码）"))
        return password or self.instance.password

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        branch = data.get("branch")
        if branch is not None:
            campaign = active_campaign_for_unit(branch.path)
            if campaign is None:
                self.add_error("branch", _("这个单位没有进行中的活动，无法设置意见邮箱"))
            else:
                self.instance.campaign = campaign
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".eml,message/rfc822"}))
        # An empty file is refused by the import, with its name in the message.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class EmlUploadForm(MarksInvalidFields, forms.Form):
    unit = UnitChoiceField(
        label=gettext_lazy("归属单位"),
        queryset=Unit.objects.none(),
        empty_label=None,
        help_text=gettext_lazy("邮件导入后交由这个单位梳理。"),
    )
    files = MultipleFileField(  # type: ignore[assignment]
        label=gettext_lazy("邮件文件（.eml，可多选）"),
        error_messages={"required": gettext_lazy("请选择要上传的 .eml 邮件文件")},
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]

    def clean_unit(self) -> Unit:
        unit = self.cleaned_data["unit"]
        self.campaign = active_campaign_for_unit(unit.path)
        if self.campaign is None:
            raise forms.ValidationError(_("这个单位没有进行中的活动，无法导入意见"))
        return unit


def _mailbox_units(request: HttpRequest) -> Any:
    units = access.mailbox_units(request.user)
    if not units.exists():
        raise PermissionDenied
    return units


@login_required
@require_GET
def mailbox_list(request: HttpRequest) -> HttpResponse:
    _mailbox_units(request)
    mailboxes = access.visible_mailboxes(request.user).order_by("branch__path", "pk")
    return render(
        request,
        "opinions/email_mailboxes.html",
        {
            "mailboxes": mailboxes,
            "can_upload": access.opinion_units(request.user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def mailbox_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    units = _mailbox_units(request)
    mailbox = access.get_mailbox_for_user(request.user, pk) if pk is not None else None
    if request.method == "POST":
        form = MailboxForm(request.POST, instance=mailbox, units=units)
        if form.is_valid():
            saved = services_email.mailbox_save(mailbox=form.save(commit=False))
            messages.success(
                request, _("已保存意见邮箱 %(address)s。") % {"address": saved.address}
            )
            return redirect("opinions:email_mailboxes")
    else:
        form = MailboxForm(instance=mailbox, units=units)
    return render(request, "opinions/email_mailbox_form.html", {"form": form, "mailbox": mailbox})


@login_required
@require_POST
def mailbox_poll(request: HttpRequest, pk: int) -> HttpResponse:
    mailbox = access.get_mailbox_for_user(request.user, pk)
    result = poll_mailbox.enqueue(mailbox.pk)
    if result.is_finished and result.return_value is not None:
        report = result.return_value
        messages.success(
            request,
            _("已收取 %(address)s：新导入 %(imported)s 条意见，%(duplicates)s 封已导入过。")
            % {
                "address": mailbox.address,
                "imported": report["imported"],
                "duplicates": report["duplicates"],
            },
        )
        if report["problems"]:
            messages.warning(request, _("；").join(report["problems"]))
    else:
        messages.info(request, _("已安排收取 %(address)s。") % {"address": mailbox.address})
    return redirect("opinions:email_mailboxes")


@login_required
@require_http_methods(["GET", "POST"])
def eml_upload(request: HttpRequest) -> HttpResponse:
    units = access.opinion_units(request.user)
    if not units.exists():
        raise PermissionDenied
    result = None
    if request.method == "POST":
        form = EmlUploadForm(request.POST, request.FILES, units=units)
        if form.is_valid():
            unit = form.cleaned_data["unit"]
            if not access.can_sort_opinions(request.user, unit):
                raise PermissionDenied
            result = services_email.eml_upload(
                campaign=form.campaign, branch=unit, files=form.cleaned_data["files"]
            )
            if result.errors:
                form.add_error("files", result.errors)
            else:
                messages.success(
                    request,
                    _("已导入 %(count)s 封邮件。") % {"count": len(result.imported)},
                )
    else:
        form = EmlUploadForm(units=units, initial={"unit": request.GET.get("unit")})
    return render(
        request,
        "opinions/email_upload.html",
        {
            "form": form,
            "result": result,
            "max_bytes": services_email.email_max_bytes(),
            "attachment_max_bytes": services_email.attachment_max_bytes(),
        },
    )


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """An e-mail's attachment is source material: only for those who sort the opinion
    and may see where it came from — never for the member it concerns."""
    attachment = EmailAttachment.objects.filter(pk=pk).select_related("message").first()
    opinion = attachment.message.opinions.order_by("pk").first() if attachment else None
    if opinion is None:
        raise Http404
    opinion = access.get_opinion_for_user(request.user, opinion.pk)
    if not access.can_see_opinion_sources(request.user, opinion):
        raise PermissionDenied
    file = attachment.file.open("rb")  # type: ignore[union-attr]
    kind = filetypes.detect(file)
    # Served as what its content is, or as bytes: never as HTML a sender could script.
    content_type = filetypes.CONTENT_TYPES.get(kind or "", "application/octet-stream")
    response = FileResponse(
        file,
        as_attachment=True,
        filename=attachment.name,  # type: ignore[union-attr]
        content_type=content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
