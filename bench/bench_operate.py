#!/usr/bin/env python3
"""How long `flowops operate` takes on a 10,000-task backlog with a 50-alert rules file, and with SLO specs.

Builds a throw-away repository once (task files written directly with flowops' own
Backlog.md writer, a Validated feature, a Prometheus rules file), then for each run
copies it (not timed) and times, as fresh processes: the first `flowops operate` (which
creates 4 sre tasks plus 50 runbook tasks and 50 runbook documents) and the rerun
(which creates nothing). Also times `flowops ac lint --all` on the same backlog.

A second repository holds the same backlog, Sloth specs (2 SLOs each) and the rules file
`flowops slo generate` wrote from them; `flowops operate` runs there without --alerts:
it discovers the specs and the generated file, creates one runbook per SLO alert and
rewrites the rules' runbook links (first run), then finds everything (rerun).
Prints the medians as a markdown snippet. Budget: operate <= 1.5 s median.

    python bench/bench_operate.py [--tasks 10000] [--alerts 50] [--slo-specs 10] [--runs 5] [--python PATH]

``--python`` is the interpreter that has flowops installed (default: this one, which
must be able to import flowops too: it writes the task files).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET_S = 1.5
FEATURE_TITLE = "Checkout service"
WORDS = (
    "checkout", "payment", "latency", "budget", "error", "pipeline", "cluster", "alert", "runbook",
    "deploy", "canary", "rollback", "digest", "sbom", "ingress", "probe", "autoscaler", "quota",
    "tracing", "dashboard", "drift", "model", "cache", "queue",
)
# Criteria as people write them: some repeat from task to task, most differ in a number or a name.
CRITERIA = (
    "p95 latency of {w} stays under {n} ms over 30 days",
    "`make test-{w}` passes in CI",
    "docs/{w}.md lists the {n} steps of the rollout",
    "{w} is set up",
    "Alerts fire when the {w} error rate exceeds {n}% over 5 minutes",
    "The {w} dashboard works",
)


def timed(argv: list[str], cwd: Path, env: dict) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 3):  # ac lint exits 3 when it flags something
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr}")
    return elapsed


def rules_yaml(count: int) -> str:
    lines = ["groups:"]
    for group in range(0, count, 10):
        lines += [f"  - name: service-{group // 10}", "    rules:"]
        for n in range(group, min(group + 10, count)):
            lines += [
                f"      - alert: BenchAlert{n:03d}",
                f'        expr: sum(rate(http_requests_total{{job="svc{n}",code=~"5.."}}[5m])) > {n % 9 + 1}',
                f"        for: {n % 10 + 1}m",
                "        labels:",
                f"          severity: {'critical' if n % 3 == 0 else 'warning'}",
                "        annotations:",
                f"          summary: More than {n % 9 + 1} errors per second on svc{n}",
                f"          runbook_url: https://runbooks.example.com/svc{n}.md#triage",
            ]
    return "\n".join(lines) + "\n"


def sloth_spec(number: int) -> str:
    """A Sloth spec of service svc<number>: availability (page and ticket) and latency (page only)."""
    job = f'job="svc{number}"'
    return f"""version: prometheus/v1
service: svc{number}
labels: {{team: team{number % 4}}}
slos:
  - name: availability
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_requests_total{{{job},code=~"5.."}}[{{{{.window}}}}]))
        total_query: sum(rate(http_requests_total{{{job}}}[{{{{.window}}}}]))
    alerting:
      name: Svc{number}AvailabilityBurn
  - name: latency
    objective: 99
    sli:
      events:
        error_query: >-
          sum(rate(http_request_duration_seconds_count{{{job}}}[{{{{.window}}}}]))
          - sum(rate(http_request_duration_seconds_bucket{{{job},le="0.3"}}[{{{{.window}}}}]))
        total_query: sum(rate(http_request_duration_seconds_count{{{job}}}[{{{{.window}}}}]))
    alerting:
      name: Svc{number}LatencyBurn
      ticket_alert: {{disable: true}}
"""


def add_slo_specs(root: Path, specs: int, python: str, env: dict) -> None:
    """SLO specs under slo/ and the rules generated from them (without runbook documents yet)."""
    (root / "slo").mkdir()
    for number in range(specs):
        (root / "slo" / f"svc{number}.sloth.yml").write_text(sloth_spec(number))
    (root / "monitoring" / "rules.yml").unlink()
    subprocess.run([python, "-m", "flowops", "slo", "generate", "slo", "-o", "monitoring/slo-rules.yml"], cwd=root,
                   env=env, check=True, capture_output=True)


def build(root: Path, tasks: int, alerts: int, python: str, env: dict) -> str:
    """The template repository; returns the feature id."""
    from flowops.backlog.model import Task
    from flowops.backlog.naming import task_filename
    from flowops.backlog.sections import Criterion
    from flowops.backlog.taskfile import render_new_task

    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run([python, "-m", "flowops", "init"], cwd=root, env=env, check=True, capture_output=True)
    rng = random.Random(5)
    folder = root / "backlog" / "tasks"
    for number in range(1, tasks + 1):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 7))).capitalize()
        task = Task(id=f"TASK-{number}", title=title, status=rng.choice(("To Do", "In Progress", "Done")),
                    created_date="2026-01-01 10:00", labels=rng.sample(WORDS, rng.randint(0, 3)),
                    priority=rng.choice((None, "high", "medium", "low")))
        task.description = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 40)))
        task.acceptance_criteria = [
            Criterion(i, rng.choice(CRITERIA).format(w=rng.choice(WORDS), n=rng.randint(1, 500)), rng.random() < 0.4)
            for i in range(1, rng.randint(0, 4) + 1)
        ]
        (folder / task_filename(task.id, task.title)).write_bytes(render_new_task(task))
    feature_id = f"TASK-{tasks + 1}"
    feature = Task(id=feature_id, title=FEATURE_TITLE, status="In Progress", created_date="2026-01-01 10:00",
                   labels=["workflow:Validated"])
    (folder / task_filename(feature.id, feature.title)).write_bytes(render_new_task(feature))
    (root / "monitoring").mkdir()
    (root / "monitoring" / "rules.yml").write_text(rules_yaml(alerts))
    return feature_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000, help="tasks in the backlog (default 10000)")
    parser.add_argument("--alerts", type=int, default=50, help="alerts in the rules file (default 50)")
    parser.add_argument("--slo-specs", type=int, default=10, help="Sloth specs of 2 SLOs each (default 10)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs (default 5)")
    parser.add_argument("--python", default=sys.executable, help="interpreter with flowops installed")
    options = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="flowops-bench-operate-") as tmp:
        base = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k not in ("FLOWOPS_ROOT", "FLOWOPS_NO_HOOKS", "PYTHONDONTWRITEBYTECODE")}
        # Bytecode is cached, as in an installed package, but outside the source tree.
        env["PYTHONPYCACHEPREFIX"] = str(base / "pycache")
        template = base / "template"
        feature = build(template, options.tasks, options.alerts, options.python, env)
        with_slos = base / "template-slo"
        shutil.copytree(template, with_slos, symlinks=True)
        add_slo_specs(with_slos, options.slo_specs, options.python, env)
        operate = [options.python, "-m", "flowops", "operate", feature, "--alerts", "monitoring/rules.yml", "--plain"]
        discovered = [options.python, "-m", "flowops", "operate", feature, "--plain"]
        lint = [options.python, "-m", "flowops", "ac", "lint", "--all", "--json"]
        slo_case = f"{options.slo_specs * 2} SLOs in {options.slo_specs} specs, discovered"
        results: dict[str, list[float]] = {"first run": [], "rerun": [], f"first run, {slo_case}": [],
                                           f"rerun, {slo_case}": [], "ac lint --all (cold cache)": [],
                                           "ac lint --all (warm cache)": []}
        for run in range(options.runs + 1):  # run 0 warms the bytecode cache and is not counted
            work, work_slo = base / f"run-{run}", base / f"run-slo-{run}"
            shutil.copytree(template, work, symlinks=True)
            shutil.copytree(with_slos, work_slo, symlinks=True)
            timings = [timed(operate, work, env), timed(operate, work, env), timed(discovered, work_slo, env),
                       timed(discovered, work_slo, env), timed(lint, work, env), timed(lint, work, env)]
            if run:
                for name, seconds in zip(results, timings, strict=True):
                    results[name].append(seconds)
            shutil.rmtree(work)
            shutil.rmtree(work_slo)

    medians = {name: statistics.median(values) for name, values in results.items()}
    print(f"### `flowops operate`: {options.tasks:,} tasks, {options.alerts} alerts; {options.slo_specs} SLO specs\n")
    print(f"{platform.python_implementation()} {platform.python_version()} on {platform.system()} "
          f"{platform.machine()}, {os.cpu_count()} CPUs; median of {options.runs} runs, each a fresh process.\n")
    print("| case | median | min | max | budget |")
    print("|---|---|---|---|---|")
    for name, values in results.items():
        budget = f"<= {BUDGET_S:.1f} s" if name.startswith(("first run", "rerun")) else "-"
        print(f"| {name} | {medians[name]:.3f} s | {min(values):.3f} s | {max(values):.3f} s | {budget} |")
    over = [name for name in medians if name.startswith(("first run", "rerun")) and medians[name] > BUDGET_S]
    if over:
        print(f"\nover budget: {', '.join(over)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
