"""Built-in acceptance-criteria rules: a criterion must say what a reviewer can check.

Two rules, and how they combine:

- ``no-measurable-element``: the criterion holds nothing that can be measured or
  pointed at: no number (which covers thresholds, durations and percentages), no
  percentile, file path, URL or endpoint, no command or code, no identifier (metric
  or setting name), quoted name, well-known artifact (SBOM, PagerDuty, Grafana, ...)
  or enumerated checklist ("covers: a, b, c").
- ``vague-predicate``: the criterion leans on a phrase that says the work happened
  rather than what can be observed ("is set up", "exists", "is automated", "works",
  "is configured", "is done", "properly", "best practices", ...). Such a phrase is
  forgiven when the criterion is anchored anyway: by one concrete element (a file
  path, URL, command, code, setting or metric identifier, or a quoted name) or by at
  least two measurable elements ("alerts are configured to fire above 1% for 5
  minutes"). One number alone does not anchor it: "monitoring is set up for 2
  services" is still vague.

A criterion passes when neither rule fires. "Runbook exists" gets both findings;
"``k8s/pdb.yaml`` exists" gets none.

Two refinements:

- A *judgement* ("is correct", "properly", "best practices", "as expected") is forgiven
  only by two measurable elements, never by one concrete element: naming the file does
  not say what makes it correct ("Make sure k8s/deployment.yaml is correct" is flagged,
  "responses are correct for all 12 cases in tests/api_cases.json" is not).
- ``placeholder``: a criterion that is only a placeholder ("TBD", "TODO", "?", "n/a")
  gets that one finding, with a suggestion to write the criterion, not an example from
  an unrelated topic.

Suggestions fit the criterion's topic (alerts, runbooks, tests, latency, ...); one with
no recognisable topic gets a general one rather than another topic's example.
"""

from __future__ import annotations

import re

from flowops.acceptance.lint import Finding
from flowops.hookspecs import hookimpl


class _Lazy:
    """A regular expression compiled on first use.

    Every command that builds the plugin manager imports this module, ``flowops hooks
    emit`` from a git hook included; compiling the ~40 patterns below at import cost
    those commands several milliseconds for a lint they never run.
    """

    __slots__ = ("pattern", "flags", "_compiled")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled: re.Pattern[str] | None = None

    def _regex(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return self._compiled

    def search(self, text: str) -> re.Match[str] | None:
        return self._regex().search(text)

    def finditer(self, text: str):
        return self._regex().finditer(text)

# --- what counts as measurable -------------------------------------------------------

_FILE_EXTENSIONS = (
    "ya?ml|json|jsonl|md|toml|tf|tfvars|hcl|py|sh|txt|cfg|ini|conf|lock|xml|sql|csv|npy|parquet|pkl|onnx|env|tpl|j2|rules"
)
# Tools written in lower case and followed by a subcommand or flag read as a command.
_TOOLS = (
    "terraform|kubectl|helm|docker|podman|pytest|promtool|amtool|trivy|grype|syft|cosign|kustomize|argocd|curl|wget|jq|"
    "psql|kubeconform|kubeval|conftest|checkov|tfsec|gitleaks|hadolint|semgrep|bandit|k6|locust|gh|gcloud|"
    "ansible-playbook|systemctl|journalctl|redis-cli|npm|pip|uv|poetry|tox|nox|cargo|dotnet|mvn|gradle|skaffold|"
    "velero|sops|opa|flowops|backlog|git|make"
)
# Prose words after a tool name ("make sure", "the backlog is", "helm chart") are not subcommands.
_NOT_SUBCOMMANDS = (
    "sure|it|its|the|a|an|this|that|them|sense|use|up|room|way|is|are|was|were|be|and|or|to|in|of|for|with|on|at|by|"
    "from|as|has|have|should|must|will|can|chart|charts|image|images"
)
# Named artifacts and tools a reviewer can look up; measurable, but not precise enough
# alone to forgive a vague predicate ("SBOM exists").
_ARTIFACTS = (
    r"sbom|cyclonedx|spdx|slsa|prometheus|grafana|alertmanager|pagerduty|opsgenie|slack|opentelemetry|otel|jaeger|"
    r"loki|elasticsearch|kibana|datadog|sentry|cloudwatch|trivy|grype|snyk|dependabot|renovate|cosign|sigstore|"
    r"argo ?cd|helm chart|hpa|pdb|kolmogorov-smirnov|ks test|chi-squared|mmd|maximum mean discrepancy|mlflow|"
    r"traceparent|canary|blue-green|sha256|dockerfile|makefile|jenkinsfile|containerfile"
)

_CODE = _Lazy(r"`[^`]+`")
_DIGITS = _Lazy(r"(?<![A-Za-z_])\d+(?:[.,]\d+)*")

_MEASURABLE: list[tuple[str, bool, _Lazy]] = [
    # (kind, concrete?, pattern)
    ("code", True, _CODE),
    ("url", True, _Lazy(r"\bhttps?://\S+")),
    ("path", True, _Lazy(rf"(?<![\w/])(?:[\w.-]+/)*[\w-]+\.(?:{_FILE_EXTENSIONS})\b")),
    # Two or more slashes read as a path, except a run of percentiles ("p50/p95/p99").
    ("path", True, _Lazy(r"(?<![\w/.])(?!(?:[pP]\d+/)+[pP]\d+\b)(?:~|\.{1,2})?/?(?:[\w.-]+/){2,}[\w.-]*")),
    ("path", True, _Lazy(r"(?<![\w/])(?:\.[\w-]+|[\w-]+)/(?=\s|$|[,;)])")),  # a folder: k8s/, .github/
    ("path", True, _Lazy(r"(?<![\w/])(?:\.{1,2}|~)/[\w.-]+")),
    ("endpoint", True, _Lazy(r"(?<![\w/])/[a-z][\w.-]*(?:/[\w.-]+)*")),
    ("command", True, _Lazy(rf"(?<![\w-])(?:{_TOOLS})\s+(?!(?:{_NOT_SUBCOMMANDS})\b)(?:-{{1,2}}[a-z]|[a-z])[\w.:/-]*")),
    ("command", True, _Lazy(r"(?<![\w-])--[a-z][\w-]+")),
    ("identifier", True, _Lazy(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")),  # http_requests_total
    ("identifier", True, _Lazy(r"\b[a-z]+(?:[A-Z][a-z0-9]+)+\b")),  # minAvailable
    ("identifier", True, _Lazy(r"\b[a-z]\w*(?:\.[a-z]\w*){2,}\b")),  # resources.limits.cpu
    ("quoted-name", True, _Lazy(r"\"[^\"]{2,}\"|“[^”]{2,}”|‘[^’]{2,}’|(?<!\w)'[^']{2,}'(?!\w)")),
    ("number", False, _DIGITS),
    ("percentile", False, _Lazy(r"\b[pP]\d{2,3}(?:\.\d+)?\b")),
    (
        "number",
        False,
        _Lazy(r"\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twice|double)\b", re.I),
    ),
    ("artifact", False, _Lazy(r"\b[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)+\b")),  # PodDisruptionBudget, PagerDuty
    ("artifact", False, _Lazy(rf"\b(?:{_ARTIFACTS})\b", re.I)),
    ("enumeration", False, _Lazy(r":\s*[^,;:]+(?:,\s*[^,;:]+){2,}")),
]


def measurable_elements(text: str) -> list[tuple[str, bool, str]]:
    """The measurable elements of ``text`` as (kind, concrete, matched text), in text order."""
    matches = sorted(
        (match.start(), match.end(), kind, concrete)
        for kind, concrete, pattern in _MEASURABLE
        for match in pattern.finditer(text)
    )
    # Overlapping readings of one stretch of text ("`kubectl get pods`" is code and a
    # command) count once, as the most concrete of them.
    merged: list[list] = []
    for start, end, kind, concrete in matches:
        if merged and start < merged[-1][1]:
            last = merged[-1]
            last[1] = max(last[1], end)
            if concrete and not last[3]:
                last[2], last[3] = kind, True
        else:
            merged.append([start, end, kind, concrete])
    return [(kind, concrete, text[start:end]) for start, end, kind, concrete in merged]


# --- what counts as vague --------------------------------------------------------------

_BE = r"(?:is|are|be|been|being|get|gets|got|was|were)"
_SOFTENER = r"(?:\s+(?:properly|correctly|fully|successfully|securely|automatically|well|all|also|now|already))?"
_STATES = (
    r"set ?up|in place|configured|automated|done|implemented|enabled|ready|handled|working|established|supported|"
    r"functional|operational|complete|completed|finished|defined|documented|created|added|tested|verified|reviewed|"
    r"monitored|tracked|considered|addressed|covered|integrated|deployed|available|present|secure|secured|"
    r"optimi[sz]ed|improved|fine|ok|okay|sufficient|adequate|appropriate|correct|proper|healthy|taken care of|"
    r"managed|maintained|updated|accessible|in use"
)

_JUDGEMENT_FIX = (
    "replace the judgement with a rule a reviewer can apply: a threshold, a limit, a list of cases, or a command and its result"
)

# (pattern, how to fix it). The first pattern that matches names the phrase in the message.
# The last one's phrases are judgements, forgiven only by two measurable elements (module docstring).
_VAGUE: list[tuple[_Lazy, str]] = [
    (
        _Lazy(rf"\b{_BE}{_SOFTENER}\s+(?:automated)\b", re.I),
        "name the job or trigger that runs it unattended and what it produces (e.g. 'the deploy job runs on every "
        "tag and promotes the image by digest')",
    ),
    (
        _Lazy(
            rf"\b{_BE}{_SOFTENER}\s+(?:set ?up|configured|enabled|implemented|integrated|established|deployed|in place|in use)\b",
            re.I,
        ),
        "name the file or setting and its value, or the command whose output shows it (e.g. 'k8s/hpa.yaml sets "
        "minReplicas: 2')",
    ),
    (
        _Lazy(r"(?:^|[.;]\s*)(?:set ?up|setup|configure)\b", re.I),
        "describe the end state instead of the activity: which file, setting or command proves it is in effect",
    ),
    (
        _Lazy(rf"\b(?:exists?|{_BE}{_SOFTENER}\s+(?:present|available|created|added))\b", re.I),
        "say where it is and what it must contain: a path or resource name and the items it must hold",
    ),
    (
        _Lazy(
            rf"\b(?:works|{_BE}{_SOFTENER}\s+"
            r"(?:working|done|functional|operational|ready|healthy|complete|completed|finished|fine|ok|okay))\b",
            re.I,
        ),
        "state the check and its expected result: the command to run and the exit code, response or latency it must give",
    ),
    (
        _Lazy(rf"\b{_BE}{_SOFTENER}\s+(?:tested|verified|reviewed|monitored|tracked|maintained|updated)\b", re.I),
        "name the test, command or metric and its pass condition (e.g. 'restore drill completes in under 30 minutes')",
    ),
    (
        _Lazy(rf"\b{_BE}{_SOFTENER}\s+(?:defined|documented|covered)\b", re.I),
        "name the document and list the items it must contain (e.g. 'docs/slo.md states the target, window and budget policy')",
    ),
    (
        _Lazy(
            rf"\b(?:{_BE}{_SOFTENER}\s+(?:supported|handled|managed|addressed|considered|taken care of|secure|secured|"
            r"optimi[sz]ed|improved|sufficient|adequate|appropriate|correct|proper|accessible))\b"
            r"|\b(?:properly|correctly|appropriately|adequately|sufficiently|reasonabl[ey]|robust|seamless(?:ly)?|"
            r"best practices?|as needed|as appropriate|if needed|where possible|where applicable|when necessary|"
            r"as expected|user-friendly|highly available|state of the art|industry standard|etc\.?|and so on)(?!\w)",
            re.I,
        ),
        _JUDGEMENT_FIX,
    ),
]
_JUDGEMENT_STATES = {"correct", "proper", "appropriate", "adequate", "sufficient", "secure", "optimised", "optimized",
                     "improved", "fine", "ok", "okay", "healthy"}

# A criterion that is only a placeholder: "TBD", "TODO", "?", "n/a", "...".
_PLACEHOLDER = _Lazy(r"^\W*(?:tbd|tbc|todo|to ?do|fixme|xxx|n/?a|none|tba|later|\?+|\.{2,}|…)\W*$", re.I)

# Topic-specific examples for the no-measurable-element suggestion (first match wins).
_TOPIC_EXAMPLES: list[tuple[_Lazy, str]] = [
    (_Lazy(r"drift", re.I), "'KS test on each numeric feature over a 7-day sliding window alerts at p < 0.01'"),
    (_Lazy(r"alert", re.I), "'the alert fires when the error rate exceeds 1% for 5 minutes and pages the on-call'"),
    (_Lazy(r"runbook", re.I), "'the runbook covers: restart, failover, rollback and escalation, each with its command'"),
    (_Lazy(r"dashboard", re.I), "'the \"API overview\" dashboard shows p95 latency, request rate and 5xx rate'"),
    (_Lazy(r"\bslo|\bsli|error budget", re.I), "'99.9% of requests succeed over a rolling 30-day window'"),
    (_Lazy(r"\blog", re.I), "'logs are JSON lines with timestamp, level and trace_id'"),
    (_Lazy(r"trac", re.I), "'10% of requests are traced and trace_id appears in every log line'"),
    (_Lazy(r"scan|secur|vulnerab|secret", re.I), "'`trivy image` fails the build on any CRITICAL finding'"),
    (_Lazy(r"backup|restore", re.I), "'a nightly backup is restored in a drill every month in under 1 hour'"),
    (_Lazy(r"scal|replica|\bhpa\b", re.I), "'the HPA keeps 2 to 10 replicas at 70% CPU'"),
    (_Lazy(r"kubernetes|manifest|\bk8s\b|\bpod", re.I), "'every manifest in k8s/ passes `kubeconform -strict`'"),
    (
        _Lazy(r"deploy|pipeline|\bci\b|rollback|release", re.I),
        "'`kubectl rollout undo` restores the previous version in under 5 minutes'",
    ),
    (
        _Lazy(r"\btest|\bcoverage|\bspec\b|\bsuite\b", re.I),
        "'`pytest -q` exits 0 in CI and line coverage of src/ is at least 80%'",
    ),
    (
        _Lazy(r"latency|response time|\bfast|\bslow|performance|throughput", re.I),
        "'p95 latency stays below 300 ms at 50 requests per second, measured by the http_request_duration_seconds histogram'",
    ),
    (_Lazy(r"\bdocs?\b|document|readme", re.I), "'docs/operations.md lists the on-call rotation, the dashboards and the runbooks'"),
]
_GENERIC_EXAMPLE = (
    "a file and what it must contain ('docs/operations.md names the on-call rotation'), a command and its expected "
    "result ('`make check` exits 0'), or a metric and its threshold"
)


def _no_measurable(text: str) -> Finding:
    example = next((ex for pattern, ex in _TOPIC_EXAMPLES if pattern.search(text)), None)
    return Finding(
        rule="no-measurable-element",
        message=(
            "nothing here can be measured or pointed at: no number, threshold, duration, percentage, file path, "
            "command or named artifact"
        ),
        suggestion=f"add what a reviewer can verify, for example {example}" if example
        else f"add what a reviewer can verify: {_GENERIC_EXAMPLE}",
    )


def _vague(text: str) -> tuple[Finding, bool] | None:
    """The first vague phrase as a finding, and whether it is a judgement."""
    for pattern, fix in _VAGUE:
        match = pattern.search(text)
        if match:
            phrase = match.group(0).strip(" .;")
            last = phrase.lower().split()[-1] if phrase.split() else ""
            is_judgement = fix == _JUDGEMENT_FIX or last in _JUDGEMENT_STATES
            finding = Finding(
                rule="vague-predicate",
                message=f"'{phrase}' says that something happened, not what can be observed" if not is_judgement
                else f"'{phrase}' is a judgement, not something a reviewer can check",
                suggestion=f"replace '{phrase}': {fix}",
            )
            return finding, is_judgement
    return None


def _either(patterns: list[_Lazy]) -> _Lazy:
    """One pattern that matches somewhere exactly when one of ``patterns`` does (each keeps its own flags)."""
    return _Lazy("|".join(f"(?{'i' if p.flags & re.I else ''}:{p.pattern})" for p in patterns))


# ``lint_criterion`` asks three questions of the measurable elements: are there any, is one
# concrete, are there at least two. The first two need no list of them (19 scans, sorted and
# merged: ~15 us a criterion): a search answers each and stops at the first match. Numbers
# and code spans, the common elements, are tried on their own first (a lone pattern scans
# faster than an alternation), then all the others at once. The list is made only for the
# third question, asked only of a vague criterion that no concrete element anchors.
_OTHER_ELEMENTS = _either([pattern for _kind, _concrete, pattern in _MEASURABLE if pattern is not _CODE and pattern is not _DIGITS])
_ANY_CONCRETE = _either([pattern for _kind, concrete, pattern in _MEASURABLE if concrete])

# A word every match of a _VAGUE pattern starts with (whole or as a prefix: "configur",
# "complete" for "completed", "ok" for "okay"), searched in the lower-cased text: most
# criteria hold none, and one search settles them instead of the eight patterns. Only for
# ASCII text: case-insensitive matching also folds a few other letters onto ASCII ones
# ("ſ" matches "s"), which lower() does not. tests/builtin/test_criteria_lint.py holds the
# rules equal to the plain definition (every pattern, every element listed).
_VAGUE_WORDS = _Lazy(
    r"\b(?:automated|set ?up|configur|enabled|implemented|integrated|established|deployed|in place|in use|exists?|"
    r"present|available|created|added|works|working|done|functional|operational|ready|healthy|complete|finished|fine|ok|"
    r"tested|verified|reviewed|monitored|tracked|maintained|updated|defined|documented|covered|supported|handled|managed|"
    r"addressed|considered|taken care of|secure|optimi[sz]ed|improved|sufficient|adequate|appropriate|correct|proper|"
    r"accessible|reasonabl|robust|seamless|best practice|as needed|as appropriate|if needed|where possible|"
    r"where applicable|when necessary|as expected|user-friendly|highly available|state of the art|industry standard|etc|"
    r"and so on)"
)


@hookimpl
def lint_criterion(text):
    if _PLACEHOLDER.search(text.strip()):
        return [Finding(
            rule="placeholder",
            message=f"'{text.strip()}' is a placeholder, not a criterion",
            suggestion="write the criterion before the work starts: what a reviewer will check, such as a file and "
                       "what it must contain, a command and its expected result, or a metric and its threshold",
        )]
    findings = []
    any_element = _DIGITS.search(text) is not None or _CODE.search(text) is not None or _OTHER_ELEMENTS.search(text) is not None
    if not any_element:
        findings.append(_no_measurable(text))
    found = _vague(text) if not text.isascii() or _VAGUE_WORDS.search(text.lower()) is not None else None
    if found is not None:
        vague, judgement = found
        # One concrete element (a file, a command) anchors "exists" or "is configured", but not a
        # judgement: naming the file does not say what makes it correct. Two elements of any kind do.
        anchored = any_element and (
            (not judgement and _ANY_CONCRETE.search(text) is not None) or len(measurable_elements(text)) >= 2
        )
        if not anchored:
            findings.append(vague)
    return findings
