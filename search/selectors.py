"""The search across everything: one query per result type, each the index entries matching the words whose
records are among that model's ``visible_to(user)`` (a subquery), so the query count does not grow with the
hits. PostgreSQL ranks with the weighted vector and highlights with ts_headline; SQLite matches every word
with a contains lookup and highlights in Python."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import Count, F, FloatField, Q, QuerySet, Value, Window
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .indexing import SEARCH_CONFIG, uses_full_text
from .models import SearchEntry
from .registry import BY_KEY, SearchType, types_for

QUERY_MAX_LENGTH = 200
PER_TYPE = 5  # hits per type on the grouped page; "see all" pages the rest
# The last page anyone may ask for: past it a database's OFFSET overflows (SQLite's is a 64-bit integer).
MAX_PAGE = 10_000
PAGE_SIZE = 20
SNIPPET_WORDS = 30
# Markers the database puts round a match; the snippet is escaped before they become <mark>.
_START, _STOP = "\x02", "\x03"


@dataclass(frozen=True)
class Hit:
    kind: str
    id: int
    title: str
    url: str
    snippet: SafeString
    rank: float | None


@dataclass
class TypeResults:
    key: str
    label: str
    count: int
    hits: list[Hit] = field(default_factory=list)


def clean_query(q: Any) -> str:
    """The words searched for, or ValueError saying what is wrong with ``q``."""
    words = " ".join(str(q or "").split())
    if not words:
        raise ValueError("Enter words to search for.")
    if len(words) > QUERY_MAX_LENGTH:
        raise ValueError(f"Search words must be {QUERY_MAX_LENGTH} characters or fewer.")
    return words


def _terms(words: str) -> list[str]:
    return [term for term in re.findall(r"\w+", words) if term]


def _marked(text: str) -> SafeString:
    """Escape the snippet, then turn the match markers into <mark>."""
    safe = escape(text).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(safe)  # nosec B308 B703 - every character but our own markers is escaped above


def _python_snippet(text: str, terms: list[str]) -> str:
    """A window of words round the first match, with the matches marked (the SQLite fallback)."""
    words = text.split()
    lowered = [word.casefold() for word in words]
    first = next(
        (i for i, word in enumerate(lowered) if any(term.casefold() in word for term in terms)),
        0,
    )
    start = max(0, first - SNIPPET_WORDS // 3)
    window = " ".join(words[start : start + SNIPPET_WORDS])
    if terms:
        pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
        window = pattern.sub(lambda match: f"{_START}{match.group(0)}{_STOP}", window)
    prefix = "… " if start else ""
    suffix = " …" if start + SNIPPET_WORDS < len(words) else ""
    return f"{prefix}{window}{suffix}"


def _matching(search_type: SearchType, *, user: Any, words: str) -> QuerySet[SearchEntry]:
    entries = SearchEntry.objects.filter(kind=search_type.key, object_id__in=search_type.visible_ids(user))
    if uses_full_text():
        query = SearchQuery(words, search_type="websearch", config=SEARCH_CONFIG)
        return (
            entries.filter(search_vector=query)
            .annotate(
                rank=SearchRank(F("search_vector"), query),
                snippet=SearchHeadline(
                    "body",
                    query,
                    config=SEARCH_CONFIG,
                    start_sel=_START,
                    stop_sel=_STOP,
                    max_words=SNIPPET_WORDS,
                    min_words=SNIPPET_WORDS // 2,
                ),
            )
            .order_by("-rank", "title", "pk")
        )
    terms = _terms(words) or [words]
    for term in terms:
        entries = entries.filter(Q(title__icontains=term) | Q(body__icontains=term))
    return entries.annotate(rank=Value(None, output_field=FloatField())).order_by("title", "pk")


def search_type_results(
    search_type: SearchType, *, user: Any, words: str, offset: int = 0, limit: int = PER_TYPE
) -> TypeResults:
    """One type's hits for ``user`` (from ``offset``, at most ``limit``) and how many there are, in one query
    (the count is a window over the same rows)."""
    rows = list(
        _matching(search_type, user=user, words=words).annotate(total=Window(Count("pk")))[offset : offset + limit]
    )
    results = TypeResults(key=search_type.key, label=search_type.label, count=rows[0].total if rows else 0)
    terms = _terms(words)
    for entry in rows:
        snippet = getattr(entry, "snippet", None)
        if snippet is None:
            snippet = _python_snippet(entry.body or entry.title, terms)
        results.hits.append(
            Hit(
                kind=search_type.key,
                id=entry.object_id,
                title=entry.title,
                url=_url(search_type, entry),
                snippet=_marked(snippet),
                rank=getattr(entry, "rank", None),
            )
        )
    return results


def _url(search_type: SearchType, entry: SearchEntry) -> str:
    if search_type.url_name:
        return reverse(search_type.url_name, args=[entry.object_id])
    return reverse("search:go", args=[search_type.key, entry.object_id])


def result_url(*, user: Any, kind: str, pk: int) -> str | None:
    """The page of a result whose record has none of its own (a location, a visit: its provider's), or None
    when there is no such type or ``user`` may not see the record (the model's ``visible_to``)."""
    search_type = BY_KEY.get(kind)
    if search_type is None:
        return None
    record = search_type.model.objects.visible_to(user).filter(pk=pk).first()  # type: ignore[attr-defined]
    return search_type.url(record) if record is not None else None


def search(*, user: Any, q: Any, kind: str | None = None, page: int = 1) -> list[TypeResults]:
    """What ``user`` finds for ``q``: each type's hits and count (the first few of every type, or one page of
    ``kind``). Raises ValueError naming what is wrong with ``q`` or ``kind``."""
    words = clean_query(q)
    if kind is not None and kind not in BY_KEY:
        raise ValueError(f"Choose a type of result from: {', '.join(BY_KEY)}.")
    if kind is None:
        return [search_type_results(t, user=user, words=words) for t in types_for()]
    offset = (min(max(page, 1), MAX_PAGE) - 1) * PAGE_SIZE
    return [search_type_results(BY_KEY[kind], user=user, words=words, offset=offset, limit=PAGE_SIZE)]
