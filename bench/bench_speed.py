#!/usr/bin/env python3
"""Issue 15's targets in one run: every case, every version of the code, interleaved, with Backlog.md beside them.

    python bench/bench_speed.py --variant before=/tmp/base/src --variant after=src \\
        --backlog-bin /work/main/.ci/node/node_modules/.bin/backlog [--size 10000] [--runs 7] \\
        [--only list-cold,list-warm,...] [--workdir DIR] [--json results.json]

Generates the backlog with gen_backlog.py (once per work folder), then runs every case once
per variant in each round, so load from other work on a shared machine hits every variant
alike; medians are over the rounds. A variant is a ``src`` folder run by this interpreter
with ``PYTHONPATH`` pointing at it (``git archive main src | tar -x -C /tmp/base`` gives the
one to compare against), bytecode compiled as an installed package has it. For each case it
reports the median wall time (min-max), the median CPU time (user + system of the process
and the children it waited for: the forked parsers of a cold listing count) and the peak
resident memory of the process (its ``ru_maxrss`` from ``wait4``, read through GNU time so
that this script's own memory is not counted; for a cold listing, the largest of the
process and its forked parsers). "cold" deletes the variant's cache folder
(``FLOWOPS_CACHE_DIR``) before the run, as on a fresh clone; "warm" runs after two untimed
runs, whatever case ran before it: a listing's cache is complete only after the second listing
(the first after no cache writes the per-file parts, the second the columns part), so the warm
cases time a cache that is up to date, as on the third listing after a clone.

Cases: ``version``; ``list-cold``, ``list-warm`` (``task list --plain``); ``search-cold``,
``search-warm`` (``search "latency budget" --plain``); ``view`` (after an untimed view: the
first lookup after the cache is deleted also lists the task folder), ``edit`` (ticks and unticks
a criterion), ``create`` (in a per-variant copy); ``emit`` (``hooks emit`` with no handler);
``lint``, ``lint-cold`` (``ac lint --all --json``); and, on a per-variant copy where ``flowops
operate`` has created the operations tasks of a Validated feature from a 20-alert rules
file, with the cache deleted before each run (a fresh clone): ``operate-complete``
(``operate --complete``, refused with exit 3: the work is not done, so the gate reads
everything and moves nothing), ``ac-check`` (``ac check FEATURE --recursive``) and
``ac-verify`` (``ac verify FEATURE --recursive``; promtool is kept off PATH and the copy
holds no manifests, so the bound checks find nothing to read: the checks' own work is
excluded, flowops' is not). Backlog.md (``--backlog-bin``) runs ``task list --plain`` and
``search`` on the same data in every round, for the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_variants  # noqa: E402
from bench_operate import FEATURE_TITLE, rules_yaml  # noqa: E402
from gen_backlog import generate  # noqa: E402
from run import machine  # noqa: E402

QUERY = "latency budget"
ALERTS = 20
# The target of each case, in seconds (the memory and ratio targets follow).
TARGETS: dict[str, float] = {
    "version": 0.05, "list-cold": 0.45, "list-warm": 0.12, "search-cold": 0.45, "search-warm": 0.12,
    "view": 0.07, "edit": 0.07, "create": 0.07, "emit": 0.07, "lint": 0.5, "lint-cold": 0.5,
    "operate-complete": 0.6, "ac-check": 0.6, "ac-verify": 0.6,
}
CASES = tuple(TARGETS)
MEMORY_TARGET_MB = 60
RATIO_TARGET = 25
OPS_CASES = ("operate-complete", "ac-check", "ac-verify")


# A process started straight from this one counts this one's memory in its peak (Linux
# records the old address space's high-water mark at exec, and a forked or vforked child
# starts from ours), so the peak is read through GNU time: it forks the command from its
# own small process and prints the command's ru_maxrss (KB) from wait4.
GNU_TIME = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None
_RSS_MARK = "flowops-bench-maxrss-kb="


def run_once(argv: list[str], cwd: Path, env: dict, ok: tuple[int, ...] = (0,)) -> tuple[float, float, float]:
    """(wall s, CPU s of the process and its waited-for children, peak RSS in MB) of one run."""
    wrapped = [GNU_TIME, "-f", _RSS_MARK + "%M", *argv] if GNU_TIME else argv
    start = time.perf_counter()
    proc = subprocess.Popen(wrapped, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    stderr = proc.stderr.read() if proc.stderr else b""
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if proc.stderr:
        proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    if code not in ok:
        raise SystemExit(f"{' '.join(argv)} in {cwd} failed ({code}): {stderr.decode(errors='replace')[:800]}")
    rss_mb = usage.ru_maxrss / 1024  # an upper bound without GNU time (see above)
    text = stderr.decode(errors="replace")
    if GNU_TIME and _RSS_MARK in text:
        rss_mb = int(text.rsplit(_RSS_MARK, 1)[1].split()[0]) / 1024
    return wall, usage.ru_utime + usage.ru_stime, rss_mb


class Variant(bench_variants.Variant):
    """One version of flowops' code, with its own cache folder and its own copies to write in."""

    def __init__(self, name: str, path: str, workdir: Path, data: Path) -> None:
        super().__init__(name, path, workdir, data)
        self.ops = workdir / f"ops-{name}"
        for variable in ("FLOWOPS_ROOT", "FLOWOPS_NO_HOOKS"):
            self.env.pop(variable, None)
        # promtool off PATH: ac verify's prom.rules check is skipped rather than timed.
        self.env["PATH"] = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if "/work/tools" not in p)
        self.check()
        self.feature = ""
        self.edit_target = ""
        self.edit_checked = False

    def flowops(self, *args: str, cwd: Path) -> subprocess.CompletedProcess:
        return subprocess.run([*self.command, *args], cwd=cwd, env=self.env, capture_output=True, text=True, check=True)

    def prepare_edit(self) -> None:
        out = self.flowops("task", "create", "Edit target", "--ac", "a", "--ac", "b", "--plain", cwd=self.scratch).stdout
        for line in out.splitlines():
            if line.startswith("Task "):
                self.edit_target = line.split()[1]
                return
        raise SystemExit(f"variant {self.name}: could not read the created task's id from:\n{out[:400]}")

    def prepare_ops(self, data: Path, size: int) -> None:
        """A copy of the backlog with a Validated feature whose operations tasks `operate` created."""
        shutil.rmtree(self.ops, ignore_errors=True)
        shutil.copytree(data, self.ops, symlinks=True)
        self.flowops("init", cwd=self.ops)
        out = self.flowops("task", "create", FEATURE_TITLE, "--labels", "workflow:Validated", "--plain", cwd=self.ops).stdout
        self.feature = next(line.split()[1] for line in out.splitlines() if line.startswith("Task "))
        (self.ops / "monitoring").mkdir(exist_ok=True)
        (self.ops / "monitoring" / "rules.yml").write_text(rules_yaml(ALERTS))
        self.flowops("operate", self.feature, "--alerts", "monitoring/rules.yml", "--plain", cwd=self.ops)

    def argv(self, case: str, middle: str) -> tuple[list[str], Path, tuple[int, ...]]:
        data_cases = {
            "version": ["--version"],
            "list-cold": ["task", "list", "--plain"],
            "list-warm": ["task", "list", "--plain"],
            "search-cold": ["search", QUERY, "--plain"],
            "search-warm": ["search", QUERY, "--plain"],
            "view": ["task", "view", middle, "--plain"],
            "lint": ["ac", "lint", "--all", "--json"],
            "lint-cold": ["ac", "lint", "--all", "--json"],
        }
        if case in data_cases:
            return self.command + data_cases[case], self.data, (0, 3)
        if case == "create":
            return self.command + ["task", "create", "Benchmark task", "--ac", "one"], self.scratch, (0,)
        if case == "edit":
            flag = "--uncheck-ac" if self.edit_checked else "--check-ac"
            self.edit_checked = not self.edit_checked
            return self.command + ["task", "edit", self.edit_target, flag, "1"], self.scratch, (0,)
        if case == "emit":
            return self.command + ["hooks", "emit", "task.created", "--task-id", "TASK-1"], self.scratch, (0,)
        if case == "operate-complete":
            return self.command + ["operate", self.feature, "--complete", "--alerts", "monitoring/rules.yml", "--plain"], self.ops, (0, 3)
        if case == "ac-check":
            return self.command + ["ac", "check", self.feature, "--recursive", "--plain"], self.ops, (0, 3)
        if case == "ac-verify":
            return self.command + ["ac", "verify", self.feature, "--recursive", "--plain"], self.ops, (0, 3)
        raise KeyError(case)

    data: Path = Path()



def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


Samples = dict[tuple[str, str], list[tuple[float, float, float]]]


def run_rounds(args: argparse.Namespace, cases: list[str], variants: list[Variant],
               data: Path) -> tuple[Samples, dict[str, list[float]], int]:
    """Every case once per variant in each round, Backlog.md's list and search in the first rounds."""
    middle = f"TASK-{args.size // 3}"
    samples: Samples = {}
    backlog_samples: dict[str, list[float]] = {}
    backlog_runs = args.backlog_runs if args.backlog_runs is not None else min(args.runs, 5)
    backlog_env = {**os.environ, "NO_COLOR": "1"}
    for round_ in range(args.runs):
        for case in cases:
            for variant in variants:
                argv, cwd, ok = variant.argv(case, middle)
                if case.endswith("-cold") or case in OPS_CASES:
                    variant.drop_cache()
                elif case.endswith("-warm"):
                    run_once(argv, cwd, variant.env, ok)
                    run_once(argv, cwd, variant.env, ok)
                elif case.startswith("lint") or case == "view":
                    # A view after a cold case would also time filling the folder-name
                    # cache (backlog/foldernames.py), which a cold case has just deleted.
                    run_once(argv, cwd, variant.env, ok)
                samples.setdefault((case, variant.name), []).append(run_once(argv, cwd, variant.env, ok))
        if args.backlog_bin and round_ < backlog_runs:
            for name, argv in (("list", ["task", "list", "--plain"]), ("search", ["search", QUERY, "--plain"])):
                if f"{name}-warm" in cases:
                    wall, _cpu, _rss = run_once([args.backlog_bin, *argv], data, backlog_env)
                    backlog_samples.setdefault(name, []).append(wall)
    return samples, backlog_samples, backlog_runs


def report(args: argparse.Namespace, cases: list[str], variants: list[Variant], samples: Samples,
           backlog_samples: dict[str, list[float]], backlog_runs: int, load: tuple[str, str]) -> dict:
    """Print the markdown tables; return every sample."""
    print(f"{args.size:,} tasks; {machine()}; {args.runs} interleaved rounds; load average {load[0]} before, "
          f"{load[1]} after\n")
    print("median wall (min-max); median CPU; peak RSS\n")
    print("| case | target | " + " | ".join(v.name for v in variants) + " |")
    print("|---|---|" + "---|" * len(variants))
    results: dict = {"size": args.size, "machine": machine(), "runs": args.runs, "load": list(load), "cases": {}, "backlog": {}}
    for case in cases:
        cells = []
        for variant in variants:
            got = samples[(case, variant.name)]
            walls, cpus, rss = [g[0] for g in got], [g[1] for g in got], [g[2] for g in got]
            cells.append(f"{statistics.median(walls):.3f} s ({min(walls):.3f}-{max(walls):.3f}); CPU {statistics.median(cpus):.3f} s; "
                         f"{max(rss):.0f} MB")
            results["cases"].setdefault(case, {})[variant.name] = {"wall": walls, "cpu": cpus, "rss_mb": rss}
        print(f"| {case} | <= {TARGETS[case]:.2f} s | " + " | ".join(cells) + " |")
    print(f"\nPeak memory target of a listing: <= {MEMORY_TARGET_MB} MB (the list rows' RSS above).")
    if backlog_samples:
        print(f"\nBacklog.md ({args.backlog_bin}), median of {backlog_runs} runs in the same rounds; ratio = its median / "
              f"flowops' warm median (target >= {RATIO_TARGET}x):\n")
        print("| command | Backlog.md | " + " | ".join(f"ratio, {v.name}" for v in variants) + " |")
        print("|---|---|" + "---|" * len(variants))
        for name, walls in backlog_samples.items():
            theirs = statistics.median(walls)
            results["backlog"][name] = walls
            ratios = [f"{theirs / statistics.median(g[0] for g in samples[(f'{name}-warm', v.name)]):.0f}x" for v in variants]
            print(f"| {name} | {theirs:.3f} s | " + " | ".join(ratios) + " |")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", action="append", required=True, metavar="NAME=SRC")
    parser.add_argument("--backlog-bin", help="the Backlog.md CLI, timed on the same data for the list/search ratio")
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--backlog-runs", type=int, default=None, help="Backlog.md runs (default: --runs, at most 5)")
    parser.add_argument("--only", default=",".join(CASES))
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="also write every sample here")
    args = parser.parse_args()
    cases = [c for c in args.only.split(",") if c]
    unknown = sorted(set(cases) - set(CASES))
    if unknown:
        raise SystemExit(f"unknown cases {unknown}; choose from {', '.join(CASES)}")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="flowops-speed-"))
    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / f"backlog-{args.size}"
    if not (data / "backlog" / "config.yml").exists():
        generate(data, args.size)
    Variant.data = data
    variants: list[Variant] = []
    for spec in args.variant:
        name, _, src = spec.partition("=")
        variant = Variant(name, src, workdir, data)
        if "edit" in cases:
            variant.prepare_edit()
        if any(c in cases for c in OPS_CASES):
            variant.prepare_ops(data, args.size)
        variants.append(variant)
    load_before = load_average()
    samples, backlog_samples, backlog_runs = run_rounds(args, cases, variants, data)
    load_after = load_average()
    results = report(args, cases, variants, samples, backlog_samples, backlog_runs, (load_before, load_after))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
