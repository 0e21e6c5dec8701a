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
