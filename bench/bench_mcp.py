#!/usr/bin/env python3
"""How fast `flowops mcp` answers: `initialize` after a cold start, and `task_view` once running.

Generates a backlog of --tasks tasks (bench/gen_backlog.py), then --starts times: spawns
`flowops mcp` in it, sends `initialize` at once and times the answer (spawn to reply: the
interpreter, the SDK import, the server), then sends --calls `tools/call task_view` for a
task in the middle of the backlog, one after the other, and times each reply. The client
side is raw JSON-RPC lines over pipes, so no client library is timed. `initialize` is also
timed once the server is running (after its start-up line on stderr). Also measured, for
the breakdown and to show other commands did not get slower: `python -c pass`, importing
the SDK alone and as the server imports it, `flowops --version` here and (with --baseline)
in another installation, and `flowops task view --json` as a fresh process; with
--backlog-bin, Backlog.md's own MCP server on the same data; with --before, another
installation's `flowops mcp` (e.g. main's, for a before/after in one run) started in the
same round robin. Budgets: initialize <= 0.5 s, task_view <= 50 ms on 10,000 tasks.

    python bench/bench_mcp.py [--tasks 10000] [--starts 11] [--calls 40] [--baseline OTHER/flowops]
                              [--before OTHER/flowops] [--backlog-bin "$(command -v backlog)"]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import selectors
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_backlog import generate  # noqa: E402

INITIALIZE_BUDGET_S = 0.5
TASK_VIEW_BUDGET_S = 0.05
FLOWOPS = str(Path(sys.executable).with_name("flowops"))


class Server:
    """`flowops mcp` over its pipes: send a JSON-RPC message, wait for the reply with that id."""

    def __init__(self, command: list[str], cwd: Path, env: dict, *, wait_ready: bool = False) -> None:
        self.proc = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE if wait_ready else subprocess.DEVNULL)
        if wait_ready:
            # `flowops mcp` writes its start-up line to stderr once the SDK is imported and the
            # server built, just before it reads its input.
            assert self.proc.stderr is not None
            if b"MCP server on stdio" not in self.proc.stderr.readline():
                raise SystemExit("no start-up line from the server")
        self.selector = selectors.DefaultSelector()
        assert self.proc.stdout is not None
        self.selector.register(self.proc.stdout, selectors.EVENT_READ)
        self.pending = b""
        self.next_id = 0

    def send(self, method: str, params: dict | None = None, *, notify: bool = False) -> int | None:
        message: dict = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        ident = None
        if not notify:
            self.next_id += 1
            ident = message["id"] = self.next_id
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")
        self.proc.stdin.flush()
        return ident

    def reply(self, ident: int, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            while b"\n" in self.pending:
                line, self.pending = self.pending.split(b"\n", 1)
                message = json.loads(line)
                if message.get("id") == ident:
                    if "error" in message:
                        raise SystemExit(f"error reply: {message['error']}")
                    return message["result"]
            if time.monotonic() > deadline or not self.selector.select(deadline - time.monotonic()):
                raise SystemExit("no reply in time")
            assert self.proc.stdout is not None
            chunk = os.read(self.proc.stdout.fileno(), 1 << 20)
            if not chunk:
                raise SystemExit("the server closed its output")
            self.pending += chunk

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.selector.close()


def initialize_when_running(command: list[str], cwd: Path, env: dict) -> float:
    """From sending ``initialize`` to its reply, to a server that has started (imports done)."""
    server = Server(command, cwd, env, wait_ready=True)
    start = time.perf_counter()
    ident = server.send("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                       "clientInfo": {"name": "bench", "version": "0"}})
    assert ident is not None
    server.reply(ident)
    elapsed = time.perf_counter() - start
    server.close()
    return elapsed


def session(command: list[str], cwd: Path, env: dict, view: dict, calls: int,
            check: Callable[[dict], bool]) -> tuple[float, float, list[float]]:
    """(spawn to initialize reply, first task_view, later task_views) for one server."""
    start = time.perf_counter()
    server = Server(command, cwd, env)
    ident = server.send("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                       "clientInfo": {"name": "bench", "version": "0"}})
    assert ident is not None
    server.reply(ident)
    initialized = time.perf_counter() - start
    server.send("notifications/initialized", notify=True)
    samples = []
    for _ in range(calls + 1):
        began = time.perf_counter()
        ident = server.send("tools/call", {"name": "task_view", "arguments": view})
        assert ident is not None
        result = server.reply(ident)
        samples.append(time.perf_counter() - began)
        if result.get("isError") or not check(result):
            raise SystemExit(f"unexpected task_view result: {str(result)[:300]}")
    server.close()
    return initialized, samples[0], samples[1:]


def timed(argv: list[str], cwd: Path, env: dict) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode()[:300]}")
    return elapsed


def import_time(modules: str, cwd: Path, env: dict) -> float:
    """How long importing ``modules`` takes inside a fresh interpreter (start-up and exit not counted).

    With the cyclic collector off, as in `flowops mcp` (flowops.cli.main turns it off for a
    command): with it on, the collector's passes over the SDK's models add ~15%.
    """
    code = f"import gc, time; gc.disable(); t = time.perf_counter(); import {modules}; print(time.perf_counter() - t)"
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return float(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--starts", type=int, default=11, help="servers started (default 11)")
    parser.add_argument("--calls", type=int, default=40, help="task_view calls per server after the first (default 40)")
    parser.add_argument("--baseline", help="another flowops executable to time --version against (e.g. main's)")
    parser.add_argument("--before", help="another flowops executable whose `mcp` is timed the same way (e.g. main's)")
    parser.add_argument("--workdir", type=Path, help="where the backlog is generated (default: a temporary folder)")
    parser.add_argument("--backlog-bin", help="the Backlog.md CLI: time `backlog mcp start` the same way, for reference")
    args = parser.parse_args(argv)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="flowops-bench-mcp-"))
    data = workdir / f"backlog-{args.tasks}"
    if not data.exists():
        generate(data, args.tasks)
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    task_id = f"TASK-{args.tasks // 3}"
    ours = ([FLOWOPS, "mcp"], {"task_id": task_id}, lambda r: r["structuredContent"]["task"]["id"] == task_id)
    # Backlog.md 1.52's server: its task_view takes `id` and answers in text.
    theirs = ([args.backlog_bin, "mcp", "start"], {"id": task_id.lower()},
              lambda r: f"Task {task_id}" in r["content"][0]["text"]) if args.backlog_bin else None
    before = ([args.before, "mcp"], ours[1], ours[2]) if args.before else None
    # One untimed start: the backlog's index cache and the bytecode exist from then on.
    session(ours[0], data, env, ours[1], 1, ours[2])
    if before is not None:
        session(before[0], data, env, before[1], 1, before[2])
    subprocess.run([FLOWOPS, "task", "view", task_id, "--json"], cwd=data, env=env, stdout=subprocess.DEVNULL, check=True)

    cases: dict[str, list[float]] = {name: [] for name in (
        "initialize (spawn to reply)", "initialize (spawn to reply), --before",
        "initialize (once running)", "first task_view", "first task_view, --before", "task_view", "task_view, --before",
        "python -c pass",
        "import the mcp SDK (in the process)", "import flowops.mcp_server.server (in the process)",
        "flowops --version", "flowops --version (baseline)", "flowops task view --json (a process)",
        "Backlog.md: initialize (spawn to reply)", "Backlog.md: first task_view", "Backlog.md: task_view")}
    for _ in range(args.starts):  # round robin, so drifting machine load hits every case alike
        initialized, first, views = session(ours[0], data, env, ours[1], args.calls, ours[2])
        cases["initialize (spawn to reply)"].append(initialized)
        if before is not None:
            init_before, first_before, views_before = session(before[0], data, env, before[1], args.calls, before[2])
            cases["initialize (spawn to reply), --before"].append(init_before)
            cases["first task_view, --before"].append(first_before)
            cases["task_view, --before"].extend(views_before)
        cases["initialize (once running)"].append(initialize_when_running(ours[0], data, env))
        cases["first task_view"].append(first)
        cases["task_view"].extend(views)
        cases["python -c pass"].append(timed([sys.executable, "-c", "pass"], data, env))
        cases["import the mcp SDK (in the process)"].append(import_time("mcp.server.lowlevel, mcp.server.stdio", data, env))
        # The SDK as the server imports it: the low-level server and stdio, the package __init__s deferred.
        cases["import flowops.mcp_server.server (in the process)"].append(import_time("flowops.mcp_server.server", data, env))
        cases["flowops --version"].append(timed([FLOWOPS, "--version"], data, env))
        if args.baseline:
            cases["flowops --version (baseline)"].append(timed([args.baseline, "--version"], data, env))
        cases["flowops task view --json (a process)"].append(timed([FLOWOPS, "task", "view", task_id, "--json"], data, env))
    if theirs is not None:
        for _ in range(min(args.starts, 3)):  # its first task_view takes seconds: fewer runs
            initialized, first, views = session(theirs[0], data, env, theirs[1], min(args.calls, 5), theirs[2])
            cases["Backlog.md: initialize (spawn to reply)"].append(initialized)
            cases["Backlog.md: first task_view"].append(first)
            cases["Backlog.md: task_view"].extend(views)

    budgets = {"initialize (spawn to reply)": INITIALIZE_BUDGET_S, "initialize (spawn to reply), --before": INITIALIZE_BUDGET_S,
               "initialize (once running)": INITIALIZE_BUDGET_S,
               "task_view": TASK_VIEW_BUDGET_S, "task_view, --before": TASK_VIEW_BUDGET_S}
    print(f"{args.tasks:,} tasks; {args.starts} servers x {args.calls} task_view calls; "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}\n")
    print("| case | median | min | max | target |")
    print("|---|---|---|---|---|")
    for name, samples in cases.items():
        if not samples:
            continue
        median = statistics.median(samples)
        budget = budgets.get(name)
        verdict = f"<= {budget * 1000:g} ms: {'met' if median <= budget else '**not met**'}" if budget else ""
        print(f"| {name} | {median * 1000:.1f} ms | {min(samples) * 1000:.1f} ms | {max(samples) * 1000:.1f} ms | {verdict} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
