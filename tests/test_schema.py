"""flowops.schema: JSON Schema problems located by line and field, in words that say what to do."""

from __future__ import annotations

import textwrap

from flowops.cachedir import fingerprint
from flowops.schema import validate
from flowops.yamlfile import load_yaml


def problems(text: str, schema: dict) -> list[tuple[int | None, str | None, str]]:
    data, where = load_yaml(textwrap.dedent(text), "plugin.yaml")
    return [(p.line, p.field, p.message) for p in validate(data, schema, path="plugin.yaml", locations=where)]


NEST = {
    "type": "object",
    "properties": {
        "nest": {"type": "string", "x-message": "nest must be a file name, not {kind}"},
        "eggs": {"type": "integer", "minimum": 1, "maximum": 6},
    },
    "required": ["nest"],
    "propertyNames": {"enum": ["nest", "eggs"], "x-message": "unknown key '{value}' (known: nest, eggs)"},
}


def test_each_problem_names_its_line_and_field_in_the_schemas_words():
    found = problems("""\
        nest: 12
        eggs: 9
        colour: blue
        """, NEST)
    assert found == [
        (1, "nest", "nest must be a file name, not 12 (a number)"),
        (2, "eggs", "eggs: 9 is greater than the maximum of 6"),
        (3, "colour", "unknown key 'colour' (known: nest, eggs)"),
    ]


def test_a_missing_key_is_reported_at_the_key_with_its_own_message():
    assert problems("eggs: 2\n", NEST) == [(1, "nest", "nest must be a file name, not empty")]


def test_a_missing_key_with_an_object_message_is_reported_at_the_object():
    schema = {**NEST, "x-messages": {"required": "missing required key '{key}'"}}
    assert problems("eggs: 2\n", schema) == [(1, None, "missing required key 'nest'")]


def test_one_problem_per_field_the_first_the_schema_finds():
    schema = {"properties": {"name": {"allOf": [
        {"pattern": r"\S", "x-message": "must not be empty"},
        {"pattern": r"\A\S*\Z", "x-message": "must be one word"},
    ]}}}
    assert problems("name: ' '\n", schema) == [(1, "name", "must not be empty")]


def test_without_a_message_the_default_still_names_the_field_and_what_it_must_be():
    schema = {"properties": {"mode": {"enum": ["fast", "slow"]}, "tags": {"type": "array"}}}
    assert problems("mode: medium\ntags: x\n", schema) == [
        (1, "mode", "mode must be one of fast, slow, not 'medium'"),
        (2, "tags", "tags must be a list, not 'x'"),
    ]


def test_a_changed_schema_has_another_fingerprint():
    assert fingerprint(NEST) == fingerprint(dict(NEST))
    assert fingerprint(NEST) != fingerprint({**NEST, "required": []})
