from django.db import migrations, models


class Migration(migrations.Migration):
    """Two columns of the policy file: the official document and the Chinese note.

    Schema only: the rows themselves are loaded by `shebao policy load` (see 0002).
    """

    dependencies = [("policy", "0004_notes_in_chinese")]
    operations = [
        migrations.AlterField(
            model_name="policyrow", name="note",
            field=models.TextField(blank=True, verbose_name="说明（英文）"),
        ),
        migrations.AddField(
            model_name="policyrow", name="document",
            field=models.TextField(blank=True, default="", verbose_name="依据文件"),
        ),
        migrations.AddField(
            model_name="policyrow", name="note_zh",
            field=models.TextField(blank=True, default="", verbose_name="说明"),
        ),
    ]
