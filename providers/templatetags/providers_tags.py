"""Template filters for provider pages."""

from django import template

from providers import risk
from providers.models import CqcRatingValue

register = template.Library()


@register.filter
def cqc_label(value: str | None) -> str:
    """'requires_improvement' -> 'Requires improvement'; blank stays blank."""
    if not value:
        return ""
    try:
        return CqcRatingValue(value).label
    except ValueError:
        return value


@register.filter
def risk_label(value: str | None) -> str:
    """'high' -> 'High'; no level -> 'Not assessed'."""
    return risk.risk_label(value)


@register.filter
def risk_tag_colour(value: str | None) -> str:
    """The GOV.UK tag colour of a risk level (providers.risk.RISK_COLOURS)."""
    return risk.risk_colour(value).tag


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key, "")
