from __future__ import annotations

import pytest

from flowops.backlog.frontmatter import Frontmatter, FrontmatterError


def test_unknown_keys_and_comments_survive_an_edit_of_another_key():
    text = "id: TASK-1\ntitle: A\nstatus: To Do\n# keep me\ncustom:\n  nested: [1, 2]\nlabels: []"
    front = Frontmatter.parse(text)
    front.set("status", "Done")
    assert front.render() == text.replace("status: To Do", "status: Done")
    assert front.get("custom") == {"nested": [1, 2]}


def test_a_new_key_goes_to_its_canonical_place():
    front = Frontmatter.parse("id: TASK-1\ntitle: A\nstatus: To Do\nlabels: []\ndependencies: []")
    front.set("priority", "high", order=["id", "title", "status", "labels", "dependencies", "priority"])
    front.set("updated_date", "2026-01-01 10:00", order=["id", "title", "status", "created_date", "updated_date", "labels"])
    assert front.keys() == ["id", "title", "status", "updated_date", "labels", "dependencies", "priority"]


@pytest.mark.parametrize(
    "line,value",
    [
        ("assignee: @sara", "@sara"),
        ("assignee: [@a, @b]", ["@a", "@b"]),
        ("assignee: ['@a', bob]", ["@a", "bob"]),
        ("labels:\n- a\n- b", ["a", "b"]),
        ("title: 'it''s'", "it's"),
        ('title: "a\\u00e9b"', "aéb"),
        ("title: plain # with a comment", "plain"),
        ("title: >-\n  folded\n  text", "folded text"),
        ("title: |\n  kept\n  lines", "kept\nlines\n"),
    ],
)
def test_legacy_and_hand_written_forms_are_read(line, value):
    key = line.split(":")[0]
    assert Frontmatter.parse(line).get(key) == value


def test_invalid_yaml_names_the_file_line():
    with pytest.raises(FrontmatterError) as info:
        Frontmatter.parse("id: TASK-1\ntitle: [unclosed\nstatus: x", first_line=2)
    assert info.value.line is not None and info.value.line >= 3


def test_duplicate_keys_are_refused():
    with pytest.raises(FrontmatterError, match="duplicate key 'title'"):
        Frontmatter.parse("id: T-1\ntitle: a\ntitle: b")
