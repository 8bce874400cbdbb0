from django.db import migrations, models
from django.db.models import Count


def refuse_double_backpay(apps, schema_editor):
    """Months back-paid twice before this constraint are money charged twice: they need
    a correction by staff (decision 0010), never a silent delete here."""
    Contribution = apps.get_model("contributions", "Contribution")
    twice = (Contribution.objects.filter(kind="backpay")
             .values("unit_id", "person_id", "month", "insurance")
             .annotate(n=Count("id")).filter(n__gt=1)[:20])
    if twice:
        listed = ", ".join(f"unit {t['unit_id']} person {t['person_id']} month {t['month']}"
                           for t in twice)
        raise RuntimeError(f"back-payment rows charged twice, correct them first: {listed}")


class Migration(migrations.Migration):

    dependencies = [
        ('contributions', '0005_arrears_late_fee_once'),
        ('registry', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(refuse_double_backpay, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='contribution',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'backpay')), fields=('unit', 'person', 'month', 'insurance'), name='backpay_month_once'),
        ),
    ]
