"""ImportTouched becomes ImportSeen: the same rows (a member's id is now the `key`), plus
what a dry run has met, so a dry run too keeps it in the database instead of its memory."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0003_import_touched"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="importtouched", name="importtouched_member"),
        migrations.RenameModel(old_name="ImportTouched", new_name="ImportSeen"),
        migrations.RenameField(model_name="importseen", old_name="member_id", new_name="key"),
        migrations.AddField(
            model_name="importseen",
            name="dry_run",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="importseen",
            name="digest",
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddIndex(
            model_name="importseen",
            index=models.Index(fields=["job", "dry_run", "key"], name="importseen_key"),
        ),
    ]
