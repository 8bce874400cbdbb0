from django.db import migrations


class Migration(migrations.Migration):
    """Once loaded the shipped policy file through the loader of the day.

    A migration must not run today's code against yesterday's schema (the loader now
    writes columns added by 0005), and loading figures is a business change that needs
    its audit event and the re-settlement of months already settled. So the policy rows
    are loaded by `shebao policy load` (run by `make run` and every deployment, after
    `shebao migrate`); this migration, already applied elsewhere, now does nothing.
    """

    dependencies = [("policy", "0001_initial")]
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
