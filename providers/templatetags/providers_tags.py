"""Template filters for provider pages."""

from django import template

from providers.models import CqcRatingValue, RiskLevel

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
    try:
        return RiskLevel(value).label
    except ValueError:
        return value or ""


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key, "")
