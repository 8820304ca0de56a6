"""Pages of contract performance notices (UK9) and breaches (section 71(5)), under /oversight/.

Thin: check the role, call a selector or a service of oversight.notices (whose refusals go onto the form),
render.
"""

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from commissioning.forms import NOT_SAVED, save_through_service, service_form_page
from commissioning.listing import page_of
from commissioning.permissions import permission_required
from contracts.models import Contract

from . import notices
from .models import ContractBreach, ContractPerformanceNotice, PerformanceAssessment
from .notice_forms import BreachConsequenceForm, BreachForm, CdpNoticeIdForm, ConfirmForm, ContractChoiceForm

FORM_TEMPLATE = "form_page.html"
CONFIRM_TEMPLATE = "oversight/notices/confirm.html"


def _crumbs(*items):
    return [("Contract performance notices", reverse("oversight:performance_notices")), *items]


def _notice_or_404(request, pk: int) -> ContractPerformanceNotice:
    return get_object_or_404(notices.notice_list(user=request.user), pk=pk)


@require_GET
@permission_required("oversight.view_contractperformancenotice")
def notice_list(request):
    """Notices awaiting publication (with days left or overdue), then those published."""
    published = notices.notice_list(user=request.user).filter(status=ContractPerformanceNotice.Status.PUBLISHED)
    return render(
        request,
        "oversight/notices/list.html",
        {
            "due": notices.notices_due(user=request.user),
            "page_obj": page_of(request, published.order_by("-published_at", "-pk")),
            "breadcrumbs": [("Contract performance notices", None)],
        },
    )


@require_GET
@permission_required("oversight.view_contractperformancenotice")
def notice_detail(request, pk: int):
    notice = _notice_or_404(request, pk)
    fixed = notice.status != ContractPerformanceNotice.Status.DRAFT
    return render(
        request,
        "oversight/notices/detail.html",
        {
            "notice": notice,
            "content": notice.content if fixed else notices.notice_content(notice),
            "fixed": fixed,
            "problems": [] if fixed else notices.approval_problems(notice),
            "may_approve": notices.may_approve(request.user, notice),
            "breadcrumbs": _crumbs((notice.contract.reference, None)),
        },
    )


def _confirm_context(*, title: str, caption: str, back_url: str, lines: list[str], problems=()) -> dict:
    return {
        "title": title,
        "caption": caption,
        "back_url": back_url,
        "lines": lines,
        "problems": problems,
        "breadcrumbs": _crumbs((title, None)),
    }


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_contractperformancenotice")
def notice_create(request, pk: int):
    """Draft the notice of a completed assessment (the button on the assessment's page)."""
    assessment = get_object_or_404(
        PerformanceAssessment.objects.visible_to(request.user).select_related("contract"), pk=pk
    )
    form = ConfirmForm(request.POST if request.method == "POST" else None, submit="Draft the notice")
    contract = assessment.contract
    return service_form_page(
        request,
        form,
        lambda: notices.performance_notice_create(by=request.user, assessment=assessment),
        success="Contract performance notice drafted.",
        template=CONFIRM_TEMPLATE,
        context=_confirm_context(
            title="Draft a contract performance notice",
            caption=f"{contract.reference} {contract.title}",
            back_url=contract.get_absolute_url(),
            lines=[
                f"The notice reports each KPI's rating for {assessment.period_start:%d/%m/%Y} to "
                f"{assessment.period_end:%d/%m/%Y}.",
                f"It must be published within {notices.ASSESSMENT_NOTICE_DAYS} days of the assessment.",
                "Another officer approves it before it is published.",
            ],
        ),
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.approve_contractperformancenotice")
def notice_approve(request, pk: int):
    notice = _notice_or_404(request, pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None, submit="Approve the notice")
    saved = save_through_service(
        request,
        form,
        lambda: notices.performance_notice_approve(by=request.user, notice=notice),
        success="Notice approved: its content is now fixed.",
    )
    if saved is not NOT_SAVED:
        return redirect(saved)
    # Not service_form_page: the approval problems (a query per KPI) are worked out only when the page is shown,
    # not before every approval (the service works them out again).
    context = _confirm_context(
        title="Approve the notice",
        caption=str(notice),
        back_url=notice.get_absolute_url(),
        lines=["Approving fixes what the notice says. You cannot approve a notice you drafted."],
        problems=notices.approval_problems(notice) if notice.status == notice.Status.DRAFT else [],
    )
    return render(request, CONFIRM_TEMPLATE, {"form": form, **context})


@require_http_methods(["GET", "POST"])
@permission_required("oversight.approve_contractperformancenotice")
def notice_publish(request, pk: int):
    notice = _notice_or_404(request, pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None, submit="Publish the notice")
    return service_form_page(
        request,
        form,
        lambda: notices.performance_notice_publish(by=request.user, notice=notice),
        success="Notice published: it can no longer change.",
        template=CONFIRM_TEMPLATE,
        context=_confirm_context(
            title="Publish the notice",
            caption=str(notice),
            back_url=notice.get_absolute_url(),
            lines=["Once published, the notice and what it says can no longer change."],
        ),
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.change_contractperformancenotice")
def notice_cdp_id(request, pk: int):
    notice = _notice_or_404(request, pk)
    form = CdpNoticeIdForm(request.POST or None)
    return service_form_page(
        request,
        form,
        lambda: notices.performance_notice_record_cdp_id(
            by=request.user, notice=notice, cdp_notice_id=form.cleaned_data["cdp_notice_id"]
        ),
        success="Central Digital Platform identifier recorded.",
        context={
            "title": "Record the Central Digital Platform identifier",
            "caption": str(notice),
            "back_url": notice.get_absolute_url(),
            "breadcrumbs": _crumbs(("Central Digital Platform identifier", None)),
        },
    )


# --- Breaches -----------------------------------------------------------------------------------------------


@require_GET
@permission_required("oversight.view_contractbreach")
def breach_list(request):
    contract = None
    value = request.GET.get("contract", "")
    if value.isdigit():
        contract = Contract.objects.visible_to(request.user).filter(pk=int(value)).first()
    page_obj = page_of(request, notices.breach_list(user=request.user, contract=contract))
    return render(
        request,
        "oversight/notices/breach_list.html",
        {
            "rows": [(breach, notices.breach_notice_needed(breach)) for breach in page_obj],
            "page_obj": page_obj,
            "contract": contract,
            "breadcrumbs": [("Contract breaches", None)],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_contractbreach")
def breach_add(request):
    value = request.GET.get("contract", "")
    contract = None
    if value.isdigit():
        contract = Contract.objects.visible_to(request.user).filter(pk=int(value)).first()
    title = "Record a breach or failure to improve"
    if contract is None:
        choice = ContractChoiceForm(request.GET or None, user=request.user)
        if value:
            choice.is_valid()
        return render(request, FORM_TEMPLATE, {"form": choice, "title": title, "breadcrumbs": [(title, None)]})
    form = BreachForm(request.POST or None, contract=contract)
    return service_form_page(
        request,
        form,
        lambda: notices.breach_record(by=request.user, contract=contract, **form.cleaned_data),
        success="Breach recorded.",
        redirect_to=lambda saved: _breaches_of(contract.pk),
        context={
            "title": title,
            "caption": f"{contract.reference} {contract.title}",
            "back_url": contract.get_absolute_url(),
            "breadcrumbs": [("Contract breaches", reverse("oversight:breaches")), (title, None)],
        },
    )


def _breaches_of(contract_id: int) -> str:
    return f"{reverse('oversight:breaches')}?contract={contract_id}"


def _breach_or_404(request, pk: int) -> ContractBreach:
    return get_object_or_404(notices.breach_list(user=request.user), pk=pk)


@require_http_methods(["GET", "POST"])
@permission_required("oversight.change_contractbreach")
def breach_consequence(request, pk: int):
    breach = _breach_or_404(request, pk)
    form = BreachConsequenceForm(
        request.POST or None,
        initial={
            "consequence": breach.consequence,
            "consequence_on": breach.consequence_on or timezone.localdate(),
            "damages_amount": breach.damages_amount,
            "settlement_amount": breach.settlement_amount,
        },
    )
    return service_form_page(
        request,
        form,
        lambda: notices.breach_record_consequence(by=request.user, breach=breach, **form.cleaned_data),
        success="Consequence recorded.",
        redirect_to=lambda saved: _breaches_of(breach.contract_id),
        context={
            "title": "Record what the breach led to",
            "caption": str(breach),
            "back_url": reverse("oversight:breaches"),
            "breadcrumbs": [("Contract breaches", reverse("oversight:breaches")), ("Consequence", None)],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("oversight.add_contractperformancenotice")
def breach_notice_create(request, pk: int):
    breach = _breach_or_404(request, pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None, submit="Draft the notice")
    needed = notices.breach_notice_needed(breach)
    return service_form_page(
        request,
        form,
        lambda: notices.performance_notice_for_breach(by=request.user, breach=breach),
        success="Section 71(5) notice drafted.",
        template=CONFIRM_TEMPLATE,
        context=_confirm_context(
            title="Draft a section 71(5) notice",
            caption=str(breach),
            back_url=reverse("oversight:breaches"),
            lines=[needed.reason] + ([f"It must be published by {needed.due_on:%d/%m/%Y}."] if needed.due_on else []),
        ),
    )
