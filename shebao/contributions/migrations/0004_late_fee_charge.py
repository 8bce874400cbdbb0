import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Late fees billed to units (LateFeeCharge, e.g. of an approved 补缴) and the bill's
    late_fee: a bill's total is now employer + personal + late_fee. Existing bills carry
    no late fee, so their totals stay as they are."""

    dependencies = [
        ("contributions", "0003_unit_term_rural_side_by_side"),
        ("registry", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="LateFeeCharge",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("bill_month", models.IntegerField(verbose_name="核定月份")),
                ("amount", models.BigIntegerField(verbose_name="金额(分)")),
                ("reason", models.CharField(max_length=32, verbose_name="事由")),
                ("ref", models.CharField(max_length=32, verbose_name="业务单号")),
                ("created_at", models.DateTimeField(auto_now_add=True,
                                                    verbose_name="记账时间")),
                ("unit", models.ForeignKey(db_index=False,
                                           on_delete=django.db.models.deletion.PROTECT,
                                           related_name="late_fee_charges",
                                           to="registry.unit")),
            ],
            options={
                "verbose_name": "滞纳金核定",
                "verbose_name_plural": "滞纳金核定",
                "constraints": [models.CheckConstraint(condition=models.Q(amount__gt=0),
                                                       name="late_fee_charge_positive")],
                "indexes": [models.Index(fields=["unit", "bill_month"],
                                         name="latefee_unit_bill")],
            },
        ),
        migrations.AddField(
            model_name="unitmonth",
            name="late_fee",
            field=models.BigIntegerField(default=0, verbose_name="滞纳金(分)"),
        ),
        migrations.AddConstraint(
            model_name="unitmonth",
            constraint=models.CheckConstraint(condition=models.Q(late_fee__gte=0),
                                              name="unit_month_late_fee_not_negative"),
        ),
    ]
