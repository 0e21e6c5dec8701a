#!/usr/bin/env python3
"""How long the incident commands take on a 10,000-task backlog holding 200 incidents.

Builds a throw-away repository once: the generated backlog (bench/gen_backlog.py), then
200 incidents opened through flowops' own Alertmanager code path over 60 days, each
acknowledged and resolved, the critical ones with a postmortem document and task, a
third of those written with two action items. Then times, as fresh processes (median
of --runs):

- ``incident from-alertmanager`` opening a new incident (on a fresh copy each run) and
  recording a repeat notification of an open incident;
- ``incident list --json`` and ``incident stats --json --since 30d``;
- one notification posted to a running ``incident serve`` (median over --posts repeat
  notifications, measured from the client: request to answer).

    python bench/bench_incidents.py [--tasks 10000] [--incidents 200] [--runs 5] [--posts 20]

Prints a markdown snippet for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_backlog import generate  # noqa: E402

FLOWOPS = str(Path(sys.executable).with_name("flowops"))
SEVERITIES = ("critical", "warning", "critical", "info", "critical")


def payload(n: int, opened: datetime, status: str = "firing") -> dict:
    labels = {"alertname": f"BenchAlert{n % 40:02d}", "service": f"svc{n}", "severity": SEVERITIES[n % len(SEVERITIES)]}
    ends = "0001-01-01T00:00:00Z"  # Go's zero time: still firing
    if status == "resolved":
        ends = (opened + timedelta(minutes=20 + n % 90)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "version": "4", "status": status, "receiver": "bench", "groupKey": f'{{}}:{{service="svc{n}"}}',
        "groupLabels": {"service": f"svc{n}"}, "commonLabels": labels,
        "commonAnnotations": {"summary": f"More than {n % 9 + 1} errors per second on svc{n}"},
        "externalURL": "http://alertmanager:9093",
        "alerts": [{"status": status, "labels": labels, "annotations": {}, "fingerprint": f"{n:016x}",
                    "startsAt": opened.strftime("%Y-%m-%dT%H:%M:%SZ"), "endsAt": ends,
                    "generatorURL": f"http://prometheus:9090/graph?g0.expr=errors_svc{n}"}],
    }


def build(root: Path, tasks: int, incidents: int) -> None:
    from flowops.backlog.store import Backlog
    from flowops.incidents.alertmanager import parse_notification
    from flowops.incidents.lifecycle import (
        Resolution,
        acknowledge,
        create_action_items,
        resolve,
    )
    from flowops.incidents.lookup import postmortem_document
    from flowops.incidents.model import IncidentSettings
    from flowops.incidents.notifications import apply_notification
    from flowops.project import Project

    generate(root, tasks)
    (root / ".flowops").mkdir(exist_ok=True)
    project = Project(root)
    backlog = Backlog(project)
    settings = IncidentSettings()
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=60)
    for n in range(incidents):
        opened = start + timedelta(minutes=n * 60 * 24 * 60 // incidents)
        notification = parse_notification(json.dumps(payload(n, opened)), "bench")
        incident = apply_notification(project, backlog, notification, settings, now=opened + timedelta(seconds=40)).incident
        if n % 10 == 9:
            continue  # left open: the repeat notifications below go to one of these
        acknowledge(backlog, incident.id, by="sara", now=opened + timedelta(minutes=2 + n % 13))
        outcome = resolve(project, backlog, incident.id, Resolution(by="sara", at=opened + timedelta(minutes=20 + n % 90)),
                          settings, now=opened + timedelta(minutes=21 + n % 90))
        if outcome.postmortem_doc is not None and n % 3 == 0:
            path = postmortem_document(backlog, incident.id).path
            text = path.read_text(encoding="utf-8")
            head = text.split("\n## Overview and impact", 1)[0]
            sections = ["Overview and impact", "Timeline", "Root cause and contributing factors", "What went well",
                        "Lessons learned"]
            body = "".join(f"\n## {title}\n\nWritten for svc{n}.\n" for title in sections)
            body += f"\n## Action items\n\n- [ ] Add a canary for svc{n} @sara due 2099-01-01\n- [ ] Pin svc{n} pool size @li\n"
            path.write_text(head + body, encoding="utf-8")
            create_action_items(project, backlog, incident.id)


def timed(argv: list[str], cwd: Path, env: dict, stdin: bytes | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, input=stdin, capture_output=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr.decode()}")
    return elapsed


def serve_latency(root: Path, env: dict, body: bytes, posts: int) -> list[float]:
    process = subprocess.Popen([FLOWOPS, "incident", "serve", "--port", "0"], cwd=root, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stderr.readline()
        port = re.search(r":(\d+)/alertmanager", line).group(1)
        url = f"http://127.0.0.1:{port}/alertmanager"
        samples = []
        for _ in range(posts):
            request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
            start = time.perf_counter()
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()
            samples.append(time.perf_counter() - start)
        return samples
    finally:
        process.terminate()
        process.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10000)
    parser.add_argument("--incidents", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--posts", type=int, default=20)
    args = parser.parse_args()
    env = {**os.environ, "FLOWOPS_NO_HOOKS": "1", "FLOWOPS_USER": "bench"}
    with tempfile.TemporaryDirectory(prefix="flowops-bench-incidents-") as tmp:
        template = Path(tmp) / "template"
        started = time.perf_counter()
        build(template, args.tasks, args.incidents)
        built = time.perf_counter() - started
        files = sum(1 for _ in (template / "backlog" / "tasks").iterdir())
        fresh = json.dumps(payload(100_000, datetime.now(UTC) - timedelta(minutes=5))).encode()
        open_group = 9  # incident 9 (n % 10 == 9) was left open
        repeat = json.dumps(payload(open_group, datetime.now(UTC) - timedelta(days=60))).encode()
        results: dict[str, list[float]] = {"open": [], "repeat": [], "list": [], "stats": []}
        work = Path(tmp) / "work"
        for _ in range(args.runs):
            if work.exists():
                shutil.rmtree(work)
            shutil.copytree(template, work, symlinks=True)
            results["open"].append(timed([FLOWOPS, "incident", "from-alertmanager", "-"], work, env, fresh))
            results["repeat"].append(timed([FLOWOPS, "incident", "from-alertmanager", "-"], work, env, repeat))
            results["list"].append(timed([FLOWOPS, "incident", "list", "--all", "--json"], work, env))
            results["stats"].append(timed([FLOWOPS, "incident", "stats", "--json", "--since", "30d"], work, env))
        results["serve"] = serve_latency(work, env, repeat, args.posts)
    median = {key: statistics.median(values) for key, values in results.items()}
    print(f"<!-- bench/bench_incidents.py --tasks {args.tasks} --incidents {args.incidents} --runs {args.runs} "
          f"--posts {args.posts}; {platform.python_version()} on {platform.machine()}, "
          f"{os.cpu_count()} cores; template built in {built:.0f} s, {files} task files -->")
    print("| command | median |")
    print("|---|---|")
    print(f"| `incident from-alertmanager` (opens an incident) | {median['open']:.2f} s |")
    print(f"| `incident from-alertmanager` (repeat notification) | {median['repeat']:.2f} s |")
    print(f"| `incident list --all --json` ({args.incidents} incidents) | {median['list']:.2f} s |")
    print(f"| `incident stats --json --since 30d` | {median['stats']:.2f} s |")
    print(f"| one notification to `incident serve` (request to answer) | {median['serve'] * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
