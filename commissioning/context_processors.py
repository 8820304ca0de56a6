from django.conf import settings
from django.urls import NoReverseMatch, reverse

from . import roles
from .notifications import unread_count


def service(request):
    """Service name, phase and the navigation a user's roles allow."""
    user = getattr(request, "user", None)
    nav = []
    if user is not None and user.is_authenticated:
        nav.append(("Home", "home"))
        if user.has_perm("strategies.view_commissioningstrategy"):
            nav.append(("Strategies", "strategies:list"))
        if user.has_perm("contracts.view_contract"):
            nav.append(("Contracts", "contracts:list"))
        if user.has_perm("providers.view_provider"):
            nav.append(("Providers", "providers:list"))
        if user.has_perm("performance.view_measure"):
            nav.append(("Performance", "dashboards:council"))
        if user.has_perm("scrutiny.view_meeting"):
            nav.append(("Scrutiny", "scrutiny:committees"))
    links = []
    for label, name in nav:
        try:
            links.append({"label": label, "url": reverse(name), "active": request.path == reverse(name)})
        except NoReverseMatch:
            continue
    for link in links[1:]:
        link["active"] = request.path.startswith(link["url"])
    return {
        # A callable, so the template reads it only on pages that show the header (from the cache, see
        # unread_count).
        "notifications_unread": (lambda: unread_count(user=user)) if user is not None else 0,
        "SERVICE_NAME": "Commissioning management",
        "SERVICE_PHASE": "beta",
        "service_navigation": links,
        "ROLES": {
            "COMMISSIONER": roles.COMMISSIONER,
            "CONTRACT_OFFICER": roles.CONTRACT_OFFICER,
            "SCRUTINY_MEMBER": roles.SCRUTINY_MEMBER,
            "ADMINISTRATOR": roles.ADMINISTRATOR,
        },
        "DEBUG": settings.DEBUG,
        # The council's own name (and logo, a static path) in the header, as on its PDFs.
        "COUNCIL_NAME": settings.COUNCIL_NAME,
        "COUNCIL_LOGO": settings.COUNCIL_LOGO,
    }
