# Every assessment now names the method that scored it (0004 attached the existing ones to version 1).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0004_risk_method_version_1"),
    ]

    operations = [
        migrations.AlterField(
            model_name="riskassessment",
            name="method",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="assessments", to="providers.riskmethod"
            ),
        ),
    ]
