import pytest

from flowops.errors import ConfigError
from flowops.yamlfile import load_yaml


def test_locations_name_the_line_of_nested_fields():
    data, where = load_yaml("version: 1\nhooks:\n  - name: a\n    timeout: 5\n", "h.yaml")
    assert data == {"version": 1, "hooks": [{"name": "a", "timeout": 5}]}
    assert where.line("hooks", 0, "timeout") == 4
    assert where.line("hooks", 0, "missing") == 3
    assert where.dotted(("hooks", 0, "timeout")) == "hooks[0].timeout"


def test_syntax_error_names_file_and_line():
    with pytest.raises(ConfigError) as info:
        load_yaml("a: [1,\nb: 2", "x.yml")
    assert info.value.path == "x.yml" and info.value.line == 3


def test_duplicate_keys_are_refused_with_their_line():
    with pytest.raises(ConfigError) as info:
        load_yaml("a: 1\na: 2\n", "x.yml")
    assert info.value.line == 2 and "duplicate key 'a'" in info.value.message


def _bomb(levels: int = 9, indent: str = "") -> str:
    """The classic "billion laughs": each anchor repeats the previous one nine times (~560 bytes)."""
    lines = [f'{indent}a0: &a0 ["lol"]']
    for n in range(1, levels):
        lines.append(f"{indent}a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_before_it_is_built():
    import time

    started = time.monotonic()
    with pytest.raises(ConfigError) as info:
        load_yaml(_bomb(), "bomb.yml")
    assert time.monotonic() - started < 5  # generous: building it takes minutes and gigabytes
    assert info.value.path == "bomb.yml" and "alias" in info.value.message


def test_a_recursive_alias_is_refused():
    with pytest.raises(ConfigError) as info:
        load_yaml("a: &a [1, *a]\n", "loop.yml")
    assert "alias" in info.value.message


def test_modest_anchors_and_merge_keys_still_load():
    text = "base: &base {timeout: 5, fail_mode: stop}\nhooks:\n  - {<<: *base, name: a}\n  - {<<: *base, name: b}\n"
    data, _where = load_yaml(text, "ok.yml")
    assert data["hooks"][1] == {"timeout": 5, "fail_mode": "stop", "name": "b"}
