"""Intentions read their theme and stages from the new records only: the old theme text and fixed stage
values (moved by 0003) are removed, and the theme and both stages become required."""

import django.db.models.deletion
from django.db import migrations, models


STAGES = [("analyse", "Analyse"), ("plan", "Plan"), ("do", "Do"), ("review", "Review")]


class Migration(migrations.Migration):
    dependencies = [("strategies", "0003_default_cycle_and_themes")]

    operations = [
        # Defaults on the old fields first, so that undoing their removal can put them back on existing rows
        # (0003's backwards step then fills them from the themes and stages).
        *[
            migrations.AlterField(model_name=model, name=name, field=field)
            for model in ("commissioningintention", "historicalcommissioningintention")
            for name, field in (
                ("theme", models.CharField(max_length=150, default="")),
                (
                    "current_position",
                    models.CharField(max_length=10, choices=STAGES, default="analyse"),
                ),
                (
                    "expected_position",
                    models.CharField(max_length=10, choices=STAGES, default="analyse"),
                ),
            )
        ],
        migrations.RemoveField(model_name="commissioningintention", name="theme"),
        migrations.RemoveField(model_name="historicalcommissioningintention", name="theme"),
        migrations.RemoveField(model_name="commissioningintention", name="current_position"),
        migrations.RemoveField(model_name="historicalcommissioningintention", name="current_position"),
        migrations.RemoveField(model_name="commissioningintention", name="expected_position"),
        migrations.RemoveField(model_name="historicalcommissioningintention", name="expected_position"),
        migrations.RenameField(model_name="commissioningintention", old_name="theme_ref", new_name="theme"),
        migrations.RenameField(model_name="historicalcommissioningintention", old_name="theme_ref", new_name="theme"),
        migrations.AlterField(
            model_name="commissioningintention",
            name="theme",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="intentions", to="strategies.strategictheme"
            ),
        ),
        migrations.AlterField(
            model_name="commissioningintention",
            name="current_stage",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="intentions_at",
                to="strategies.cyclestage",
                verbose_name="Existing position on the cycle",
            ),
        ),
        migrations.AlterField(
            model_name="commissioningintention",
            name="expected_stage",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="intentions_expected",
                to="strategies.cyclestage",
                verbose_name="Expected progress",
            ),
        ),
        migrations.AlterField(
            model_name="commissioningintention",
            name="driver",
            field=models.CharField(
                blank=True,
                help_text="What drives it, e.g. Care Bill, Better Care Fund, TEASC recommendation (several: separate them with commas).",
                max_length=255,
            ),
        ),
        migrations.AlterField(
            model_name="commissioningintention",
            name="intention",
            field=models.TextField(verbose_name="Commissioning intention / details"),
        ),
        migrations.AlterField(
            model_name="commissioningintention",
            name="savings",
            field=models.ManyToManyField(
                blank=True,
                help_text="The MTFP savings the intention delivers.",
                related_name="intentions",
                to="strategies.saving",
            ),
        ),
        migrations.AlterField(
            model_name="historicalcommissioningintention",
            name="current_stage",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="strategies.cyclestage",
                verbose_name="Existing position on the cycle",
            ),
        ),
        migrations.AlterField(
            model_name="historicalcommissioningintention",
            name="driver",
            field=models.CharField(
                blank=True,
                help_text="What drives it, e.g. Care Bill, Better Care Fund, TEASC recommendation (several: separate them with commas).",
                max_length=255,
            ),
        ),
        migrations.AlterField(
            model_name="historicalcommissioningintention",
            name="expected_stage",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="strategies.cyclestage",
                verbose_name="Expected progress",
            ),
        ),
        migrations.AlterField(
            model_name="historicalcommissioningintention",
            name="intention",
            field=models.TextField(verbose_name="Commissioning intention / details"),
        ),
    ]
