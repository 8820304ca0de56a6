"""The search index: one entry per record the header's search box finds (a strategy, a highlight report, a
contract...). An entry holds only what is searched (title and text) and never who may see it: the search
selector keeps the entries whose records the user's ``visible_to`` gives (search.selectors)."""

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchEntry(models.Model):
    """A record as the search sees it. Written only by search.indexing (signals and rebuild_search_index)."""

    kind = models.CharField(max_length=30, help_text="The result group: strategies, contracts, concerns...")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    # Weighted tsvector of title (A) and body (B); kept on PostgreSQL only (null on SQLite), GIN-indexed there.
    search_vector = SearchVectorField(null=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "title"]
        verbose_name_plural = "search entries"
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="one_search_entry_per_record"),
        ]
        indexes = [models.Index(fields=["kind", "object_id"], name="search_entry_kind_object")]

    def __str__(self):
        return f"{self.kind}: {self.title}"
