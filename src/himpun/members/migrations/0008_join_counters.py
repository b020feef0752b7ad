"""Fill the `joins.YYYY-MM[.channel]` unit counters of existing installations from the
members table (they are kept incrementally from here on)."""

from django.db import migrations


def rebuild(apps, schema_editor):
    from himpun.members.services import member_join_counters_rebuild

    member_join_counters_rebuild(
        member_model=apps.get_model("members", "Member"),
        counter_model=apps.get_model("structure", "UnitCounter"),
    )


def forget(apps, schema_editor):
    apps.get_model("structure", "UnitCounter")._base_manager.filter(
        key__startswith="joins."
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0007_membershiprule_inactive_after_months"),
        ("structure", "0001_initial"),
    ]

    operations = [migrations.RunPython(rebuild, forget)]
