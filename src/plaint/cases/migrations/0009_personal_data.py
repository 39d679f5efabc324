"""Personal values kept outside the hashed payload (`plaint.domain.personal`), so that
erasure can delete them without touching the append-only ledger."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_next_due_at")]

    operations = [
        migrations.CreateModel(
            name="PersonalDatum",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.PositiveIntegerField()),
                ("path", models.CharField(max_length=80)),
                ("salt", models.CharField(max_length=64)),
                ("value", models.TextField()),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="cases.case",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("case", "seq", "path"), name="personal_datum_unique"
                    )
                ],
            },
        ),
    ]
