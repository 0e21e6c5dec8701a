"""Two `flowops operate` processes on one feature at the same time create every task and document once."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from tests.support.operate import backlog

ALERTS = Path(__file__).resolve().parents[1] / "data" / "alerts"


def open_when_read(fifo: Path, deadline: float) -> int:
    """Open ``fifo`` for writing once its reader has opened it (never blocks past ``deadline``)."""
    while True:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def test_concurrent_runs_create_no_duplicates(validated_feature):
    repo = validated_feature
    rules = (ALERTS / "prometheus_rules.yml").read_bytes()
    # Each process reads its alert file from a pipe: both wait there until the test writes
    # the rules to both pipes, so they go on to discovery and creation at the same moment.
    fifos = [repo / f"alerts-{n}.yml" for n in (1, 2)]
    for fifo in fifos:
        os.mkfifo(fifo)
    env = {k: v for k, v in os.environ.items() if k not in ("FLOWOPS_ROOT", "FLOWOPS_NO_HOOKS")}
    runs = [
        subprocess.Popen([sys.executable, "-m", "flowops", "operate", "1", "--alerts", fifo.name, "--json"], cwd=repo, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for fifo in fifos
    ]
    try:
        deadline = time.monotonic() + 60
        writers = [open_when_read(fifo, deadline) for fifo in fifos]
        for fd in writers:
            os.write(fd, rules)
        for fd in writers:
            os.close(fd)
        outputs = [run.communicate(timeout=120) for run in runs]
    finally:
        for run in runs:
            if run.poll() is None:
                run.kill()
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert sorted(len(json.loads(out)["created"]) for out, _err in outputs) == [0, 7]

    listing = backlog(repo).load(("tasks", "completed"), use_cache=False)
    keys = Counter(label for task in listing.tasks for label in task.labels if label.startswith("ops:"))
    assert len(keys) == 7 and set(keys.values()) == {1}
    assert len(list((repo / "backlog" / "docs").glob("doc-*.md"))) == 3
