"""Timeline entries: written and read back exactly, and no text can break out of the section."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowops.backlog.sections import Body
from flowops.incidents.timeline import (
    Entry,
    append_entries,
    duration_text,
    new_entry,
    parse_entries,
    parse_time,
    read_timeline,
    render_section,
)

T0 = datetime(2026, 11, 2, 8, 47, 12, tzinfo=UTC)


def test_an_entry_is_one_readable_line():
    entry = new_entry(T0, "note", "rolled back to v1.4.2", "Sara Lopez")
    assert entry.render() == "- 2026-11-02T08:47:12Z [note Sara Lopez] rolled back to v1.4.2"
    assert parse_entries(entry.render()) == [entry]


def test_multi_line_notes_continue_indented_and_cannot_open_a_heading_or_fence():
    text = "first line\n## Root cause\n```\n<!-- SECTION:DESCRIPTION:END -->\n\nlast"
    body = Body.parse("\n## Description\n\n<!-- SECTION:DESCRIPTION:BEGIN -->\nx\n<!-- SECTION:DESCRIPTION:END -->\n")
    append_entries(body, [new_entry(T0, "note", text, "sara"), new_entry(T0 + timedelta(minutes=1), "ack", "", "li")])
    reparsed = Body.parse(body.render())
    assert [block.heading for block in reparsed.blocks] == ["Description", "Timeline"]
    entries = read_timeline(reparsed)
    assert [e.kind for e in entries] == ["note", "ack"] and entries[0].text == text


def test_lines_added_by_hand_are_kept_and_ignored():
    section = render_section([new_entry(T0, "opened", "checkout 502s", "sara")]) + (
        "\n\nSara called the payments team at 09:00.\n- 2026-11-02 09:05 [note li] found the bad config push"
    )
    entries = parse_entries(section)
    assert [(e.kind, e.by, e.at.strftime("%H:%M")) for e in entries] == [("opened", "sara", "08:47"), ("note", "li", "09:05")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-02T08:47:12Z", T0),
        ("2026-11-02T09:47:12+01:00", T0),
        ("2026-11-02T08:47:12.318456789Z", T0.replace(microsecond=318456)),
        ("2026-11-02 08:47:12", T0),
        ("2026-11-02 08:47 UTC", T0.replace(second=0)),
        ("2026-11-02", datetime(2026, 11, 2, tzinfo=UTC)),
    ],
)
def test_times_are_read_in_utc(text, expected):
    assert parse_time(text) == expected


def test_durations_read_like_a_person_would_say_them():
    assert [duration_text(timedelta(seconds=s)) for s in (45, 600, 3900, 100_000)] == ["45 s", "10 min", "1 h 05 min", "1 d 3 h"]


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(["opened", "note", "ack", "resolved", "firing"]),
    text=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=200),
    by=st.one_of(st.none(), st.text(st.characters(whitelist_categories=("L", "Nd", "Zs")), min_size=1, max_size=20)),
    seconds=st.integers(0, 10**8),
)
def test_any_entry_reads_back_as_written(kind, text, by, seconds):
    entry = new_entry(T0 + timedelta(seconds=seconds), kind, text, by)
    body = Body.parse("\n")
    append_entries(body, [entry, new_entry(T0, "note", "after", "x")])
    entries = read_timeline(Body.parse(body.render()))
    assert entries[0] == Entry(entry.at, entry.kind, entry.text, entry.by)
    assert entries[1].text == "after"
