"""slo.rules (issue 13's judgement) is a check criteria can be bound to, registered like the other built-ins."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

SPECS = Path(__file__).resolve().parents[1] / "data" / "slo" / "specs"


def test_a_criterion_bound_to_slo_rules_fails_until_the_rules_are_generated_then_passes(flowops, repo, promtool):
    assert flowops("init").exit_code == 0
    shutil.copy(SPECS / "checkout.sloth.yml", repo / "checkout.sloth.yml")
    config = repo / ".flowops" / "config.toml"
    config.write_text(config.read_text() + '\n[slo]\nspecs = ["checkout.sloth.yml"]\noutput = "monitoring/slo-rules.yml"\n')
    assert flowops(["task", "create", "SLOs", "--ac", "Burn-rate rules are generated `verify: slo.rules`"]).exit_code == 0

    missing = flowops("ac verify 1 --json")
    assert missing.exit_code == 3
    (result,) = json.loads(missing.stdout)["results"]
    assert (result["check"], result["status"]) == ("slo.rules", "fail")
    assert result["evidence"][0]["path"] == "monitoring/slo-rules.yml"
    assert "does not exist" in result["evidence"][0]["message"]

    assert flowops("slo generate").exit_code == 0
    generated = flowops("ac verify 1 --json")
    assert generated.exit_code == 0, generated
    (result,) = json.loads(generated.stdout)["results"]
    assert result["status"] == "pass"
    assert any("promtool check rules" in e["message"] for e in result["evidence"])
