from django.db import migrations


def load(apps, schema_editor):
    from shebao.policy.loader import load_shipped

    load_shipped(apps.get_model("policy", "PolicyRow"))


class Migration(migrations.Migration):
    """The shipped notes are now in Chinese (they are shown on public pages)."""

    dependencies = [("policy", "0003_reload_relief_source")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
