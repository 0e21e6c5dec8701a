"""The built-in criteria rules answer exactly as their plain definition: every pattern, every element listed.

``lint_criterion`` takes shortcuts (one search for "any element", a word search before the
vague patterns, the element list only when it decides); ``plain_lint`` below is the rule as
first written. They must agree on every text, findings and order alike.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from flowops.builtin import criteria_lint
from flowops.builtin.criteria_lint import _PLACEHOLDER, _no_measurable, _vague, lint_criterion, measurable_elements
from tests.acceptance.test_lint_calibration import BAD, GOOD, SEED_BAD, SEED_GOOD


def plain_lint(text):
    """lint_criterion as first written (before the shortcuts)."""
    if _PLACEHOLDER.search(text.strip()):
        return lint_criterion(text)  # the placeholder branch is unchanged
    elements = measurable_elements(text)
    findings = []
    if not elements:
        findings.append(_no_measurable(text))
    concrete = any(is_concrete for _kind, is_concrete, _text in elements)
    found = _vague(text)
    if found is not None:
        vague, judgement = found
        anchored = len(elements) >= 2 or (concrete and not judgement)
        if not anchored:
            findings.append(vague)
    return findings


def _words(pattern: str) -> list[str]:
    """The plain words and phrases of an alternation (``optimi[sz]ed`` -> both spellings)."""
    words = []
    for part in re.split(r"[|()?:]+", pattern):
        part = part.replace("\\b", "").replace("\\s+", " ").strip("\\ ")
        if "[sz]" in part:
            words += [part.replace("[sz]", "s"), part.replace("[sz]", "z")]
        elif "[ey]" in part:
            words += [part.replace("[ey]", "e"), part.replace("[ey]", "y")]
        elif part and re.fullmatch(r"[\w .'-]+", part):
            words.append(part.replace(" ?", " "))
    return words


VAGUE_WORDS = sorted({w for pattern, _fix in criteria_lint._VAGUE for w in _words(pattern.pattern)} | set(_words(criteria_lint._STATES))
                     | {"exist", "set up", "best practice", "etc", "etc.", "seamlessly"})
BE = ["is", "are", "be", "been", "being", "get", "gets", "got", "was", "were", "Is", "ARE", "iſ"]  # "ſ" folds onto "s"
ELEMENTS = ["300 ms", "p95", "`make check`", "k8s/pdb.yaml", "k8s/", "./run.sh", "/healthz", "https://x.io/a", "kubectl apply -f",
            "--strict", "http_requests_total", "minAvailable", "resources.limits.cpu", "'API overview'", "\u201cquoted\u201d",
            "two", "PagerDuty", "SBOM", "covers: a, b, c", "p50/p95/p99", "K8S/Pdb.Yaml", "ＰＤＢ", "\u212aubectl apply"]
GLUE = ["", " ", "  ", "\t", "\n", ".", ". ", ";", ",", "-", "/", "(", ")", "'", '"', "the", "alerts", "monitoring", "properly",
        "all", "set", "up", "setup", "configure", "ok", "é", "ſet up", "\u00a0", "TBD", "?"]
TEXTS = st.lists(st.sampled_from(VAGUE_WORDS + BE + ELEMENTS + GLUE), max_size=10).map(" ".join) | st.text(max_size=40)


def _as_data(findings):
    return [(f.rule, f.message, f.suggestion) for f in findings]


@settings(max_examples=600, deadline=None)
@given(TEXTS)
@example("Deployment iſ automated")
@example("Monitoring is ſet up")
@example("Monitoring is set up for 2 services")
@example("Make sure k8s/deployment.yaml is correct")
@example("Runbook exists")
@example("`k8s/pdb.yaml` exists")
def test_the_rules_answer_as_their_plain_definition(text):
    assert _as_data(lint_criterion(text)) == _as_data(plain_lint(text))


def test_the_calibration_and_playbook_criteria_get_the_plain_findings():
    from flowops.builtin import mlops_playbook, sre_playbook

    texts = SEED_GOOD + SEED_BAD + GOOD + BAD
    for module in (sre_playbook, mlops_playbook):
        texts += re.findall(r'"([^"\n]{8,})"', Path(module.__file__).read_text(encoding="utf-8"))
    assert len(texts) > 100
    for text in texts:
        assert _as_data(lint_criterion(text)) == _as_data(plain_lint(text)), text


def test_every_vague_word_is_tried_and_a_folded_letter_is_not_missed():
    # The word search runs on lower-cased ASCII only: "iſ" (long s) still matches "is".
    assert [f.rule for f in lint_criterion("Deployment iſ automated")] == ["no-measurable-element", "vague-predicate"]
    for text in ("Monitoring is ſet up", "Logging wor\u212as"):  # the vague word itself holds the folded letter
        assert [f.rule for f in lint_criterion(text)] == ["no-measurable-element", "vague-predicate"], text
    assert len(VAGUE_WORDS) > 80
    for word in VAGUE_WORDS:
        for text in (f"the thing is {word}", f"It {word}", f"{word.upper()}; it is {word} properly"):
            assert _as_data(lint_criterion(text)) == _as_data(plain_lint(text)), text
    assert json.dumps(VAGUE_WORDS)  # plain strings
