"""Notes on dropped e-mail attachments leave the opinion's text.

They used to be appended to the text ("\n\n" and one line per attachment), and the
text is what the member reads on their feedback sheet — with the file's name, which
can name the sender. They now live on the e-mail, for the sorters only; this moves
the notes of opinions already imported."""

import re

from django.db import migrations, models

# The notes as `services_email` wrote them (in the site's language, zh-hans; English
# for a site run in English).
NOTE = re.compile(
    r"^(附件 .+ (是可执行文件|超过大小限制)，未保存"
    r"|Attachment .+ (is an executable file|exceeds the size limit) and was not saved)$"
)


def split_notes(text):
    """(text without the trailing notes, the notes), or (text, []) if it has none."""
    lines = text.split("\n")
    count = 0
    while count < len(lines) and NOTE.match(lines[len(lines) - 1 - count]):
        count += 1
    # The notes follow the body after an empty line; a body is never empty.
    if count == 0 or len(lines) < count + 2 or lines[len(lines) - 1 - count] != "":
        return text, []
    return "\n".join(lines[: len(lines) - 1 - count]), lines[len(lines) - count :]


def move_notes_out_of_text(apps, schema_editor):
    Opinion = apps.get_model("opinions", "Opinion")
    EmailMessage = apps.get_model("opinions", "EmailMessage")
    opinions = Opinion.objects.filter(channel="email", email__isnull=False)
    for opinion in opinions.only("pk", "text", "email_id").iterator():
        text, notes = split_notes(opinion.text)
        if not notes:
            continue
        # update(), never save(): the audit trail listens to every save, and a
        # historical model has no `audit_hidden_fields` to keep the names out of it.
        Opinion.objects.filter(pk=opinion.pk).update(text=text)
        message = EmailMessage.objects.filter(pk=opinion.email_id)
        existing = message.values_list("attachment_notes", flat=True).first() or ""
        known = existing.split("\n") if existing else []
        message.update(attachment_notes="\n".join(known + [n for n in notes if n not in known]))


class Migration(migrations.Migration):
    dependencies = [
        ("opinions", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="emailmessage",
            name="attachment_notes",
            field=models.TextField(blank=True, verbose_name="未保存的附件"),
        ),
        migrations.RunPython(move_notes_out_of_text, migrations.RunPython.noop),
    ]
