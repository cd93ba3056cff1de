"""Turn what a person typed into a query plan: one group of acceptable terms per word.

A document matches when it contains a term of any group; the more groups it matches, the higher
it ranks, so every word counts but one word that matches nothing does not empty the result.
Words that are not indexed are corrected to the closest indexed word; the last word, while it
is still being typed (no space after it), also matches the indexed words it begins.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from onestop.search.domain.text import Run, runs
from onestop.search.domain.vocabulary import Vocabulary

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 12


@dataclass(frozen=True)
class QueryGroup:
    """One word of the query: `terms` match it fully, `completions` as the start of a word."""

    word: str
    terms: tuple[str, ...] = ()
    completions: tuple[str, ...] = ()

    @property
    def alternatives(self) -> tuple[str, ...]:
        return self.terms + self.completions


@dataclass(frozen=True)
class QueryPlan:
    words: list[str] = field(default_factory=list)
    groups: list[QueryGroup] = field(default_factory=list)
    corrected: dict[str, str] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """Nothing was typed that could be a word: list documents by filters only."""
        return not self.words


def plan_query(query: str, vocabulary: Vocabulary) -> QueryPlan:
    """The plan for `query` against the words of one index (long queries are cut)."""
    query = query[:MAX_QUERY_CHARS]
    query_runs = runs(query)
    typing = bool(query) and not query[-1].isspace()
    plan = QueryPlan()
    for position, run in enumerate(query_runs):
        last = typing and position == len(query_runs) - 1
        for group in _run_groups(run, vocabulary, plan.corrected, last=last):
            if len(plan.words) == MAX_QUERY_WORDS:
                return plan
            plan.words.append(group.word)
            # A repeated word counts once.
            if group.alternatives and group not in plan.groups:
                plan.groups.append(group)
    return plan


def _run_groups(
    run: Run, vocabulary: Vocabulary, corrected: dict[str, str], *, last: bool
) -> list[QueryGroup]:
    if all(word in vocabulary for word in run.words):
        # The run may also be indexed whole (a compound's part, or rejoined pieces).
        whole = (run.text,) if len(run.words) > 1 and run.text in vocabulary else ()
        groups = [QueryGroup(word, (word, *whole)) for word in run.words]
    elif run.text in vocabulary:
        groups = [QueryGroup(run.text, (run.text,))]
    else:
        groups = _unknown_run_groups(run, vocabulary, corrected, last=last)
    if last and groups and not groups[-1].completions:
        groups[-1] = _with_completions(groups[-1], vocabulary)
    return groups


def _unknown_run_groups(
    run: Run, vocabulary: Vocabulary, corrected: dict[str, str], *, last: bool
) -> list[QueryGroup]:
    """A run with words the index does not know: completed, corrected whole, or word by word."""
    if last and run.thai and len(run.words) > 1:
        completions = vocabulary.complete(run.text)
        if completions:
            return [QueryGroup(run.text, (), tuple(completions))]
    if run.thai:
        correction = vocabulary.correct(run.text)
        if correction is not None:
            corrected[run.text] = correction
            return [QueryGroup(run.text, (correction,))]
    return [
        group
        for chunk in _chunks(run, vocabulary)
        for group in _chunk_groups(chunk, vocabulary, corrected)
    ]


def _chunks(run: Run, vocabulary: Vocabulary) -> list[tuple[str, ...]]:
    """The run's words, with neighbouring unknown words kept together: a typo often splits a
    word into pieces (`เก้าอื้` is cut into `เก้า` and `อื้`), and the pieces correct best whole."""
    chunks: list[tuple[str, ...]] = []
    unknown: tuple[str, ...] = ()
    for word in run.words:
        if word in vocabulary or not run.thai:
            chunks += [unknown, (word,)] if unknown else [(word,)]
            unknown = ()
        else:
            unknown += (word,)
    return [*chunks, unknown] if unknown else chunks


def _chunk_groups(
    chunk: tuple[str, ...], vocabulary: Vocabulary, corrected: dict[str, str]
) -> list[QueryGroup]:
    group = _word_group("".join(chunk), vocabulary, corrected)
    if group.terms or len(chunk) == 1:
        return [group]
    return [_word_group(word, vocabulary, corrected) for word in chunk]


def _word_group(word: str, vocabulary: Vocabulary, corrected: dict[str, str]) -> QueryGroup:
    if word in vocabulary:
        return QueryGroup(word, (word,))
    correction = vocabulary.correct(word)
    if correction is None:
        return QueryGroup(word)
    corrected[word] = correction
    return QueryGroup(word, (correction,))


def _with_completions(group: QueryGroup, vocabulary: Vocabulary) -> QueryGroup:
    """The last word may be unfinished: it also matches the indexed words it begins."""
    completions = tuple(word for word in vocabulary.complete(group.word) if word not in group.terms)
    return QueryGroup(group.word, group.terms, completions) if completions else group
