"""Scalars are quoted exactly as js-yaml 3.14 (Backlog.md's frontmatter writer) quotes them."""

from __future__ import annotations

import datetime

import pytest
import yaml
from hypothesis import example, given, settings
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
    # js-yaml 3 reads these as strings (an int or float cannot end in "_", a decimal
    # cannot start with 0 and carry a fraction), so Backlog.md writes them plain; YAML 1.1
    # readers such as PyYAML take the first ones for numbers.
    "0_": "0_",
    "1_": "1_",
    "+1_": "+1_",
    "0_0_": "0_0_",
    "01.5": "01.5",
    "1.5_": "1.5_",
    "0b1_": "0b1_",
    "0x_": "0x_",
    "08": "08",
    "0o17": "0o17",
    # ... and these as numbers (underscores, sexagesimal, leading-0 octal), so it quotes them.
    "1_000": "'1_000'",
    "1:20": "'1:20'",
    "0:30": "'0:30'",
    "1:20.5": "'1:20.5'",
    "1_:30": "'1_:30'",
    "00": "'00'",
    "._1": "'._1'",
    # js-yaml 3 sees UTF-16 code units: a character past U+FFFF is a surrogate pair, which it
    # escapes in a double-quoted string.
    "Ship it \U0001F600": '"Ship it \\U0001F600"',
    "launch \U0001F680": '"launch \\U0001F680"',
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
     ("2026-01-01", datetime.date(2026, 1, 1)), ("2026-01-01 10:00", "2026-01-01 10:00"), ("~", None), ("0o17", "0o17"),
     # Backlog.md 1.52 shows hand-written plain titles like these as their numbers (String(value)) ...
     ("1:20", 80), ("1e3", 1000.0), (".5", 0.5), ("1:20.5", 80.5), ("0b101", 5), ("+12", 12), ("1_0.5", 10.5),
     ("0_1", 1), ("190:20:30", 685230), ("1_:30", 90),
     # ... and these as the text itself, where PyYAML's YAML 1.1 rules would give numbers.
     ("0_", "0_"), ("1_", "1_"), ("0_0_", "0_0_"), ("01.5", "01.5"), ("1.5_", "1.5_"), ("0b1_", "0b1_"), ("0x_", "0x_")],
)
def test_plain_scalars_resolve_as_js_yaml_reads_them(plain, value):
    assert resolve_plain(plain) == value


@settings(max_examples=500, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60))
# Strings where YAML 1.1 and js-yaml 3 part ways, so they are tried on every run, not by luck.
@example("0_")
@example("1_")
@example("+1_")
@example("0_0_")
@example("01.5")
@example("1.5_")
@example("0b1_")
@example("0x_")
@example("1_000")
@example("1:20")
@example("Ship it \U0001F600")
def test_any_string_survives_dump_and_read(text):
    # As in a file, another key follows (a "|+" block keeps the blank lines before it).
    block = dump_entry("title", text) + "\nstatus: To Do"
    assert Frontmatter.parse(block).get("title") == text
    # The output is valid YAML whose scalar holds exactly this text. PyYAML's BaseLoader
    # leaves every scalar a string: its typed loaders apply YAML 1.1 rules (``0_`` is 0
    # there), which are not the rules Backlog.md reads by (js-yaml 3; see the tables above).
    assert yaml.load(block, Loader=yaml.BaseLoader)["title"] == text
