"""The built-in ``mlops`` playbook: drift detection and model rollback for a model-backed feature.

Drift is watched without waiting for ground truth: the production inputs (data drift)
and outputs (target drift) of a sliding test window are compared with a fixed
reference window, and model quality is tracked to catch concept drift. Written exactly
like a third-party plugin: data plus one ``register_playbooks`` hook.
"""

from __future__ import annotations

from flowops.hookspecs import hookimpl
from flowops.ops.playbook import Playbook, PlaybookItem

DATA_DRIFT = PlaybookItem(
    key="mlops:data-drift",
    title="Data drift detection for {feature}",
    area="mlops",
    description=(
        "Compare the distribution of production inputs in a sliding test window with a fixed reference window, "
        "with the statistical test that fits each feature type, and alert when they part."
    ),
    criteria=(
        "The reference window is a fixed snapshot of training or validation inputs stored at a versioned path (for "
        "example data/reference/v1/) with its date range recorded next to it",
        "The test window slides over production inputs with a stated size and step (for example 7 days, advancing 1 "
        "day) and the drift job runs at least once a day",
        "Each numeric feature is compared with a two-sample Kolmogorov-Smirnov (KS) test, flagging drift at p < 0.01 "
        "unless another threshold is written in the drift config",
        "Each categorical feature is compared with a chi-squared test on category counts, with categories expected "
        "fewer than 5 times merged into one bucket",
        "Text or embedding inputs are compared with Maximum Mean Discrepancy (MMD) using a permutation test of at "
        "least 100 permutations",
        "A detected drift raises an alert labelled severity: medium that names the drifting features and carries a "
        "runbook_url annotation",
    ),
)

TARGET_DRIFT = PlaybookItem(
    key="mlops:target-drift",
    title="Target drift detection for {feature}",
    area="mlops",
    description=(
        "Watch the distribution of the model's outputs (and of the labels when they arrive) for shifts that "
        "signal a change in the world or a broken upstream pipeline."
    ),
    criteria=(
        "Predicted classes are compared between the test and reference windows with a chi-squared test, and "
        "predicted scores with a KS test, at least once a day",
        "A target drift beyond the threshold (p < 0.01 by default) raises a medium-severity alert naming the shifted "
        "classes or score range",
        "Within 24 hours of ground-truth labels arriving, their class distribution is compared with the reference "
        "window the same way and the p-value appears in the drift report",
    ),
)

CONCEPT_DRIFT = PlaybookItem(
    key="mlops:concept-drift",
    title="Concept drift monitoring for {feature}",
    area="mlops",
    description=(
        "Catch a changed relationship between inputs and outcomes through the model's measured quality on "
        "recent production traffic, not only through input statistics."
    ),
    criteria=(
        "Model quality (for example accuracy, F1 or an evaluation score) is computed on labelled or reviewed "
        "production samples at least every 7 days and stored as a time series",
        "An alert fires when quality falls more than 5% below the release baseline for 2 evaluations in a row",
        "Each retrain or rollback decision is recorded in the task notes with the quality values of the last 2 "
        "evaluations that triggered it",
    ),
)

LLM_METRICS = PlaybookItem(
    key="mlops:llm-metrics",
    title="LLM and RAG metrics for {feature}",
    area="mlops",
    description=(
        "For features backed by a language model or retrieval: cost, retrieval coverage and latency by query "
        "type. Close this task with a note when the feature uses neither."
    ),
    criteria=(
        "Input and output tokens and their cost are recorded per request and summed per day, with alerts at 80% and "
        "100% of the daily budget",
        "The empty retrieval rate (queries that return 0 documents) is measured and alerts when above 5% for 30 "
        "minutes",
        "Latency is recorded per query type as a histogram with p50, p95 and p99 and compared with the latency SLO "
        "on the service dashboard",
    ),
)

MODEL_ROLLBACK = PlaybookItem(
    key="mlops:model-rollback",
    title="Model rollback for {feature}",
    area="mlops",
    description=(
        "Make going back to the previous model a rehearsed, one-command step, triggered by the quality and "
        "drift alerts when needed."
    ),
    criteria=(
        "Every served model version has an immutable identifier (registry version or artifact sha256 digest) stored "
        "with its evaluation results",
        "One documented command switches serving back to the previous model version in under 10 minutes, and it has "
        "been run once in staging",
        "A critical quality or safety alert starts the rollback automatically; a high-severity one pages the on-call "
        "with the rollback command in the alert text within 15 minutes",
    ),
)

MLOPS = Playbook(
    name="mlops",
    description="Drift detection (data, target, concept), LLM/RAG metrics and model rollback for model-backed features",
    items=(DATA_DRIFT, TARGET_DRIFT, CONCEPT_DRIFT, LLM_METRICS, MODEL_ROLLBACK),
)


@hookimpl
def register_playbooks(register):
    register(MLOPS)
