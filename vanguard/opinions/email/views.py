"""Pages of the e-mail channel (电子信箱): the mailboxes a unit keeps, polling them on
demand, uploading saved .eml files, and downloading an e-mail's attachments.
Thin: the work is in `email.services` and `email.polling` (through the task);
access is in `opinions.access`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.lib import filetypes, uploads
from vanguard.opinions import access
from vanguard.opinions.email import mime, services
from vanguard.opinions.email.forms import EmlUploadForm, MailboxForm
from vanguard.opinions.tasks import poll_mailbox


@login_required
@require_GET
def mailbox_list(request: HttpRequest) -> HttpResponse:
    access.get_mailbox_units_for_user(request.user)
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
    units = access.get_mailbox_units_for_user(request.user)
    mailbox = access.get_mailbox_for_user(request.user, pk) if pk is not None else None
    if request.method == "POST":
        form = MailboxForm(request.POST, instance=mailbox, units=units)
        if form.is_valid():
            saved = services.mailbox_save(mailbox=form.save(commit=False))
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
    units = access.get_opinion_units_for_user(request.user)
    result = None
    if request.method == "POST":
        form = EmlUploadForm(request.POST, request.FILES, units=units)
        if form.is_valid():
            # One of `units`: the person sorts its opinions.
            unit = form.cleaned_data["unit"]
            result = services.eml_upload(
                campaign=form.cleaned_data["campaign"],
                branch=unit,
                files=form.cleaned_data["files"],
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
            "max_bytes": mime.email_max_bytes(),
            "attachment_max_bytes": mime.attachment_max_bytes(),
        },
    )


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """An e-mail's attachment is source material: only for those who sort the opinion
    and may see where it came from — never for the member it concerns."""
    attachment = access.get_attachment_for_user(request.user, pk)
    file = attachment.file.open("rb")
    kind = filetypes.detect(file)
    # Served as what its content is, or as bytes: never as HTML a sender could script;
    # always as a download (attachments kept before uploads were cleaned are originals).
    content_type = filetypes.CONTENT_TYPES.get(kind or "", "application/octet-stream")
    name = uploads.clean_name(attachment.name) or _("附件")
    # FileResponse writes Content-Disposition with `content_disposition_header`: a
    # Chinese file name is sent as RFC 5987 `filename*`, quotes and all escaped.
    response = FileResponse(file, as_attachment=True, filename=name, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
