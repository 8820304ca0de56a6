"""Visits, concerns, sanctions, action plans, plan actions and escalation steps move here from contracts.

Only Django's record of the models moves: the tables keep their names (``contracts_visit``, and
``contracts_historicalvisit`` for django-simple-history's copy...), so no SQL runs and every row stays
where it is. contracts.0003 then forgets the models on its side. The content types move too, so the
permissions already given to groups and users, and the admin's history, follow the models.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


# Every model that moved, with django-simple-history's historical model of each.
MOVED_MODELS = ("visit", "concern", "sanction", "actionplan", "planaction", "escalationstep")
MOVED = (*MOVED_MODELS, *(f"historical{name}" for name in MOVED_MODELS))


def _move_content_types(apps, schema_editor, *, from_label, to_label):
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_types = ContentType.objects.using(schema_editor.connection.alias)
    moving = content_types.filter(app_label=from_label, model__in=MOVED)
    # Rows under the new label can exist only if permissions were created for it before this ran (a fresh
    # database migrated in an unusual order); they hold nothing the old rows do not, so they give way.
    content_types.filter(app_label=to_label, model__in=moving.values("model")).delete()
    moving.update(app_label=to_label)
    ContentType.objects.clear_cache()


def content_types_to_oversight(apps, schema_editor):
    _move_content_types(apps, schema_editor, from_label="contracts", to_label="oversight")


def content_types_to_contracts(apps, schema_editor):
    _move_content_types(apps, schema_editor, from_label="oversight", to_label="contracts")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("contracts", "0002_initial"),
        ("providers", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ActionPlan",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("title", models.CharField(max_length=255)),
                        ("agreed_on", models.DateField()),
                        (
                            "status",
                            models.CharField(
                                choices=[("open", "Open"), ("complete", "Complete")], default="open", max_length=20
                            ),
                        ),
                        ("completed_on", models.DateField(blank=True, null=True)),
                        (
                            "contract",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="action_plans",
                                to="contracts.contract",
                            ),
                        ),
                        (
                            "location",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="action_plans",
                                to="providers.location",
                            ),
                        ),
                        (
                            "provider",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="action_plans",
                                to="providers.provider",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "contracts_actionplan",
                        "ordering": ["-agreed_on", "-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="EscalationStep",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "step",
                            models.CharField(
                                choices=[
                                    ("reminder", "Reminder to provider"),
                                    ("meeting", "Meeting with registered manager"),
                                    ("senior_meeting", "Meeting with provider's senior management"),
                                    ("default_notice", "Default notice issued"),
                                    ("suspension", "Suspension of new admissions"),
                                    ("termination", "Termination considered"),
                                ],
                                max_length=30,
                            ),
                        ),
                        ("taken_on", models.DateField()),
                        ("note", models.TextField(blank=True)),
                        (
                            "plan",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="escalation_steps",
                                to="oversight.actionplan",
                            ),
                        ),
                        (
                            "taken_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "contracts_escalationstep",
                        "ordering": ["taken_on", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalActionPlan",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("created_at", models.DateTimeField(blank=True, editable=False)),
                        ("updated_at", models.DateTimeField(blank=True, editable=False)),
                        ("title", models.CharField(max_length=255)),
                        ("agreed_on", models.DateField()),
                        (
                            "status",
                            models.CharField(
                                choices=[("open", "Open"), ("complete", "Complete")], default="open", max_length=20
                            ),
                        ),
                        ("completed_on", models.DateField(blank=True, null=True)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                            ),
                        ),
                        (
                            "contract",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="contracts.contract",
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "location",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="providers.location",
                            ),
                        ),
                        (
                            "provider",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="providers.provider",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical action plan",
                        "verbose_name_plural": "historical action plans",
                        "db_table": "contracts_historicalactionplan",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalConcern",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("created_at", models.DateTimeField(blank=True, editable=False)),
                        ("updated_at", models.DateTimeField(blank=True, editable=False)),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("poor_practice", "Poor practice concern"),
                                    ("safeguarding", "Safeguarding enquiry"),
                                    ("serious_incident", "Serious incident"),
                                    ("complaint", "Complaint"),
                                ],
                                max_length=30,
                            ),
                        ),
                        ("raised_on", models.DateField()),
                        (
                            "severity",
                            models.CharField(
                                choices=[
                                    ("low", "Low"),
                                    ("medium", "Medium"),
                                    ("high", "High"),
                                    ("critical", "Critical"),
                                ],
                                default="medium",
                                max_length=20,
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[("open", "Open"), ("closed", "Closed")], default="open", max_length=20
                            ),
                        ),
                        ("summary", models.TextField()),
                        ("closed_on", models.DateField(blank=True, null=True)),
                        ("outcome", models.TextField(blank=True)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                            ),
                        ),
                        (
                            "contract",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="contracts.contract",
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "location",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="providers.location",
                            ),
                        ),
                        (
                            "provider",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="providers.provider",
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical concern",
                        "verbose_name_plural": "historical concerns",
                        "db_table": "contracts_historicalconcern",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalEscalationStep",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("created_at", models.DateTimeField(blank=True, editable=False)),
                        ("updated_at", models.DateTimeField(blank=True, editable=False)),
                        (
                            "step",
                            models.CharField(
                                choices=[
                                    ("reminder", "Reminder to provider"),
                                    ("meeting", "Meeting with registered manager"),
                                    ("senior_meeting", "Meeting with provider's senior management"),
                                    ("default_notice", "Default notice issued"),
                                    ("suspension", "Suspension of new admissions"),
                                    ("termination", "Termination considered"),
                                ],
                                max_length=30,
                            ),
                        ),
                        ("taken_on", models.DateField()),
                        ("note", models.TextField(blank=True)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "plan",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="oversight.actionplan",
                            ),
                        ),
                        (
                            "taken_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical escalation step",
                        "verbose_name_plural": "historical escalation steps",
                        "db_table": "contracts_historicalescalationstep",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalPlanAction",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("created_at", models.DateTimeField(blank=True, editable=False)),
                        ("updated_at", models.DateTimeField(blank=True, editable=False)),
                        ("description", models.TextField()),
                        ("owner", models.CharField(max_length=150)),
                        ("due_on", models.DateField()),
                        ("completed_on", models.DateField(blank=True, null=True)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "plan",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="oversight.actionplan",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical plan action",
                        "verbose_name_plural": "historical plan actions",
                        "db_table": "contracts_historicalplanaction",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalSanction",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("created_at", models.DateTimeField(blank=True, editable=False)),
                        ("updated_at", models.DateTimeField(blank=True, editable=False)),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("default_notice", "Default notice"),
                                    ("suspension", "Suspension of new admissions"),
                                    ("service_credit", "Service credit"),
                                    ("termination", "Termination"),
                                ],
                                max_length=30,
                            ),
                        ),
                        ("issued_on", models.DateField()),
                        ("lifted_on", models.DateField(blank=True, null=True)),
                        ("amount", models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True)),
                        ("reason", models.TextField()),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                            ),
                        ),
                        (
                            "contract",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="contracts.contract",
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "issued_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "location",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="providers.location",
                            ),
                        ),
                        (
                            "provider",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="providers.provider",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical sanction",
                        "verbose_name_plural": "historical sanctions",
                        "db_table": "contracts_historicalsanction",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalVisit",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("created_at", models.DateTimeField(blank=True, editable=False)),
                        ("updated_at", models.DateTimeField(blank=True, editable=False)),
                        ("visited_on", models.DateField()),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("planned", "Planned"),
                                    ("unannounced", "Unannounced"),
                                    ("reactive", "Reactive"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("findings", models.TextField(blank=True)),
                        (
                            "environment",
                            models.CharField(
                                blank=True,
                                choices=[("good", "Good"), ("adequate", "Adequate"), ("poor", "Poor")],
                                max_length=20,
                                verbose_name="Service-user environment",
                            ),
                        ),
                        (
                            "complaints_feedback",
                            models.CharField(
                                blank=True,
                                choices=[("none", "None"), ("low", "Low"), ("medium", "Medium"), ("high", "High")],
                                max_length=20,
                                verbose_name="Complaints and feedback level",
                            ),
                        ),
                        ("follow_up_actions", models.TextField(blank=True)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.CharField(max_length=100, null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                            ),
                        ),
                        (
                            "contract",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="contracts.contract",
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "location",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="providers.location",
                            ),
                        ),
                        (
                            "officer",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "provider",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="providers.provider",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical visit",
                        "verbose_name_plural": "historical visits",
                        "db_table": "contracts_historicalvisit",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="PlanAction",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("description", models.TextField()),
                        ("owner", models.CharField(max_length=150)),
                        ("due_on", models.DateField()),
                        ("completed_on", models.DateField(blank=True, null=True)),
                        (
                            "plan",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="actions",
                                to="oversight.actionplan",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "contracts_planaction",
                        "ordering": ["due_on", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Sanction",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("default_notice", "Default notice"),
                                    ("suspension", "Suspension of new admissions"),
                                    ("service_credit", "Service credit"),
                                    ("termination", "Termination"),
                                ],
                                max_length=30,
                            ),
                        ),
                        ("issued_on", models.DateField()),
                        ("lifted_on", models.DateField(blank=True, null=True)),
                        ("amount", models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True)),
                        ("reason", models.TextField()),
                        (
                            "contract",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="sanctions",
                                to="contracts.contract",
                            ),
                        ),
                        (
                            "issued_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "location",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="sanctions",
                                to="providers.location",
                            ),
                        ),
                        (
                            "provider",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="sanctions",
                                to="providers.provider",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "contracts_sanction",
                        "ordering": ["-issued_on", "-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Visit",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("visited_on", models.DateField()),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("planned", "Planned"),
                                    ("unannounced", "Unannounced"),
                                    ("reactive", "Reactive"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("findings", models.TextField(blank=True)),
                        (
                            "environment",
                            models.CharField(
                                blank=True,
                                choices=[("good", "Good"), ("adequate", "Adequate"), ("poor", "Poor")],
                                max_length=20,
                                verbose_name="Service-user environment",
                            ),
                        ),
                        (
                            "complaints_feedback",
                            models.CharField(
                                blank=True,
                                choices=[("none", "None"), ("low", "Low"), ("medium", "Medium"), ("high", "High")],
                                max_length=20,
                                verbose_name="Complaints and feedback level",
                            ),
                        ),
                        ("follow_up_actions", models.TextField(blank=True)),
                        (
                            "contract",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="visits",
                                to="contracts.contract",
                            ),
                        ),
                        (
                            "location",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="visits",
                                to="providers.location",
                            ),
                        ),
                        (
                            "officer",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="visits",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "provider",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="visits",
                                to="providers.provider",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "contracts_visit",
                        "ordering": ["-visited_on", "-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Concern",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("poor_practice", "Poor practice concern"),
                                    ("safeguarding", "Safeguarding enquiry"),
                                    ("serious_incident", "Serious incident"),
                                    ("complaint", "Complaint"),
                                ],
                                max_length=30,
                            ),
                        ),
                        ("raised_on", models.DateField()),
                        (
                            "severity",
                            models.CharField(
                                choices=[
                                    ("low", "Low"),
                                    ("medium", "Medium"),
                                    ("high", "High"),
                                    ("critical", "Critical"),
                                ],
                                default="medium",
                                max_length=20,
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[("open", "Open"), ("closed", "Closed")], default="open", max_length=20
                            ),
                        ),
                        ("summary", models.TextField()),
                        ("closed_on", models.DateField(blank=True, null=True)),
                        ("outcome", models.TextField(blank=True)),
                        (
                            "contract",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="concerns",
                                to="contracts.contract",
                            ),
                        ),
                        (
                            "location",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="concerns",
                                to="providers.location",
                            ),
                        ),
                        (
                            "provider",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="concerns",
                                to="providers.provider",
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "contracts_concern",
                        "ordering": ["-raised_on", "-pk"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("status", "open"), ("closed_on__isnull", False), _connector="OR"),
                                name="closed_concern_has_date",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_oversight, content_types_to_contracts),
    ]
