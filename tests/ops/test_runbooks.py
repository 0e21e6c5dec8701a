import re

import pytest

from flowops.ops.alerts import parse_alerts, read_alerts
from flowops.ops.playbook import item_problems
from flowops.ops.runbooks import (
    PLACEHOLDER,
    SECTIONS,
    document_key,
    render_runbook_document,
    runbook_document_title,
    runbook_task_spec,
    unfilled_sections,
)


@pytest.fixture
def error_rate(alerts_dir):
    return read_alerts(alerts_dir / "prometheus_rules.yml", "monitoring/rules.yml")[0]


FILLED = {
    "Symptoms": "Checkout returns HTTP 503 to about 1 in 20 shoppers; the 'Checkout' dashboard shows the 5xx panel in red.",
    "Diagnosis": ("1. `kubectl -n shop get pods -l app=checkout` shows crash loops?\n"
                  "2. `kubectl -n shop logs deploy/checkout --since=15m | grep ERROR`"),
    "Resolution": "- Payment provider timeouts: raise `PAYMENT_TIMEOUT` to 5s in k8s/checkout/config.yaml.",
    "Rollback": "`helm rollback checkout` then watch the 5xx panel for 10 minutes.",
    "Escalation": "Page #payments-oncall; after 30 minutes escalate to the payments lead.",
}


def fill(body: str, sections=SECTIONS) -> str:
    """Replace the skeleton of ``sections`` the way a person would: the whole section body."""
    for section in sections:
        body = re.sub(
            rf"(## {section}\n\n)(.*?)(?=\n## |\Z)",
            lambda m, s=section: m.group(1) + FILLED[s] + "\n",
            body,
            flags=re.S,
        )
    return body


def test_the_task_spec_is_keyed_by_the_alert_and_names_alert_and_document(error_rate):
    item = runbook_task_spec(error_rate)
    assert (item.key, item.label, item.area) == ("runbook:high-error-rate", "ops:runbook:high-error-rate", "runbook")
    assert item.render_title("Checkout", "TASK-7") == "Runbook: HighErrorRate response"
    assert "HighErrorRate" in item.description and "monitoring/rules.yml:7" in item.description
    assert "'Runbook: HighErrorRate'" in item.description and "backlog/docs/" in item.description
    assert item_problems(item) == []


def test_the_task_criteria_cover_triage_causes_rollback_and_escalation_for_this_alert(error_rate):
    criteria = runbook_task_spec(error_rate).criteria
    topics = ["triage steps", "common causes", "restores the last known-good release", "Escalation", PLACEHOLDER]
    for topic, criterion in zip(topics, criteria, strict=True):
        assert topic in criterion
    assert all("HighErrorRate" in criterion for criterion in criteria)
    assert "severity critical" in criteria[3]


def test_a_title_with_braces_in_the_alert_name_still_renders():
    [alert] = parse_alerts("cost:\n  - name: 'Spend {daily} high'\n    condition: spend > 10\n", "a.yml")
    item = runbook_task_spec(alert)
    assert item_problems(item) == []
    assert item.render_title("F", "TASK-1") == "Runbook: Spend {daily} high response"


def test_the_document_holds_every_fact_the_alert_file_gives(error_rate):
    body = render_runbook_document(error_rate, "TASK-12", "Checkout service")
    assert body.startswith("# Runbook: HighErrorRate\n")
    for fact in (
        "| Severity | critical |",
        "| Fires after | 5m of the condition holding |",
        "| Summary | More than 1% of checkout requests fail |",
        "| Group | checkout-availability |",
        "| Defined in | `monitoring/rules.yml:7` (groups[0].rules[1]) |",
        "| Runbook URL | https://runbooks.example.com/checkout/high-error-rate.md#triage |",
        "| Feature | TASK-12 Checkout service |",
    ):
        assert fact in body
    # the pipe of the Go template must not split the table cell
    assert "{{ $value \\| humanizePercentage }}" in body
    assert error_rate.expr.splitlines()[0] in body
    for section in SECTIONS:
        assert f"\n## {section}\n" in body


def test_the_diagnosis_starts_from_the_alert_expression(error_rate):
    body = render_runbook_document(error_rate, "TASK-12", "Checkout")
    diagnosis = body.split("## Diagnosis\n", 1)[1].split("\n## ", 1)[0]
    assert "1. Confirm the alert" in diagnosis and "   sum(rate(http_requests_total" in diagnosis
    assert "2. " + PLACEHOLDER in diagnosis


def test_facts_the_alert_file_lacks_are_left_out():
    [alert] = parse_alerts("rag:\n  - name: Empty Retrieval\n", "a.yml")
    body = render_runbook_document(alert, "TASK-3", "Assistant")
    assert "| Severity |" not in body and "| Runbook URL |" not in body
    assert "(no expression in the alert file)" in body
    assert "1. " + PLACEHOLDER in body
    assert unfilled_sections(body) == list(SECTIONS)


def test_an_expression_with_backticks_gets_a_longer_fence():
    [alert] = parse_alerts("cost:\n  - name: Odd\n    condition: 'a ``` b'\n", "a.yml")
    body = render_runbook_document(alert, "TASK-1", "F")
    assert "````\na ``` b\n````" in body


def test_a_fresh_document_has_every_section_unfilled(error_rate):
    body = render_runbook_document(error_rate, "TASK-12", "Checkout")
    assert unfilled_sections(body) == ["Symptoms", "Diagnosis", "Resolution", "Rollback", "Escalation"]


def test_a_filled_document_has_no_unfilled_section(error_rate):
    body = fill(render_runbook_document(error_rate, "TASK-12", "Checkout"))
    assert PLACEHOLDER not in body  # the task's last criterion: 0 markers in the whole document
    assert unfilled_sections(body) == []


def test_only_the_sections_still_skeleton_are_listed(error_rate):
    body = fill(render_runbook_document(error_rate, "TASK-12", "Checkout"), ["Symptoms", "Resolution", "Escalation"])
    assert unfilled_sections(body) == ["Diagnosis", "Rollback"]


def test_one_placeholder_left_keeps_the_section_unfilled(error_rate):
    body = fill(render_runbook_document(error_rate, "TASK-12", "Checkout"))
    body = body.replace(FILLED["Rollback"], FILLED["Rollback"] + f"\n- {PLACEHOLDER}: who to tell")
    assert unfilled_sections(body) == ["Rollback"]


def test_a_deleted_section_counts_as_unfilled(error_rate):
    body = fill(render_runbook_document(error_rate, "TASK-12", "Checkout"))
    without = re.sub(r"## Escalation\n.*\Z", "", body, flags=re.S)
    assert "Escalation" not in without.split("## Alert", 1)[1]
    assert unfilled_sections(without) == ["Escalation"]


def test_a_section_with_only_a_comment_counts_as_unfilled():
    body = "\n\n".join(f"## {s}\n\n{FILLED[s]}" for s in SECTIONS)
    body = body.replace(FILLED["Symptoms"], "<!-- write this\n later -->\n\n")
    assert unfilled_sections(body) == ["Symptoms"]


def test_heading_wording_and_level_may_vary_and_subheadings_belong_to_the_section():
    body = (
        "# Runbook\n\n### symptoms seen\n\nUsers get 503.\n\n## Diagnosis (step by step)\n\n### Step 1\n\n`kubectl get pods`\n\n"
        "## Resolution\nRestart with `kubectl rollout restart deploy/api`.\n## Rollback procedure ##\n`helm rollback api`\n"
        "## Escalation path\nAfter 30 minutes page the lead.\n"
    )
    assert unfilled_sections(body) == []


def test_a_later_heading_of_another_name_ends_the_section():
    body = "\n".join(f"## {s}\n\n{FILLED[s]}\n" for s in SECTIONS[:-1]) + "\n## Escalation\n\n## Notes\n\nCall Bob.\n"
    assert unfilled_sections(body) == ["Escalation"]


def test_headings_inside_code_blocks_do_not_count():
    body = "\n".join(f"## {s}\n\n{FILLED[s]}\n" for s in SECTIONS if s != "Rollback")
    body += "\n```markdown\n## Rollback\n\nnot real\n```\n"
    assert unfilled_sections(body) == ["Rollback"]


def test_a_placeholder_inside_a_code_block_of_a_section_still_counts():
    body = "\n".join(f"## {s}\n\n{FILLED[s]}\n" for s in SECTIONS)
    body = body.replace(FILLED["Resolution"], f"```sh\n# {PLACEHOLDER}\n```")
    assert unfilled_sections(body) == ["Resolution"]


def test_an_empty_body_has_every_section_missing():
    assert unfilled_sections("") == list(SECTIONS)


def test_the_document_carries_the_alert_key_for_later_runs(error_rate):
    body = render_runbook_document(error_rate, "TASK-12", "Checkout")
    assert document_key(body) == "ops:runbook:high-error-rate" == error_rate.label
    assert document_key(fill(body)) == error_rate.label
    assert document_key("# Some other doc\n") is None


def test_the_document_title_is_the_alert_name_not_the_runbook_url_anchor(error_rate):
    assert runbook_document_title(error_rate) == "Runbook: HighErrorRate"
