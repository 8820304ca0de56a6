"""Pages of quality frameworks: the list, a framework with its tiers, who is on which tier and who is on the
enhanced rate; setting up frameworks and tiers (administrators); awarding, withdrawing and reinstating a tier
(contract officers). Thin: the rules live in oversight.quality."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from commissioning.forms import FORM_PAGE, service_form_page
from commissioning.permissions import permission_required
from providers.models import Provider

from . import quality
from .market_forms import ProviderChoiceForm
from .models import ProviderQualityTier, QualityFramework
from .quality_forms import (
    QualityAwardForm,
    QualityFrameworkForm,
    QualityReinstateForm,
    QualityTierForm,
    QualityWithdrawForm,
)


def _list_crumb():
    return ("Quality frameworks", reverse("oversight:quality_frameworks"))


def _framework_or_404(request, pk: int) -> QualityFramework:
    return get_object_or_404(quality.frameworks(user=request.user), pk=pk)


def _award_or_404(request, pk: int) -> ProviderQualityTier:
    return get_object_or_404(quality.awards(user=request.user), pk=pk)


def _form_context(title: str, *, caption: str = "", back_url: str = "", crumbs=()) -> dict:
    return {
        "title": title,
        "caption": caption,
        "back_url": back_url,
        "breadcrumbs": [_list_crumb(), *crumbs, (title, None)],
    }


def _award_context(award: ProviderQualityTier, title: str) -> dict:
    return _form_context(
        title,
        caption=str(award),
        back_url=award.framework.get_absolute_url(),
        crumbs=[(award.framework.name, award.framework.get_absolute_url())],
    )


@require_GET
@permission_required("oversight.view_qualityframework")
def framework_list(request):
    found = list(quality.frameworks(user=request.user))
    counts = {}
    for row in quality.on_enhanced_rate(user=request.user).values("framework_id"):
        counts[row["framework_id"]] = counts.get(row["framework_id"], 0) + 1
    return render(
        request,
        "oversight/quality/framework_list.html",
        {
            "rows": [(framework, counts.get(framework.pk, 0)) for framework in found],
            "breadcrumbs": [("Quality frameworks", None)],
        },
    )


@require_GET
@permission_required("oversight.view_qualityframework")
def framework_detail(request, pk: int):
    """A framework's tiers and criteria, each provider's current tier, and who is on the enhanced rate today."""
    framework = _framework_or_404(request, pk)
    current = list(quality.current_awards(user=request.user, framework=framework).order_by("provider__name", "pk"))
    enhanced = {award.pk for award in quality.on_enhanced_rate(user=request.user, framework=framework)}
    return render(
        request,
        "oversight/quality/framework_detail.html",
        {
            "framework": framework,
            "tiers": list(framework.tiers.all()),
            "current": current,
            "enhanced": enhanced,
            "history": quality.awards(user=request.user, framework=framework)[:50],
            "breadcrumbs": [_list_crumb(), (framework.name, None)],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_qualityframework")
def framework_add(request):
    form = QualityFrameworkForm(request.POST or None)
    return service_form_page(
        request,
        form,
        lambda: quality.quality_framework_create(by=request.user, **form.cleaned_data),
        success=lambda framework: f"Framework added: {framework.name}.",
        context=_form_context("Add a quality framework", back_url=reverse("oversight:quality_frameworks")),
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_qualitytier")
def tier_add(request, pk: int):
    framework = _framework_or_404(request, pk)
    form = QualityTierForm(request.POST or None)
    return service_form_page(
        request,
        form,
        lambda: quality.quality_tier_create(by=request.user, framework=framework, **form.cleaned_data),
        success=lambda tier: f"Tier added: {tier.name}.",
        redirect_to=lambda saved: framework,
        context=_form_context(
            "Add a tier",
            caption=framework.name,
            back_url=framework.get_absolute_url(),
            crumbs=[(framework.name, framework.get_absolute_url())],
        ),
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_providerqualitytier")
def award_add(request, pk: int):
    """Record a provider's assessed tier (``?provider=<id>`` chooses the provider first)."""
    framework = _framework_or_404(request, pk)
    crumbs = [(framework.name, framework.get_absolute_url())]
    title = "Record an assessed tier"
    value = request.GET.get("provider", "")
    provider = Provider.objects.visible_to(request.user).filter(pk=int(value)).first() if value.isdigit() else None
    if provider is None:
        choice = ProviderChoiceForm(request.GET or None, user=request.user)
        if value:
            choice.is_valid()
        return render(
            request, FORM_PAGE, {"form": choice, **_form_context(title, caption=framework.name, crumbs=crumbs)}
        )
    form = QualityAwardForm(request.POST or None, framework=framework, provider=provider)
    return service_form_page(
        request,
        form,
        lambda: quality.quality_tier_award(by=request.user, framework=framework, **form.cleaned_data),
        success=lambda award: f"Recorded: {award}.",
        redirect_to=lambda saved: framework,
        context=_form_context(
            title, caption=f"{framework.name}: {provider.name}", back_url=framework.get_absolute_url(), crumbs=crumbs
        ),
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.change_providerqualitytier")
def award_withdraw(request, pk: int):
    award = _award_or_404(request, pk)
    form = QualityWithdrawForm(request.POST or None)
    return service_form_page(
        request,
        form,
        lambda: quality.quality_tier_withdraw(by=request.user, award=award, **form.cleaned_data),
        success=lambda withdrawn: f"Withdrawn: {withdrawn}.",
        redirect_to=lambda saved: award.framework,
        context=_award_context(award, "Withdraw a tier"),
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.change_providerqualitytier")
def award_reinstate(request, pk: int):
    award = _award_or_404(request, pk)
    form = QualityReinstateForm(request.POST or None)
    return service_form_page(
        request,
        form,
        lambda: quality.quality_tier_reinstate(by=request.user, award=award, **form.cleaned_data),
        success=lambda reinstated: f"Reinstated: {reinstated}.",
        redirect_to=lambda saved: award.framework,
        context=_award_context(award, "Reinstate a tier"),
    )
