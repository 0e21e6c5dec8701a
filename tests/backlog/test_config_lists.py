"""config.yml's flow lists (``statuses: ["To Do", "Done"]``) read as Backlog.md reads them, json or not."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from flowops.backlog import config
from flowops.backlog.config import _flow_list


def _through_json(value: str) -> list[str]:
    """What _flow_list gave before its plain-list path: json.loads first, the split fallback after."""
    value = value.strip()
    if not value.startswith("["):
        return [value.strip("'\"")] if value else []
    try:
        items = json.loads(value)
        if isinstance(items, list):
            return [str(item) for item in items]
    except ValueError:
        pass
    inner = value.strip("[]")
    return [part.strip().strip("'\"") for part in inner.split(",") if part.strip()]


_TEXT = st.text(st.sampled_from(list('ab "\\,[]\t\n\x01é') + ["\u2028"]), max_size=8)
_LISTS = st.one_of(
    st.lists(_TEXT, max_size=4).map(lambda items: "[" + ", ".join(f'"{i}"' for i in items) + "]"),
    st.lists(_TEXT, max_size=4).map(json.dumps),
    st.lists(st.sampled_from(["", " ", "\t", "\n", ","]), max_size=3).map(lambda gaps: "[" + "".join(gaps) + "]"),
    _TEXT.map(lambda t: "[" + t),
    _TEXT,
)


@settings(max_examples=400, deadline=None)
@given(_LISTS)
def test_a_flow_list_reads_as_it_did_through_json(value):
    assert _flow_list(value) == _through_json(value)


def test_the_statuses_backlog_md_writes_take_the_plain_path(monkeypatch):
    value = '["To Do", "In Progress", "Done"]'
    assert config._PLAIN_FLOW_LIST.fullmatch(value)
    assert _flow_list(value) == ["To Do", "In Progress", "Done"]
    # An escape is json's to read.
    assert not config._PLAIN_FLOW_LIST.fullmatch('["a\\"b"]')
    assert _flow_list('["a\\"b", "c"]') == ['a"b', "c"]
