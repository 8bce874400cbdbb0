from django.db import migrations, models


class Migration(migrations.Migration):
    """UnitTerm is a scratch table of a settlement run: recreated with the urban and
    rural personal rates side by side (one row per unit and insurance)."""

    dependencies = [("contributions", "0002_unit_term")]

    operations = [
        migrations.DeleteModel(name="UnitTerm"),
        migrations.CreateModel(
            name="UnitTerm",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("month", models.IntegerField()),
                ("unit_id", models.BigIntegerField()),
                ("insurance", models.CharField(max_length=16)),
                ("lower", models.BigIntegerField()),
                ("upper", models.BigIntegerField()),
                ("employer_num", models.BigIntegerField()),
                ("personal_num", models.BigIntegerField()),
                ("personal_num_rural", models.BigIntegerField()),
                ("personal_fixed", models.BigIntegerField()),
            ],
            options={
                "constraints": [models.UniqueConstraint(
                    fields=("month", "unit_id", "insurance"), name="unit_term_once")],
            },
        ),
    ]
