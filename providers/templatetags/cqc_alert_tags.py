"""Template filters of CQC rating alerts."""

from django import template

from ..models import QUESTION_LABELS, CqcRatingValue

register = template.Library()


def _label(value: str) -> str:
    return CqcRatingValue(value).label if value in CqcRatingValue.values else (value or "Not rated")


@register.filter
def alert_drops(drops) -> str:
    """An alert's falls in words: "Overall: Good to Requires improvement; Safe: Good to Inadequate"."""
    return "; ".join(
        f"{QUESTION_LABELS.get(fell.get('question', ''), fell.get('question', ''))}: "
        f"{_label(fell.get('previous', ''))} to {_label(fell.get('new', ''))}"
        for fell in drops or []
        if isinstance(fell, dict)
    )
