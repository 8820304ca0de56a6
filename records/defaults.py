"""The retention schedule's statutory defaults (UK), loaded by a data migration (``default_rules``) and shown on
the schedule page as the starting point an administrator may change."""

from __future__ import annotations

from typing import Any

DEFAULT_RULES: list[dict[str, Any]] = [
    {
        "record_type": "contracts.contract",
        "period_years": 6,
        "trigger": "contract_end",
        "action": "delete",
        "note": "Limitation Act 1980 s.5: 6 years after the contract ends for a simple contract. A contract made "
        "as a deed is kept 12 years (s.8); the register has no deed flag, so place a legal hold on a deed or "
        "raise its rule to 12 years.",
    },
    {
        "record_type": "scrutiny.meeting",
        "period_years": 6,
        "trigger": "meeting_date",
        "action": "review",
        "note": "Local Government Act 1972 s.100C: the minutes, agenda and reports open to inspection for 6 years "
        "after the meeting. Listed for review, not deleted: minutes are often kept permanently as the "
        "council's archive.",
    },
    {
        "record_type": "scrutiny.scrutinypack",
        "period_years": 6,
        "trigger": "meeting_date",
        "action": "review",
        "note": "Local Government Act 1972 s.100C (reports: 6 years after the meeting); background papers s.100D "
        "(4 years) are not held as separate records here. A published pack is immutable, so it is listed for "
        "a person to decide, never deleted automatically.",
    },
    {
        "record_type": "oversight.concern",
        "period_years": 6,
        "trigger": "closure",
        "action": "anonymise",
        "note": "6 years after closure: the Limitation Act 1980 period for a claim in contract or negligence "
        "arising from the concern. Anonymised, not deleted, so the council's counts of concerns by kind and "
        "severity stay true. Place a legal hold where a safeguarding adults review or a claim is open.",
    },
    {
        "record_type": "oversight.visit",
        "period_years": 6,
        "trigger": "visit_date",
        "action": "anonymise",
        "note": "6 years after the visit, matching the contract records the visit evidences (Limitation Act "
        "1980). Anonymised: the date, kind and levels are kept for the provider's history.",
    },
]


def default_rules() -> list[dict[str, Any]]:
    """The default rows for ``RetentionRule`` (copies: a caller may change them)."""
    return [dict(row) for row in DEFAULT_RULES]
