"""SLOs in the workflow, through the CLI: spec -> slo generate -> operate -> ac verify -> edit -> stale -> regenerate.

The repository (tests/data/slo/workflow) holds a Sloth spec with two SLOs, an OpenSLO v1
spec whose SLO takes its SLI by reference, and a hand-written alert file with a
warning/critical pair, as a service repository would.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest

from tests.support.runbooks import written

WORKFLOW = Path(__file__).resolve().parents[1] / "data" / "slo" / "workflow"
RULES = "monitoring/slo-rules.yml"
REGENERATE = f"flowops slo generate slo/catalog.openslo.yml slo/checkout.sloth.yml -o {RULES}"
SLO_ALERTS = ["CatalogAvailabilityBudgetBurn", "CheckoutAvailabilityBurn", "CheckoutLatencyBurn"]


@pytest.fixture
def shop(flowops, repo):
    """The service repository with a flowops project and a validated feature, TASK-1."""
    for item in WORKFLOW.iterdir():
        shutil.copytree(item, repo / item.name)
    assert flowops("init").exit_code == 0
    assert flowops("task create 'Checkout service' -l workflow:Validated").exit_code == 0
    return repo


def ops_task(flowops, key: str) -> dict:
    listing = json.loads(flowops("task list -p TASK-1 --json").stdout)
    return next(t for t in listing["tasks"] if f"ops:{key}" in t["labels"])


def verify(flowops, task_id: str) -> tuple[int, dict]:
    """``ac verify --json`` of one task: (exit code, {check: result})."""
    result = flowops(f"ac verify {task_id} --json")
    data = json.loads(result.stdout)
    return result.exit_code, {r["check"].split()[0]: r for r in data["results"] if r["check"]}


def runbook_urls(repo: Path) -> dict[str, str]:
    """Alert name -> runbook_url in the generated rules (both rules of a name must agree)."""
    import yaml

    urls: dict[str, str] = {}
    for group in yaml.safe_load((repo / RULES).read_text())["groups"]:
        for rule in group["rules"]:
            if "alert" in rule:
                assert urls.setdefault(rule["alert"], rule["annotations"]["runbook_url"]) == rule["annotations"]["runbook_url"]
    return urls


def test_the_whole_flow_spec_generate_operate_verify_edit_stale_regenerate(flowops, shop, promtool):
    generated = flowops(f"slo generate slo -o {RULES}")
    assert generated.exit_code == 0, generated
    assert "3 alerts without a runbook document yet" in generated.stderr
    assert set(runbook_urls(shop).values()) == {"backlog/docs/"}

    # operate: one runbook task and document per alert name, the SLO ones made from the specs.
    result = flowops("operate 1 --json")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    runbooks = {r["alert"]: r for r in data["runbooks"]}
    assert sorted(runbooks) == sorted(["CheckoutDatabasePoolExhausted", *SLO_ALERTS])
    assert all(r["task_created"] and r["created"] for r in runbooks.values())
    assert runbooks["CheckoutAvailabilityBurn"]["source"] == "slo/checkout.sloth.yml:9"
    assert runbooks["CheckoutAvailabilityBurn"]["severity"] == "page and ticket"
    assert runbooks["CatalogAvailabilityBudgetBurn"]["source"] == "slo/catalog.openslo.yml:45"
    assert data["slo"]["specs"] == ["slo/catalog.openslo.yml", "slo/checkout.sloth.yml"]
    assert data["slo"]["origin"] == "discovered"
    assert data["slo"]["rules"] == [{"path": RULES, "state": "updated", "command": REGENERATE, "alerts": SLO_ALERTS}]
    assert "SLO specs read: 3 SLOs, 3 alerts from slo/catalog.openslo.yml, slo/checkout.sloth.yml (discovered)" \
        in result.stderr
    assert f"{RULES} was generated from the SLO specs read: its alerts are taken from the specs" in result.stderr
    # The rules now link each alert to its own runbook document: no second run of generate needed.
    urls = runbook_urls(shop)
    assert {name: urls[name] for name in SLO_ALERTS} == {
        name: runbooks[name]["path"] for name in SLO_ALERTS}
    assert flowops("slo generate --check").exit_code == 0

    # The ops:slo task's machine-decidable criteria are bound to the SLO checks; they pass.
    slo_task = ops_task(flowops, "slo")
    texts = [c["text"] for c in json.loads(flowops(f"task view {slo_task['id']} --json").stdout)["task"]
             ["acceptanceCriteria"]]
    assert [t[t.index("`verify:"):] for t in texts if "`verify:" in t] == [
        "`verify: slo.specs`", "`verify: slo.rules`", "`verify: prom.alerts`", "`verify: ops.runbooks`"]
    _code, results = verify(flowops, slo_task["id"])
    assert results["slo.specs"]["status"] == "pass" and results["slo.rules"]["status"] == "pass"
    assert any("promtool check rules: " in e["message"] and "SUCCESS" in e["message"]
               for e in results["slo.rules"]["evidence"])
    assert [e["message"].split(":")[0] for e in results["slo.specs"]["evidence"]] == [
        "SLO catalog-availability", "SLO checkout-api-availability", "SLO checkout-api-latency"]

    # The specs change; the rules do not: the evidence names the stale file, its line and the command.
    spec = shop / "slo" / "checkout.sloth.yml"
    spec.write_text(spec.read_text().replace("objective: 99.9\n", "objective: 99.95\n"))
    code, results = verify(flowops, slo_task["id"])
    assert code == 3 and results["slo.rules"]["status"] == "fail"
    (evidence,) = [e for e in results["slo.rules"]["evidence"] if e["path"] == RULES]
    assert isinstance(evidence["line"], int)
    assert evidence["message"] == ("differs from what the SLO specs generate now (first in SLO "
                                   f"checkout-api-availability): run `{REGENERATE}`")
    # Running exactly what the evidence says makes it pass again.
    command = re.search(r"`(flowops [^`]+)`", evidence["message"]).group(1)
    assert flowops(shlex.split(command)[1:]).exit_code == 0
    code, results = verify(flowops, slo_task["id"])
    assert results["slo.rules"]["status"] == "pass" and results["slo.specs"]["status"] == "pass"
    assert "checkout-api-availability: 99.95% over 30 days" in results["slo.specs"]["evidence"][1]["message"]

    # Runbooks written for the SLO alerts are judged against the skeleton they were made from.
    for doc in json.loads(flowops("doc list --json").stdout)["documents"]:
        body = json.loads(flowops(f"doc view {doc['id']} --json").stdout)["document"]["body"]
        (shop / "filled.md").write_text(written(body))
        assert flowops(f"doc edit {doc['id']} --file filled.md").exit_code == 0
    code, results = verify(flowops, slo_task["id"])
    assert results["ops.runbooks"]["status"] == "pass", results["ops.runbooks"]
    assert results["ops.runbooks"]["summary"].startswith("4 alerts with a runbook task under TASK-1")

    # A second operate finds everything: nothing created, the rules current.
    again = json.loads(flowops("operate 1 --json").stdout)
    assert again["created"] == [] and [r["state"] for r in again["slo"]["rules"]] == ["current"]


def test_operate_before_generate_makes_the_runbooks_from_the_specs_and_says_what_to_run(flowops, shop):
    result = flowops("operate 1 --plain")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines()[0] == ("TASK-1 Checkout service [Validated] - playbooks: sre; 4 alerts (5 rules) "
                                             "from monitoring/alerts.yml and the SLO specs slo/catalog.openslo.yml, "
                                             "slo/checkout.sloth.yml")
    assert result.stdout.splitlines()[-1] == (f"SLO rules: none generated from the SLO specs yet: run `flowops slo "
                                              f"generate slo/catalog.openslo.yml slo/checkout.sloth.yml -o {RULES}` "
                                              "(any -o FILE will do)")
    assert not (shop / RULES).exists()  # operate never writes a rules file nobody generated
    slo_task = ops_task(flowops, "slo")
    code, results = verify(flowops, slo_task["id"])
    assert code == 3 and results["slo.rules"]["evidence"][0]["message"] == (
        "no rules file generated from the SLO specs (slo/catalog.openslo.yml, slo/checkout.sloth.yml): run "
        f"`{REGENERATE}` and commit the file")
    # Generated after operate, the rules link the documents at once.
    generated = flowops(REGENERATE.removeprefix("flowops "))
    assert generated.exit_code == 0 and "without a runbook document" not in generated.stderr
    assert all(url.startswith("backlog/docs/doc-") for url in runbook_urls(shop).values())
    assert verify(flowops, slo_task["id"])[1]["slo.rules"]["status"] == "pass"


@pytest.mark.parametrize("how", ["--alerts", "operate.alerts"])
def test_a_generated_rules_file_named_as_an_alert_file_does_not_make_a_second_set_of_runbooks(flowops, shop, how):
    assert flowops(f"slo generate slo -o {RULES}").exit_code == 0
    if how == "--alerts":
        result = flowops(f"operate 1 --alerts {RULES} --alerts monitoring/alerts.yml --json")
    else:
        config = shop / ".flowops" / "config.toml"
        config.write_text(config.read_text().replace("alerts = []", f'alerts = ["{RULES}", "monitoring/alerts.yml"]'))
        result = flowops("operate 1 --json")
    assert result.exit_code == 0, result
    data = json.loads(result.stdout)
    assert data["alert_files"] == ["monitoring/alerts.yml"]
    names = [r["alert"] for r in data["runbooks"]]
    assert sorted(names) == sorted(["CheckoutDatabasePoolExhausted", *SLO_ALERTS])  # one each
    runbook_tasks = [e for e in data["created"] if e["area"] == "runbook"]
    assert len(runbook_tasks) == 4 and len({e["key"] for e in runbook_tasks}) == 4
    assert f"{RULES} was generated from the SLO specs read" in result.stderr


def test_dry_run_says_the_rules_would_be_updated_and_writes_nothing(flowops, shop):
    assert flowops(f"slo generate slo -o {RULES}").exit_code == 0
    before = (shop / RULES).read_bytes()
    result = flowops("operate 1 --dry-run --plain")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines()[-1] == (
        f"SLO rules: would update {RULES}: the runbook_url of 3 alerts would name the new runbook document "
        f"({', '.join(SLO_ALERTS)})")
    assert (shop / RULES).read_bytes() == before
    assert not list((shop / "backlog" / "docs").glob("doc-*"))


def test_a_rules_file_the_specs_no_longer_generate_is_left_alone_with_the_command(flowops, shop):
    assert flowops(f"slo generate slo -o {RULES}").exit_code == 0
    spec = shop / "slo" / "catalog.openslo.yml"
    spec.write_text(spec.read_text().replace("target: 0.995", "target: 0.999"))
    before = (shop / RULES).read_bytes()
    result = flowops("operate 1 --plain")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines()[-1] == (f"SLO rules: {RULES} is not what the SLO specs generate now (they "
                                              f"changed): run `{REGENERATE}`")
    assert (shop / RULES).read_bytes() == before  # a file that differs in more than its links is not touched


def test_a_moved_runbook_document_makes_only_the_links_stale_and_operate_relinks_them(flowops, shop):
    assert flowops(f"slo generate slo -o {RULES}").exit_code == 0
    assert flowops("operate 1").exit_code == 0
    docs = shop / "backlog" / "docs"
    moved = next(docs.glob("doc-* - Runbook-CheckoutLatencyBurn.md"))
    (docs / "runbooks").mkdir()
    moved.rename(docs / "runbooks" / moved.name)
    check = flowops("slo generate --check")
    assert check.exit_code == 1
    assert ("only its runbook_url links differ: a runbook document was created or renamed since" in check.stderr)
    slo_task = ops_task(flowops, "slo")
    message = verify(flowops, slo_task["id"])[1]["slo.rules"]["evidence"][0]["message"]
    assert message.startswith("only its runbook_url links differ: a runbook document was created or renamed since it "
                              "was generated: run `flowops slo generate ")
    relinked = flowops("operate 1 --plain")
    assert relinked.stdout.splitlines()[-1] == (
        f"SLO rules: updated {RULES}: the runbook_url of 1 alert now names the runbook document (CheckoutLatencyBurn); "
        "commit it with the backlog")
    assert runbook_urls(shop)["CheckoutLatencyBurn"] == f"backlog/docs/runbooks/{moved.name}"
    assert flowops("slo generate --check").exit_code == 0


def test_configured_specs_and_output_are_used_and_named(flowops, shop):
    config = shop / ".flowops" / "config.toml"
    config.write_text(config.read_text() + f'\n[slo]\nspecs = ["slo"]\noutput = "{RULES}"\nseverity = "critical-warning"\n')
    assert flowops("slo generate").exit_code == 0
    result = flowops("operate 1 --json")
    assert result.exit_code == 0, result
    assert "SLO specs read: 3 SLOs, 3 alerts from slo/catalog.openslo.yml, slo/checkout.sloth.yml (slo.specs)" \
        in result.stderr
    data = json.loads(result.stdout)
    assert {r["alert"]: r["severity"] for r in data["runbooks"]}["CheckoutLatencyBurn"] == "critical and warning"
    assert data["slo"]["rules"][0]["state"] == "updated"
    assert verify(flowops, ops_task(flowops, "slo")["id"])[1]["slo.rules"]["status"] == "pass"


def test_invalid_configured_specs_stop_operate_before_anything_is_written(flowops, shop):
    config = shop / ".flowops" / "config.toml"
    config.write_text(config.read_text() + '\n[slo]\nspecs = ["slo"]\n')
    spec = shop / "slo" / "checkout.sloth.yml"
    spec.write_text(spec.read_text().replace("objective: 99\n", "objective: 100\n"))
    result = flowops("operate 1")
    assert result.exit_code == 2, result
    assert "slo/checkout.sloth.yml:32, field 'slos[1].objective': objective 100 is outside 0-100" in result.stderr
    assert not list((shop / "backlog" / "tasks").glob("task-1.*"))


def test_an_invalid_discovered_spec_is_a_warning_and_its_other_slos_still_get_runbooks(flowops, shop):
    spec = shop / "slo" / "checkout.sloth.yml"
    spec.write_text(spec.read_text().replace("objective: 99\n", "objective: 100\n"))
    result = flowops("operate 1 --json")
    assert result.exit_code == 0, result
    assert ("warning: slo/checkout.sloth.yml:32: not read for SLOs: slos[1].objective: objective 100 is outside 0-100"
            in result.stderr)
    names = sorted(r["alert"] for r in json.loads(result.stdout)["runbooks"])
    assert names == ["CatalogAvailabilityBudgetBurn", "CheckoutAvailabilityBurn", "CheckoutDatabasePoolExhausted"]


def test_an_ops_slo_task_made_before_the_specs_gets_a_note_with_the_edit_that_binds_it(flowops, shop):
    shutil.move(shop / "slo", shop.parent / "later")
    assert flowops("operate 1").exit_code == 0
    slo_task = ops_task(flowops, "slo")
    shutil.move(shop.parent / "later", shop / "slo")
    result = flowops("operate 1")
    assert result.exit_code == 0, result
    notes = [line for line in result.stderr.splitlines() if "has no criterion bound to `verify: slo." in line]
    assert [n.split("`verify: ")[1].split("`")[0] for n in notes] == ["slo.specs", "slo.rules"]
    # The note's command adds the bound criterion as it is (Backlog.md keeps the span).
    command = notes[1].split("add it: ", 1)[1]
    assert command.startswith(f"flowops task edit {slo_task['id']} --ac '")
    assert flowops(shlex.split(command)[1:]).exit_code == 0
    code, results = verify(flowops, slo_task["id"])
    assert results["slo.rules"]["status"] == "fail"  # bound now; no rules generated yet
    assert "slo.rules" not in flowops("operate 1").stderr.split("has no criterion bound")[-1]


def test_bindings_to_the_slo_checks_are_checked_before_they_are_written(flowops, shop):
    assert flowops("task create Probe --ac 'Rules are generated'").exit_code == 0
    bad = flowops("ac bind 2 1 -- slo.rules --colour red")
    assert bad.exit_code == 2 and "unknown option --colour" in bad.stderr
    assert flowops("ac bind 2 1 -- slo.specs -o rules.yml").exit_code == 2
    assert flowops("ac bind 2 1 -- slo.rules /etc/spec.yml").exit_code == 2
    good = flowops(f"ac bind 2 1 -- slo.rules -o {RULES} slo/checkout.sloth.yml")
    assert good.exit_code == 0, good


def test_without_promtool_slo_rules_still_judges_the_file_and_says_promtool_was_skipped(flowops, shop, monkeypatch):
    assert flowops(f"slo generate slo -o {RULES}").exit_code == 0
    assert flowops("operate 1").exit_code == 0
    monkeypatch.setattr("flowops.checks.model.CheckContext.which", lambda self, program: None)
    result = verify(flowops, ops_task(flowops, "slo")["id"])[1]["slo.rules"]
    assert result["status"] == "pass"
    assert result["summary"] == ("1 generated rules file current for the SLO specs (promtool not on PATH: "
                                 "`promtool check rules` skipped)")
    assert result["evidence"][-1]["message"] == "promtool is not on PATH: `promtool check rules` was not run"


def test_a_rules_path_that_is_not_a_file_is_never_read_or_replaced(flowops, shop):
    import os

    (shop / "monitoring" / "slo.fifo").parent.mkdir(exist_ok=True)
    os.mkfifo(shop / "monitoring" / "slo.fifo")  # reading it would block operate forever
    config = shop / ".flowops" / "config.toml"
    config.write_text(config.read_text() + '\n[slo]\noutput = "monitoring/slo.fifo"\n')
    result = flowops("operate 1 --plain")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines()[-1] == ("SLO rules: monitoring/slo.fifo is not a regular file (a link, a FIFO): it "
                                              "was neither read nor replaced")


def test_slo_generate_without_an_output_regenerates_the_files_made_from_those_specs(flowops, shop):
    none_yet = flowops("slo generate slo/checkout.sloth.yml")
    assert none_yet.exit_code == 2
    assert ("no output file given, and no rules file generated from the SLO specs (slo/checkout.sloth.yml) was found"
            in none_yet.stderr)
    assert "pass -o FILE, for example `flowops slo generate slo/checkout.sloth.yml -o monitoring/slo-rules.yml`" \
        in none_yet.stderr
    assert flowops("slo generate --default-period 28d slo/checkout.sloth.yml -o monitoring/checkout.rules.yml").exit_code == 0
    assert flowops("slo generate slo/catalog.openslo.yml -o monitoring/catalog.rules.yml").exit_code == 0
    spec = shop / "slo" / "checkout.sloth.yml"
    spec.write_text(spec.read_text().replace("objective: 99\n", "objective: 99.5\n"))
    check = flowops("slo generate --check")
    assert check.exit_code == 1
    assert ("error: monitoring/checkout.rules.yml is not what the SLO specs generate (first difference at line"
            in check.stderr)
    assert "hint: run `flowops slo generate --default-period 4w slo/checkout.sloth.yml -o monitoring/checkout.rules.yml`" \
        in check.stderr
    # Naming the spec is enough: the file made from it is regenerated with its own header's options.
    again = flowops("slo generate slo/checkout.sloth.yml")
    assert again.exit_code == 0 and again.stdout == ("Wrote monitoring/checkout.rules.yml: 2 SLOs, 2 alerts "
                                                     "(CheckoutAvailabilityBurn, CheckoutLatencyBurn).\n")
    assert "sloth_window: 4w" in (shop / "monitoring" / "checkout.rules.yml").read_text()
    assert flowops("slo generate --check").exit_code == 0
