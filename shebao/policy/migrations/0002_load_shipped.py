from django.db import migrations


def load(apps, schema_editor):
    from shebao.policy.loader import load_shipped

    load_shipped(apps.get_model("policy", "PolicyRow"))


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
