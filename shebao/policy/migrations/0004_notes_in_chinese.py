from django.db import migrations


class Migration(migrations.Migration):
    """Once reloaded the policy file (notes in Chinese); now a no-op: the rows are
    loaded by `shebao policy load` (see 0002)."""

    dependencies = [("policy", "0003_reload_relief_source")]
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
