"""Version 1 of the council's risk method: the Commercial Team's "Provider risk matrix", in force from
1 April 2017, the matrix every existing assessment was scored by; every existing assessment is attached to it.

The definition is frozen here, as it was when this migration was written (``providers.risk.MATRIX_2017``).
Back: nothing to undo (the previous migration drops the table and the field)."""

import datetime

from django.db import migrations

MATRIX_2017 = {
    "version": 1,
    "name": "Provider risk matrix",
    "effective_from": "2017-04-01",
    "notes": "The Commercial Team's risk matrix: each factor answered 0 (no concern) to 3 (serious concern); "
    "quality and CQC rating, safeguarding and financial viability weigh double.",
    "thresholds": {"medium": 8, "high": 14},
    "factors": [
        {
            "code": "quality_cqc",
            "name": "Quality and CQC rating",
            "description": "The current CQC overall rating and key questions, and the quality officers see on visits.",
            "weight": 2,
            "answers": [
                {"score": 0, "label": "Good or Outstanding overall, no key question below Good."},
                {"score": 1, "label": "Good overall with one key question Requires improvement, or not yet rated."},
                {"score": 2, "label": "Requires improvement overall."},
                {"score": 3, "label": "Inadequate overall or in any key question, or in special measures."},
            ],
        },
        {
            "code": "safeguarding",
            "name": "Safeguarding",
            "description": "Safeguarding enquiries about the service in the last 12 months and how they were handled.",
            "weight": 2,
            "answers": [
                {"score": 0, "label": "No enquiries."},
                {"score": 1, "label": "One enquiry, closed with no lasting concern."},
                {"score": 2, "label": "Several enquiries or one open enquiry."},
                {"score": 3, "label": "Substantiated abuse or neglect, or several open enquiries."},
            ],
        },
        {
            "code": "serious_incidents",
            "name": "Serious incidents",
            "description": "Serious incidents reported in the last 12 months.",
            "weight": 1,
            "answers": [
                {"score": 0, "label": "None."},
                {"score": 1, "label": "One, well managed and learnt from."},
                {"score": 2, "label": "Several, or one not reported promptly."},
                {"score": 3, "label": "A pattern of incidents or one causing serious harm."},
            ],
        },
        {
            "code": "complaints",
            "name": "Complaints and feedback",
            "description": "Complaints, compliments and service-user feedback levels.",
            "weight": 1,
            "answers": [
                {"score": 0, "label": "Positive feedback, low complaint levels."},
                {"score": 1, "label": "Some complaints, resolved well."},
                {"score": 2, "label": "High or rising complaint levels."},
                {"score": 3, "label": "Upheld complaints showing a failure of care."},
            ],
        },
        {
            "code": "financial_viability",
            "name": "Financial viability",
            "description": "Accounts, credit checks, ownership changes and market intelligence.",
            "weight": 2,
            "answers": [
                {"score": 0, "label": "Financially stable."},
                {"score": 1, "label": "Some pressure, e.g. low occupancy."},
                {"score": 2, "label": "Significant pressure, late payments or a change of owner."},
                {"score": 3, "label": "Risk of failure or in administration."},
            ],
        },
        {
            "code": "staffing",
            "name": "Staffing and management",
            "description": "Registered manager in post, staffing levels, agency use and turnover.",
            "weight": 1,
            "answers": [
                {"score": 0, "label": "Stable registered manager and staff team."},
                {"score": 1, "label": "Some vacancies or agency use."},
                {"score": 2, "label": "No registered manager or high turnover."},
                {"score": 3, "label": "Unsafe staffing levels."},
            ],
        },
        {
            "code": "contract_compliance",
            "name": "Contract compliance",
            "description": "Meeting contract terms, returning monitoring information and completing action plans.",
            "weight": 1,
            "answers": [
                {"score": 0, "label": "Fully compliant."},
                {"score": 1, "label": "Minor or late returns."},
                {"score": 2, "label": "Breaches needing an action plan."},
                {"score": 3, "label": "Default notice or suspension in force."},
            ],
        },
    ],
}


def record_version_1(apps, schema_editor):
    RiskMethod = apps.get_model("providers", "RiskMethod")
    RiskAssessment = apps.get_model("providers", "RiskAssessment")
    method = RiskMethod.objects.filter(version=1).first()
    if method is None:
        method = RiskMethod.objects.create(
            version=MATRIX_2017["version"],
            name=MATRIX_2017["name"],
            effective_from=datetime.date.fromisoformat(MATRIX_2017["effective_from"]),
            factors=MATRIX_2017["factors"],
            thresholds=MATRIX_2017["thresholds"],
            notes=MATRIX_2017["notes"],
        )
    RiskAssessment.objects.filter(method__isnull=True).update(method=method)
    HistoricalRiskAssessment = apps.get_model("providers", "HistoricalRiskAssessment")
    HistoricalRiskAssessment.objects.filter(method__isnull=True).update(method=method)


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0003_risk_methods_and_market_exits"),
    ]

    operations = [
        migrations.RunPython(record_version_1, migrations.RunPython.noop),
    ]
