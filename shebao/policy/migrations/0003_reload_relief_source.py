from django.db import migrations


class Migration(migrations.Migration):
    """Once reloaded the policy file (the 2020 relief row's source); now a no-op: the
    rows are loaded by `shebao policy load` (see 0002)."""

    dependencies = [("policy", "0002_load_shipped")]
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
