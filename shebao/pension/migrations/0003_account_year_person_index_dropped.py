"""Drop the plain person_id index of pension_accountyear: the unique (person, year)
index serves every lookup by person. Only the index is dropped (AlterField would rebuild
the whole table on SQLite); it is found by introspection, since Django named it."""

import django.db.models.deletion
from django.db import migrations, models


def _person_only_indexes(schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "pension_accountyear")
    return [name for name, c in constraints.items()
            if c["index"] and not c["unique"] and not c["primary_key"]
            and c["columns"] == ["person_id"]]


def drop_person_index(apps, schema_editor):
    for name in _person_only_indexes(schema_editor):
        schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def create_person_index(apps, schema_editor):
    if not _person_only_indexes(schema_editor):
        schema_editor.execute('CREATE INDEX "pension_accountyear_person_id_idx" '
                              'ON "pension_accountyear" ("person_id")')


class Migration(migrations.Migration):

    dependencies = [
        ("pension", "0002_credit_year_covering_index"),
        ("registry", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_person_index, create_person_index)],
            state_operations=[
                migrations.AlterField(
                    model_name="accountyear",
                    name="person",
                    field=models.ForeignKey(db_index=False,
                                            on_delete=django.db.models.deletion.PROTECT,
                                            related_name="account_years", to="registry.person"),
                ),
            ],
        ),
    ]
