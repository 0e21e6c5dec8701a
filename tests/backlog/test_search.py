"""Search scores: the early exits of score_fields and search_rows' prefilter change no score and no hit."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from flowops.backlog.rows import Row
from flowops.backlog.search import _FIELD_WEIGHTS, score_fields, search_rows


def _reference_score(fields: dict[str, str], words: list[str]) -> float:
    # The plain definition: for each word its best field, whole words counting fully.
    total = 0.0
    for word in words:
        best = 0.0
        for name, weight in _FIELD_WEIGHTS:
            text = fields.get(name, "")
            if word in text:
                best = max(best, weight * (1.0 if f" {word} " in f" {text} " else 0.85))
        if best == 0.0:
            return 0.0
        total += best
    return round(total / len(words), 3)


_TEXT = st.text(alphabet="ab \n", max_size=12)
_TITLE = st.text(alphabet="aAb \n", max_size=12)  # rows keep their case: search lowers ids, titles and labels
_WORDS = st.lists(st.text(alphabet="ab", min_size=1, max_size=3), min_size=1, max_size=3)


def test_the_field_weights_only_fall():
    # score_fields stops at the first field that cannot beat the best so far.
    weights = [weight for _name, weight in _FIELD_WEIGHTS]
    assert weights == sorted(weights, reverse=True)


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({name: _TEXT for name, _weight in _FIELD_WEIGHTS}), _WORDS)
def test_score_fields_scores_as_the_plain_definition(fields, words):
    assert score_fields(fields, words) == _reference_score(fields, words)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_TITLE, st.lists(st.text(alphabet="aBb", max_size=3), max_size=2), _TEXT, _TEXT), max_size=6),
       _WORDS)
def test_search_rows_hits_every_row_whose_fields_score(items, words):
    rows = [Row(f"TASK-{i}", title, "To Do", None, None, 0, 0, None, labels, [], None, None, "2026-01-01", None, None)
            for i, (title, labels, _d, _r) in enumerate(items, 1)]
    texts = [[description, rest] for _t, _l, description, rest in items]
    hits = {hit.item.id: hit.score for hit in search_rows(rows, texts, [], " ".join(words))}
    expected = {}
    for row, (description, rest) in zip(rows, texts, strict=True):
        fields = {"id": row.id.lower(), "title": row.title.lower(), "labels": " ".join(row.labels).lower(),
                  "description": description, "rest": rest}
        if score := _reference_score(fields, words):
            expected[row.id] = score
    assert hits == expected
