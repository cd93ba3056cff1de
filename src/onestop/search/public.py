"""What other apps may use of search (C-08): index documents, remove them, search them.

Thai text is segmented with pythainlp (newmm) when indexing and when querying; the database's
own full-text engine matches and ranks (SQLite FTS5 with bm25, PostgreSQL tsvector with
ts_rank_cd). Index names are chosen by the owning app, such as "catalog".
"""

from onestop.search.documents import SearchDocument, SearchHit, SearchResults
from onestop.search.domain.text import tokenize
from onestop.search.selectors import documents_search as search
from onestop.search.services import document_index as index
from onestop.search.services import document_remove as remove
from onestop.search.services import documents_index_many as index_many

__all__ = [
    "SearchDocument",
    "SearchHit",
    "SearchResults",
    "index",
    "index_many",
    "remove",
    "search",
    "tokenize",
]
