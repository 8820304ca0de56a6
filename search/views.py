from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from commissioning.models import RecordRead

from . import selectors, services
from .forms import SearchForm
from .registry import BY_KEY


@require_GET
@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Results grouped by type, a few of each with "see all"; or one type, paged."""
    form = SearchForm(request.GET) if "q" in request.GET else None
    results: list[selectors.TypeResults] = []
    kind = page = None
    if form is not None and form.is_valid():
        kind = form.cleaned_data["type"] or None
        page = form.cleaned_data["page"] or 1
        results = selectors.search(user=request.user, q=form.cleaned_data["q"], kind=kind, page=page)
        services.record_search_reads(user=request.user, results=results, via=RecordRead.Via.PAGE)
    total = sum(group.count for group in results)
    pages = None
    if kind and results:
        last = max(1, -(-results[0].count // selectors.PAGE_SIZE))
        pages = {
            "number": page,
            "last": last,
            "previous": page - 1 if page and page > 1 else None,
            "next": page + 1 if page and page < last else None,
        }
    return render(
        request,
        "search/results.html",
        {
            "form": form or SearchForm(),
            "searched": form is not None and form.is_valid(),
            "results": results,
            "total": total,
            "kind": BY_KEY[kind] if kind else None,
            "pages": pages,
            "per_type": selectors.PER_TYPE,
            "breadcrumbs": [("Search", None)],
        },
    )


@require_GET
@login_required
def go(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """A result whose record has no page of its own (a location, a visit): its provider's page, if the user may
    see the record."""
    target = selectors.result_url(user=request.user, kind=kind, pk=pk)
    if target is None:
        raise Http404
    return redirect(target)
