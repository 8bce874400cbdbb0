from django.db import migrations


def load(apps, schema_editor):
    from shebao.policy.loader import load_shipped

    load_shipped(apps.get_model("policy", "PolicyRow"))


class Migration(migrations.Migration):
    """The 2020 relief row for large units named its source 'same'; it now names it."""

    dependencies = [("policy", "0002_load_shipped")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
