"""The fast reader's faster patterns find exactly what the plain ones they replaced find."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from flowops.backlog import quickread
from flowops.backlog.quickread import quick_record

# The patterns as first written: lazy to the end of the line, headings anchored with ``^``.
PLAIN_FRONT_LINE = re.compile(r"^(?:([A-Za-z_][A-Za-z0-9_]*):(?:[ \t]+(.*?))?|  - (.*?))[ \t]*$", re.M)
PLAIN_HEADING = re.compile(r"^##[ \t]+(.+?)[ \t]*$", re.M)

# Lines made of the pieces that matter to both: keys, blanks, dashes, hashes, colons, quotes.
PIECES = st.sampled_from(["id", "title", "_k9", "9k", ":", ": ", ":\t", "  - ", "  -", "- ", "-", "##", "## ", "###", "#",
                          " ", "\t", "  ", "x", "To Do", "'@ana'", "[]", "é", "\r", "\u00a0", "\u2028"])
LINES = st.lists(st.lists(PIECES, max_size=8).map("".join), max_size=8).map("\n".join)


@settings(max_examples=400, deadline=None)
@given(LINES)
@example("key:   \n  -   \n  - x \t\nk:v\n##   \n## ## b\nx ## y\n### z")
def test_the_frontmatter_line_pattern_finds_what_the_lazy_one_finds(text):
    assert quickread._FRONT_LINE_RE.findall(text) == PLAIN_FRONT_LINE.findall(text)


@settings(max_examples=400, deadline=None)
@given(LINES)
@example("## A\nx ## not a heading\n##\tB \t\n###C\n##   \n## ## b")
def test_headings_are_those_the_anchored_pattern_finds(text):
    kept = [(m.span(), m.group(1)) for m in quickread._HEADING_RE.finditer(text) if m.start() == 0 or text[m.start() - 1] == "\n"]
    assert kept == [(m.span(), m.group(1)) for m in PLAIN_HEADING.finditer(text)]


def test_a_hash_pair_inside_a_line_hides_no_heading():
    raw = (b"---\nid: TASK-1\ntitle: T\nstatus: To Do\nassignee: []\ncreated_date: '2026-01-02 10:00'\nlabels: []\n"
           b"dependencies: []\n---\n\n## Description\n\n<!-- SECTION:DESCRIPTION:BEGIN -->\nsee ## Implementation Notes\n"
           b"<!-- SECTION:DESCRIPTION:END -->\n\n## Acceptance Criteria\n<!-- AC:BEGIN -->\n- [ ] #1 p95 below 300 ms\n"
           b"<!-- AC:END -->\n")
    record = quick_record(raw)
    assert record is not None
    assert record[2] == (("p95 below 300 ms", False),) and "see ## Implementation Notes" in record[0]
