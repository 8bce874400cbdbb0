"""One wide contribution row per unit, person, month, kind and bill month (decision
0012), converted from the rows per insurance; the settlement's unit terms one row a unit.

Rows of one key (several 补差 of one month billed in one bill month) are added up, so
every sum per person, insurance, party and month stays the same to the fen. Reversible:
the reverse writes a row per insurance again.
"""

import django.db.models.deletion
from django.db import migrations, models

INSURANCES = ("pension", "unemployment", "work_injury", "maternity", "medical")
PARTS = ("base", "employer", "personal")
KEY = "unit_id, person_id, month, bill_month, kind"


def _wide(apps, schema_editor):
    columns = ", ".join(f"{ins}_{part}" for ins in INSURANCES for part in PARTS)
    sums = ", ".join(f"SUM(CASE WHEN insurance = '{ins}' THEN {part} END)"
                     for ins in INSURANCES for part in PARTS)
    schema_editor.execute(
        f"INSERT INTO contributions_contribution ({KEY}, {columns}) "
        f"SELECT {KEY}, {sums} FROM contributions_narrowcontribution GROUP BY {KEY}")


def _narrow(apps, schema_editor):
    for ins in INSURANCES:
        schema_editor.execute(
            f"INSERT INTO contributions_narrowcontribution ({KEY}, insurance, base, employer, "
            f"personal) SELECT {KEY}, '{ins}', {ins}_base, {ins}_employer, {ins}_personal "
            f"FROM contributions_contribution WHERE {ins}_base IS NOT NULL")


class Migration(migrations.Migration):

    dependencies = [
        ('contributions', '0007_settlement_issue'),
        ('registry', '0002_settlement_covering_indexes'),
    ]

    operations = [
        migrations.RemoveConstraint(model_name='contribution', name='backpay_month_once'),
        migrations.RemoveIndex(model_name='contribution', name='contrib_unit_bill'),
        migrations.RemoveIndex(model_name='contribution', name='contrib_person_month'),
        migrations.RenameModel(old_name='Contribution', new_name='NarrowContribution'),
        migrations.CreateModel(
            name='Contribution',
            fields=[
                ('pk', models.CompositePrimaryKey('unit', 'bill_month', 'kind', 'person', 'month', blank=True, editable=False, primary_key=True, serialize=False)),
                ('unit', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, to='registry.unit')),
                ('person', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, to='registry.person')),
                ('month', models.IntegerField(verbose_name='费款所属期')),
                ('bill_month', models.IntegerField(verbose_name='核定月份')),
                ('kind', models.CharField(choices=[('regular', '正常核定'), ('difference', '补差'), ('backpay', '补缴')], default='regular', max_length=12, verbose_name='类型')),
                ('pension_base', models.BigIntegerField(blank=True, null=True, verbose_name='养老保险缴费基数(分)')),
                ('pension_employer', models.BigIntegerField(blank=True, null=True, verbose_name='养老保险单位缴费(分)')),
                ('pension_personal', models.BigIntegerField(blank=True, null=True, verbose_name='养老保险个人缴费(分)')),
                ('unemployment_base', models.BigIntegerField(blank=True, null=True, verbose_name='失业保险缴费基数(分)')),
                ('unemployment_employer', models.BigIntegerField(blank=True, null=True, verbose_name='失业保险单位缴费(分)')),
                ('unemployment_personal', models.BigIntegerField(blank=True, null=True, verbose_name='失业保险个人缴费(分)')),
                ('work_injury_base', models.BigIntegerField(blank=True, null=True, verbose_name='工伤保险缴费基数(分)')),
                ('work_injury_employer', models.BigIntegerField(blank=True, null=True, verbose_name='工伤保险单位缴费(分)')),
                ('work_injury_personal', models.BigIntegerField(blank=True, null=True, verbose_name='工伤保险个人缴费(分)')),
                ('maternity_base', models.BigIntegerField(blank=True, null=True, verbose_name='生育保险缴费基数(分)')),
                ('maternity_employer', models.BigIntegerField(blank=True, null=True, verbose_name='生育保险单位缴费(分)')),
                ('maternity_personal', models.BigIntegerField(blank=True, null=True, verbose_name='生育保险个人缴费(分)')),
                ('medical_base', models.BigIntegerField(blank=True, null=True, verbose_name='医疗保险缴费基数(分)')),
                ('medical_employer', models.BigIntegerField(blank=True, null=True, verbose_name='医疗保险单位缴费(分)')),
                ('medical_personal', models.BigIntegerField(blank=True, null=True, verbose_name='医疗保险个人缴费(分)')),
            ],
            options={
                'verbose_name': '缴费明细',
                'verbose_name_plural': '缴费明细',
                'indexes': [models.Index(fields=['person', 'month'], name='contrib_person_month')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('kind', 'backpay')), fields=('unit', 'person', 'month'), name='backpay_month_once'), models.CheckConstraint(condition=models.Q(models.Q(models.Q(('pension_base__isnull', True), ('pension_employer__isnull', True), ('pension_personal__isnull', True)), models.Q(('pension_base__isnull', False), ('pension_employer__isnull', False), ('pension_personal__isnull', False)), _connector='OR'), models.Q(models.Q(('unemployment_base__isnull', True), ('unemployment_employer__isnull', True), ('unemployment_personal__isnull', True)), models.Q(('unemployment_base__isnull', False), ('unemployment_employer__isnull', False), ('unemployment_personal__isnull', False)), _connector='OR'), models.Q(models.Q(('work_injury_base__isnull', True), ('work_injury_employer__isnull', True), ('work_injury_personal__isnull', True)), models.Q(('work_injury_base__isnull', False), ('work_injury_employer__isnull', False), ('work_injury_personal__isnull', False)), _connector='OR'), models.Q(models.Q(('maternity_base__isnull', True), ('maternity_employer__isnull', True), ('maternity_personal__isnull', True)), models.Q(('maternity_base__isnull', False), ('maternity_employer__isnull', False), ('maternity_personal__isnull', False)), _connector='OR'), models.Q(models.Q(('medical_base__isnull', True), ('medical_employer__isnull', True), ('medical_personal__isnull', True)), models.Q(('medical_base__isnull', False), ('medical_employer__isnull', False), ('medical_personal__isnull', False)), _connector='OR')), name='contribution_insurance_whole')],
            },
        ),
        migrations.RunPython(_wide, _narrow, elidable=False),
        migrations.DeleteModel(name='NarrowContribution'),
        migrations.DeleteModel(name='UnitTerm'),
        migrations.CreateModel(
            name='UnitTerm',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.IntegerField()),
                ('unit_id', models.BigIntegerField()),
                ('closed', models.BooleanField(default=False)),
                ('pension_lower', models.BigIntegerField(null=True)),
                ('pension_upper', models.BigIntegerField(null=True)),
                ('pension_employer_num', models.BigIntegerField(null=True)),
                ('pension_personal_num', models.BigIntegerField(null=True)),
                ('pension_personal_num_rural', models.BigIntegerField(null=True)),
                ('pension_personal_fixed', models.BigIntegerField(null=True)),
                ('unemployment_lower', models.BigIntegerField(null=True)),
                ('unemployment_upper', models.BigIntegerField(null=True)),
                ('unemployment_employer_num', models.BigIntegerField(null=True)),
                ('unemployment_personal_num', models.BigIntegerField(null=True)),
                ('unemployment_personal_num_rural', models.BigIntegerField(null=True)),
                ('unemployment_personal_fixed', models.BigIntegerField(null=True)),
                ('work_injury_lower', models.BigIntegerField(null=True)),
                ('work_injury_upper', models.BigIntegerField(null=True)),
                ('work_injury_employer_num', models.BigIntegerField(null=True)),
                ('work_injury_personal_num', models.BigIntegerField(null=True)),
                ('work_injury_personal_num_rural', models.BigIntegerField(null=True)),
                ('work_injury_personal_fixed', models.BigIntegerField(null=True)),
                ('maternity_lower', models.BigIntegerField(null=True)),
                ('maternity_upper', models.BigIntegerField(null=True)),
                ('maternity_employer_num', models.BigIntegerField(null=True)),
                ('maternity_personal_num', models.BigIntegerField(null=True)),
                ('maternity_personal_num_rural', models.BigIntegerField(null=True)),
                ('maternity_personal_fixed', models.BigIntegerField(null=True)),
                ('medical_lower', models.BigIntegerField(null=True)),
                ('medical_upper', models.BigIntegerField(null=True)),
                ('medical_employer_num', models.BigIntegerField(null=True)),
                ('medical_personal_num', models.BigIntegerField(null=True)),
                ('medical_personal_num_rural', models.BigIntegerField(null=True)),
                ('medical_personal_fixed', models.BigIntegerField(null=True)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('month', 'unit_id'), name='unit_term_once')],
                'indexes': [],
            },
        ),
    ]
