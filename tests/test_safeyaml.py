"""Reading YAML from an untrusted repository: every document, with lines, and never an alias bomb."""

from __future__ import annotations

import pytest

from flowops.errors import ConfigError
from flowops.safeyaml import UnsafeYaml, load_documents


def billion_laughs(levels: int = 9) -> str:
    text = 'lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for level in range(1, levels):
        text += f"lol{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]\n"
    return text


def test_every_document_of_a_multi_document_file_is_read_with_its_first_line():
    text = "# comment\napiVersion: v1\nkind: Service\n---\n---\napiVersion: apps/v1\nkind: Deployment\n"
    documents = load_documents(text, "k8s/app.yaml")
    assert [(d.data["kind"], d.line, d.index) for d in documents] == [("Service", 2, 0), ("Deployment", 6, 2)]


def test_values_keep_the_line_they_were_written_on():
    text = "spec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: x\n"
    (document,) = load_documents(text, "app.yaml")
    assert document.where.line("spec", "template", "spec", "containers", 0) == 5
    assert document.where.line("spec", "template", "spec", "containers", 0, "image") == 6


def test_an_alias_bomb_is_refused_before_it_is_expanded():
    with pytest.raises(UnsafeYaml) as refused:
        load_documents(billion_laughs(), "bomb.yaml")
    assert "alias expansion" in refused.value.message
    assert refused.value.path == "bomb.yaml"


def test_a_merge_key_bomb_is_refused_too():
    text = "a0: &a0 {x: 1, y: 2}\n"
    for level in range(1, 30):
        text += f"a{level}: &a{level}\n  <<: [*a{level - 1}, *a{level - 1}]\n  k{level}: v\n"
    with pytest.raises(UnsafeYaml):
        load_documents(text, "merge-bomb.yaml", max_nodes=10_000)


def test_a_recursive_alias_is_refused():
    with pytest.raises(UnsafeYaml, match="refers to itself"):
        load_documents("a: &a\n  b: *a\n", "loop.yaml")


def test_ordinary_anchors_and_merge_keys_still_work():
    text = "defaults: &d {cpu: 100m, memory: 128Mi}\nweb:\n  <<: *d\n  memory: 256Mi\nworker: *d\n"
    (document,) = load_documents(text, "values.yaml")
    assert document.data["web"] == {"cpu": "100m", "memory": "256Mi"}
    assert document.data["worker"] == {"cpu": "100m", "memory": "128Mi"}


def test_nesting_too_deep_to_read_safely_is_refused_not_a_crash():
    with pytest.raises(ConfigError):
        load_documents("[" * 20_000 + "]" * 20_000, "deep.yaml")


def test_invalid_yaml_names_the_line():
    with pytest.raises(ConfigError) as bad:
        load_documents("a: 1\nb: [unclosed\nc: 3\n", "broken.yaml")
    assert bad.value.path == "broken.yaml" and bad.value.line is not None


def test_duplicate_keys_last_wins_unless_unique_keys_are_asked_for():
    assert load_documents("a: 1\na: 2\n", "x.yaml")[0].data == {"a": 2}
    with pytest.raises(ConfigError, match="duplicate key 'a'"):
        load_documents("a: 1\na: 2\n", "x.yaml", unique_keys=True)


def test_only_plain_data_is_built_never_python_objects(tmp_path):
    marker = tmp_path / "owned"
    # A tagged collection is read as the plain list it is written as: nothing is called.
    (document,) = load_documents(f"!!python/object/apply:os.system ['touch {marker}']\n", "evil.yaml")
    assert document.data == [f"touch {marker}"] and not marker.exists()
    # A tagged scalar has no safe constructor: the file is refused.
    with pytest.raises(ConfigError, match="could not determine a constructor"):
        load_documents("a: !!python/name:os.system\n", "evil.yaml")
