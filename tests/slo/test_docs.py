"""docs/slo.md shows what the code does: its specs are valid, its tables and outputs are real."""

from __future__ import annotations

import json
import re
from pathlib import Path

from flowops.slo.budget import budget, lines, report
from flowops.slo.model import DAY, POLICY, format_duration, format_short
from flowops.slo.specs import read_specs
from tests.slo.conftest import write

PAGE = Path(__file__).resolve().parent.parent.parent / "docs" / "slo.md"


def _blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)


def _examples(root):
    sloth, openslo = _blocks("yaml")
    return write(root, "slo/checkout.yml", sloth), write(root, "slo/catalog.yml", openslo)


def test_the_two_example_specs_are_valid_sloth_and_openslo(tmp_path):
    found = read_specs(_examples(tmp_path), root=tmp_path)
    assert found.problems == []
    assert [(s.spec, s.id, s.period // DAY) for s in found.slos] == [
        ("openslo/v1", "catalog-availability", 28), ("prometheus/v1", "checkout-requests-availability", 30)]


def test_the_alert_table_is_the_policy_for_30_and_28_days():
    text = PAGE.read_text(encoding="utf-8")
    for burn in POLICY:
        row = (f"| {burn.tier} | {format_short(burn.share * 100)}% | {format_duration(burn.long)} | "
               f"{format_duration(burn.short)} | {format_short(burn.factor(30 * DAY))} | "
               f"{format_short(burn.factor(28 * DAY))} |")
        assert row in text


def test_the_budget_outputs_are_what_the_command_prints(tmp_path):
    checkout, _catalog = _examples(tmp_path)
    slo = read_specs([checkout], root=tmp_path).slos[0]
    console = next(block for block in _blocks("console") if "flowops slo budget" in block)
    assert console.splitlines()[1:] == lines(budget(slo))
    assert json.loads(_blocks("json")[0]) == report([slo])


def test_the_validation_example_is_what_validate_finds(tmp_path):
    checkout, _catalog = _examples(tmp_path)
    checkout.write_text(checkout.read_text().replace('code=~"5.."}[{{.window}}]', 'code=~"5.."}[5m]'))
    [problem] = read_specs([checkout], root=tmp_path).problems
    console = next(block for block in _blocks("console") if "flowops slo validate" in block)
    assert f"error: {problem}" in console.splitlines()


def test_the_operate_example_is_what_operate_prints_for_the_two_example_specs(flowops, repo):
    _examples(repo)
    assert flowops("init").exit_code == 0
    assert flowops("task create Checkout -l workflow:Validated").exit_code == 0
    assert flowops("slo generate slo -o monitoring/slo-rules.yml").exit_code == 0
    printed = flowops("operate 1 --plain").stdout.splitlines()
    console = next(block for block in _blocks("console") if "$ flowops operate 1" in block)
    assert console.splitlines()[-1] == printed[-1]
