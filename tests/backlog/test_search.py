"""Search scores: the early exits of score_fields and rank_rows' prefilter and chain of tests change no score, no hit, no order."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from flowops.backlog.rows import Row
from flowops.backlog.search import _FIELD_WEIGHTS, rank_rows, score_fields, search_rows
from flowops.backlog.written import Document


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


def test_the_weights_keep_the_order_rank_rows_tests_fields_in():
    # rank_rows decides each word's field by one chain of tests that holds only for these relations.
    weight = dict(_FIELD_WEIGHTS)
    assert weight["id"] == weight["title"]
    assert weight["id"] * 0.85 >= weight["labels"]  # a part of an id or title word beats any other field
    assert weight["labels"] * 0.85 < weight["description"]  # a whole description word beats a part of a label
    assert weight["description"] > weight["labels"] * 0.85 > weight["description"] * 0.85  # (and a part of one loses to it)
    assert weight["description"] * 0.85 >= weight["rest"]  # a part of a description word beats any word of the rest


def _reference_ranking(rows, texts, documents, words, limit):
    # search_rows as it was: every row scored by score_fields over its fields, Hit-style sort, then the limit.
    hits = []
    for row, (description, rest) in zip(rows, texts, strict=True):
        fields = {"id": row.id.lower(), "title": row.title.lower(), "labels": " ".join(row.labels).lower(),
                  "description": description, "rest": rest}
        if score := score_fields(fields, words):
            hits.append((score, "task", row))
    for document in documents:
        fields = {"id": document.id.lower(), "title": document.title.lower(), "labels": " ".join(document.tags).lower(),
                  "description": document.body.lower()}
        if score := score_fields(fields, words):
            hits.append((score, "document", document))
    hits.sort(key=lambda h: (-h[0], h[1], h[2].id))
    return hits[:limit] if limit else hits


# Whole words, parts of words, punctuation, case, and letters whose lower case depends on
# their neighbours or grows ("Σ" at the end of a word, "İ"); ids repeat (a duplicate id keeps its order).
_ODD = "abAB .-:\n\tΣσςİi'é"
_ODD_TEXT = st.text(alphabet=_ODD, max_size=14)
_ODD_WORDS = st.lists(st.sampled_from(["a", "ab", "b", "ba", "aa", "a.", "-b", "σ", "ς", "i", "i̇", "é", "a'", "ab:"]) |
                      st.text(alphabet="abΣσςİi.'é", min_size=1, max_size=3), min_size=1, max_size=4)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["TASK-1", "TASK-2", "task-2", "TASK-10", "TASK-A.b"]), _ODD_TEXT,
                          st.lists(st.text(alphabet="aBb Σ.", max_size=4), max_size=3), _ODD_TEXT, _ODD_TEXT), max_size=8),
       st.lists(st.tuples(st.sampled_from(["doc-1", "doc-2", "DOC-1"]), _ODD_TEXT,
                          st.lists(st.text(alphabet="aBb", max_size=3), max_size=2), _ODD_TEXT), max_size=3),
       _ODD_WORDS, st.sampled_from([None, 1, 2, 5]))
def test_rank_rows_ranks_as_score_fields_and_a_sort_of_hits(items, docs, words, limit):
    rows = [Row(task_id, title, "To Do", None, None, 0, 0, None, labels, [], None, None, "2026-01-01", None, None)
            for task_id, title, labels, _d, _r in items]
    # The text as the records give it: lower-cased (records.to_text).
    texts = [[description.lower(), rest.lower()] for _i, _t, _l, description, rest in items]
    documents = [Document(doc_id, title, tags=tags, body=body) for doc_id, title, tags, body in docs]
    query = " ".join(words)
    expected = _reference_ranking(rows, texts, documents, query.lower().split(), limit)
    got = rank_rows(rows, texts, documents, query, limit=limit)
    assert [(score, kind, item) for score, kind, item in got] == expected
    assert all(a is b for (_s, _k, a), (_t, _l, b) in zip(got, expected, strict=True))  # the very rows, duplicates in order
    assert [(h.score, h.kind, h.item) for h in search_rows(rows, texts, documents, query, limit=limit)] == expected


def test_rank_rows_on_a_realistic_table():
    # Whole words beat parts, id and title beat labels beat the description beats the rest.
    rows = [Row(task_id, title, "To Do", None, None, 0, 0, None, labels, [], None, None, "2026-01-01", None, None)
            for task_id, title, labels in [("TASK-1", "Latency budget runbook", []), ("TASK-2", "Error budgets", ["latency"]),
                                           ("TASK-3", "Queue", ["slo"]), ("TASK-4", "Queue latency", ["budget-burn"]),
                                           ("TASK-5", "Nothing here", [])]]
    texts = [["p95 latency within budget.", ""], ["", "latency budget"], ["the latency budget, per day", "budget"],
             ["", ""], ["latency", "no b-u-d-g-e-t"]]
    got = [(score, item.id) for score, _kind, item in rank_rows(rows, texts, [], "Latency BUDGET")]
    assert got == [(1.0, "TASK-1"), (0.84, "TASK-4"), (0.825, "TASK-2"), (0.647, "TASK-3")]
    assert got == [(h.score, h.item.id) for h in search_rows(rows, texts, [], "latency budget")]
