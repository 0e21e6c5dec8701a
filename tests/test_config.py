"""The settings file is checked against the JSON Schema made from flowops.config.SETTINGS.

Every problem names the file and the key, in the words of the table, and says what to do;
a file that passed is not validated again until it changes (jsonschema stays unloaded).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flowops.config import load_config
from flowops.errors import ConfigError


def write_config(root: Path, text: str) -> None:
    (root / ".flowops").mkdir(exist_ok=True)
    (root / ".flowops" / "config.toml").write_text(text, encoding="utf-8")


def refusal(root: Path) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_config(root)
    return info.value


def test_an_unknown_key_in_a_table_is_named_with_the_known_ones(tmp_path):
    write_config(tmp_path, "[operate]\nalertz = []\n")
    error = refusal(tmp_path)
    assert (error.message, error.path, error.field) == ("unknown setting 'operate.alertz'", ".flowops/config.toml",
                                                        "operate.alertz")
    assert error.exit_code == 2 and "operate.alerts" in error.hint


@pytest.mark.parametrize("text, message", [
    ('require_checked_ac_for_done = "yes"\n', "'require_checked_ac_for_done' must be true or false, not 'yes'"),
    ("[git]\nhook_budget = 0\n", "'git.hook_budget' must be a number of seconds from 0.1 to 60, not 0"),
    ("[git]\nhook_budget = true\n", "'git.hook_budget' must be a number of seconds from 0.1 to 60, not True"),
    ('[slo]\nspecs = ["a.yml", 3]\n', "'slo.specs' must be a list of SLO spec file paths: 3 is not one"),
    ("operate = 5\n", "'operate' must be a table of settings, not 5"),
])
def test_each_wrong_value_is_refused_in_the_words_of_the_table(tmp_path, text, message):
    write_config(tmp_path, text)
    assert refusal(tmp_path).message == message


def test_every_problem_is_reported_the_first_one_leading(tmp_path):
    write_config(tmp_path, 'default_assignee = 3\n[operate]\nplaybooks = "sre"\n')
    error = refusal(tmp_path)
    assert error.message == "'default_assignee' must be a string, not 3"
    assert [p.message for p in error.problems] == ["'operate.playbooks' must be a list of playbook names, not 'sre'"]


def test_pyproject_settings_are_named_with_their_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.flowops]\ndefault_asignee = "@sara"\n', encoding="utf-8")
    error = refusal(tmp_path)
    assert (error.message, error.path) == ("unknown setting 'tool.flowops.default_asignee'", "pyproject.toml")


def test_a_valid_file_is_read_with_its_defaults(tmp_path):
    write_config(tmp_path, '[operate]\nplaybooks = ["sre", "mlops"]\n[git]\nhook_budget = 0.5\n')
    config = load_config(tmp_path)
    assert config.get("operate.playbooks") == ["sre", "mlops"] and config.get("git.hook_budget") == 0.5
    assert config.get("operate.assignee") == "@sre-agent"


def loads_jsonschema(root: Path) -> bool:
    code = ("import sys, pathlib; from flowops.config import load_config; load_config(pathlib.Path(sys.argv[1]));"
            "print('jsonschema' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True).stdout
    return out.strip() == "True"


def test_a_file_that_passed_is_not_validated_again_until_it_changes(tmp_path):
    write_config(tmp_path, "[git]\nhook_budget = 1\n")
    assert loads_jsonschema(tmp_path)  # the first read validates
    assert not loads_jsonschema(tmp_path)  # the next ones remember the verdict
    write_config(tmp_path, "[git]\nhook_budget = 100\n")
    assert "from 0.1 to 60" in refusal(tmp_path).message
