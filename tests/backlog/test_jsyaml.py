"""Scalars are quoted exactly as js-yaml 3.14 (Backlog.md's frontmatter writer) quotes them."""

from __future__ import annotations

import datetime

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from flowops.backlog.frontmatter import Frontmatter
from flowops.backlog.jsyaml import dump_entry, dump_string, resolve_plain

# Observed in files written by Backlog.md 1.52 (see tests/data/backlog152).
OBSERVED = {
    "123": "'123'",
    "true": "'true'",
    "yes": "'yes'",
    "null": "'null'",
    "2026-01-01": "'2026-01-01'",
    "#hashtag start": "'#hashtag start'",
    "@mention start": "'@mention start'",
    "key: value inside": "'key: value inside'",
    "Title with # hash inside": "'Title with # hash inside'",
    "a#b": "a#b",
    "a,b": "'a,b'",
    "a:b": "'a:b'",
    "it's": "it's",
    "Tab\tinside": '"Tab\\tinside"',
    "~": "'~'",
    "0x1F": "'0x1F'",
    "1e3": "'1e3'",
    ".5": "'.5'",
    "on": "'on'",
    "No": "'No'",
    "ünïcödé title ✓": "ünïcödé title ✓",
    "2026-11-22 02:18": "'2026-11-22 02:18'",
    "multi\nline": "|-\n  multi\n  line",
}


@pytest.mark.parametrize("text,expected", sorted(OBSERVED.items()))
def test_scalars_are_quoted_like_backlog_md(text, expected):
    assert dump_string(text) == expected


def test_long_titles_are_folded_at_80_columns():
    title = "A very long title that goes on and on and on beyond the eighty character width of yaml dumpers ok"
    assert dump_entry("title", title) == (
        "title: >-\n  A very long title that goes on and on and on beyond the eighty character width\n  of yaml dumpers ok"
    )


def test_lists_are_block_sequences_and_empty_lists_are_flow():
    assert dump_entry("assignee", ["@sara", "bob"]) == "assignee:\n  - '@sara'\n  - bob"
    assert dump_entry("labels", []) == "labels: []"


@pytest.mark.parametrize(
    "plain,value",
    [("yes", "yes"), ("on", "on"), ("true", True), ("012", 10), ("0x1F", 31), ("1_000", 1000), ("1:30", 90),
     ("2026-01-01", datetime.date(2026, 1, 1)), ("2026-01-01 10:00", "2026-01-01 10:00"), ("~", None), ("0o17", "0o17")],
)
def test_plain_scalars_resolve_as_js_yaml_reads_them(plain, value):
    assert resolve_plain(plain) == value


@settings(max_examples=500, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60))
def test_any_string_survives_dump_and_read(text):
    # As in a file, another key follows (a "|+" block keeps the blank lines before it).
    block = dump_entry("title", text) + "\nstatus: To Do"
    assert Frontmatter.parse(block).get("title") == text
    # A standard YAML parser reads the same string (the output is valid YAML).
    assert yaml.safe_load(block)["title"] == text
