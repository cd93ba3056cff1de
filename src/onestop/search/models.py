"""The search index: one row per document, the words of each index, and a version per index.

The full-text structures are not models: migration 0002 creates them for the database in use.
On SQLite, an FTS5 table (`search_fts`) indexes the four `*_tokens` columns of SearchEntry and
triggers keep it in step; on PostgreSQL, SearchEntry gets a generated `document` tsvector column
with a GIN index. Both hold the same tokens: words of the title (weight A), of the text (B),
parts of compound words (C), and tags encoded as tokens (D, never ranked).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    """One indexed document. Its tokens are space-separated words, already normalised."""

    index_name = models.CharField(_("index"), max_length=64)
    key = models.CharField(_("key"), max_length=200)
    title = models.TextField(_("title"))
    text = models.TextField(_("text"), blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    title_tokens = models.TextField(_("title tokens"))
    text_tokens = models.TextField(_("text tokens"), blank=True)
    part_tokens = models.TextField(_("compound part tokens"), blank=True)
    tag_tokens = models.TextField(_("tag tokens"), blank=True)
    sort_key = models.CharField(_("sort key"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(fields=["index_name", "key"], name="search_entry_unique_key")
        ]
        indexes = [
            models.Index(fields=["index_name", "amount"], name="search_entry_amount"),
            models.Index(fields=["index_name", "sort_key", "id"], name="search_entry_sort_key"),
        ]

    def __str__(self) -> str:
        return f"{self.index_name}:{self.key}"

    def terms(self) -> set[str]:
        """The distinct words this entry adds to its index's vocabulary."""
        return entry_terms(self.title_tokens, self.text_tokens, self.part_tokens)


def entry_terms(title_tokens: str, text_tokens: str, part_tokens: str) -> set[str]:
    return set(f"{title_tokens} {text_tokens} {part_tokens}".split())


class SearchTerm(models.Model):
    """A word of an index and how many of its documents contain it (for typo correction)."""

    index_name = models.CharField(_("index"), max_length=64)
    term = models.CharField(_("term"), max_length=64)
    documents = models.IntegerField(_("documents"), default=0)

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")
        constraints = [
            models.UniqueConstraint(fields=["index_name", "term"], name="search_term_unique")
        ]

    def __str__(self) -> str:
        return f"{self.index_name}:{self.term}"


class SearchIndexState(models.Model):
    """Per index, a random version that changes whenever a word appears or disappears.

    Processes cache the vocabulary in memory and compare versions before each query. The version
    is random rather than a counter, so a version read in a transaction that later rolled back
    can never be issued again for a different vocabulary.
    """

    name = models.CharField(_("index"), max_length=64, primary_key=True)
    vocabulary_version = models.CharField(_("vocabulary version"), max_length=32)

    class Meta:
        verbose_name = _("search index")
        verbose_name_plural = _("search indexes")

    def __str__(self) -> str:
        return self.name
