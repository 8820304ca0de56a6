"""Paging and filter links shared by every list page (the register, providers, oversight logs, strategies)."""

from django.core.paginator import Page, Paginator

PAGE_SIZE = 25


def page_of(request, items, per_page: int = PAGE_SIZE) -> Page:
    """The page of ``items`` asked for by ?page= (the last page for a number past the end)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def querystring_without(request, *names: str) -> str:
    """The current filters as a query string without ``names`` (default "page"), for paging and sort links."""
    params = request.GET.copy()
    for name in names or ("page",):
        params.pop(name, None)
    return params.urlencode()
