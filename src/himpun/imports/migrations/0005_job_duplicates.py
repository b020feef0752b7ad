"""A member import's count of possible-duplicate pairs, filled by the check that follows it;
when a job's file, row cells and bookkeeping were deleted (the retention of personal data);
a dry run keeps a hash per field of the rows it would create instead of one per row (a
dry run's bookkeeping is dropped when the next one starts: nothing to carry over)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0004_import_seen"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="duplicates",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="kemungkinan duplikat"
            ),
        ),
        migrations.AddField(
            model_name="importjob",
            name="purged_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="berkas dihapus"),
        ),
        migrations.RemoveField(
            model_name="importseen",
            name="digest",
        ),
        migrations.AddField(
            model_name="importseen",
            name="fields",
            field=models.BinaryField(null=True),
        ),
    ]
