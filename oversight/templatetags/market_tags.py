"""The provider page's market oversight panel: ``{% provider_market_panel provider %}`` (its current market
indicators, whether it is hard to replace, its failure cases and its quality tiers), read through the selectors
of oversight.market and oversight.quality so the providers app needs to know nothing of them."""

from django import template

from providers.models import Location

from .. import market, quality

register = template.Library()


@register.inclusion_tag("oversight/market/provider_panel.html", takes_context=True)
def provider_market_panel(context, provider):
    request = context["request"]
    user = request.user
    return {
        "provider": provider,
        "summary": market.provider_market_summary(provider=provider, user=user),
        "quality": quality.provider_quality(provider=provider, user=user),
        "locations": list(Location.objects.visible_to(user).filter(provider=provider).order_by("name")),
        "perms": context.get("perms"),
    }
