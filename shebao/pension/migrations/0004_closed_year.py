"""Closed years (decision 0011) and the account year of existing credits.

Every year from 2005 with account records counts as closed (imported or closed by the
year-end interest). Credits booked in an open year for a month of an earlier year that
is still open (a December paid in January, before this change) belong to the year of
their month: they are moved there. Those of a closed year stay where they are, as 补记.
Plain SQL, so the migration never depends on today's models; the credit update reads
only open years through the (year, …) covering index.
"""

from django.db import migrations, models

CLOSED_YEARS = """
INSERT INTO pension_closedyear (year, source, accounts, closed_at)
SELECT year,
       CASE WHEN SUM(CASE WHEN source = 'closed' THEN 1 ELSE 0 END) > 0
            THEN 'closed' ELSE 'imported' END,
       COUNT(*), CURRENT_TIMESTAMP
FROM pension_accountyear WHERE year >= 2005 GROUP BY year
"""

OPEN_YEARS_FROM = "(SELECT COALESCE(MAX(year), 2004) FROM pension_closedyear)"

CREDITS_TO_THEIR_YEAR = f"""
UPDATE pension_accountcredit SET year = month / 100
WHERE year > {OPEN_YEARS_FROM} AND month / 100 > {OPEN_YEARS_FROM} AND year > month / 100
"""


class Migration(migrations.Migration):

    dependencies = [
        ('pension', '0003_account_year_person_index_dropped'),
    ]

    operations = [
        migrations.CreateModel(
            name='ClosedYear',
            fields=[
                ('year', models.PositiveSmallIntegerField(primary_key=True, serialize=False, verbose_name='年度')),
                ('source', models.CharField(choices=[('imported', '历史数据导入'), ('closed', '年终结息')], max_length=10, verbose_name='来源')),
                ('accounts', models.IntegerField(verbose_name='账户数')),
                ('closed_at', models.DateTimeField(verbose_name='结息时间')),
            ],
            options={
                'verbose_name': '已结息年度',
                'verbose_name_plural': '已结息年度',
            },
        ),
        # Backwards the table is dropped; moved credits stay in their month's year,
        # which the former code closes just as well.
        migrations.RunSQL(CLOSED_YEARS, migrations.RunSQL.noop),
        migrations.RunSQL(CREDITS_TO_THEIR_YEAR, migrations.RunSQL.noop),
    ]
