"""Time two or more versions of flowops against each other, interleaved, on one generated backlog.

    python bench/bench_variants.py --variant before=/tmp/base/src --variant after=src \\
        [--size 10000] [--runs 7] [--only list-cold,list-warm,view,create] [--workdir DIR]

Each variant is a ``src`` folder (e.g. ``git archive <commit> src | tar -x -C /tmp/base``),
run by this interpreter with ``PYTHONPATH`` pointing at it, so both use the same
interpreter and libraries and differ only in flowops' code. More folders may follow,
separated by ``:`` (e.g. ``after=src:/tmp/filelock-3.20``, a library version installed
with ``pip install --target``); they come before the interpreter's own packages. Every round runs every case
once per variant, in turn, so load from other work on a shared machine hits all variants
alike; medians are taken over the rounds. Besides wall time, the CPU time (user + system)
of the process and the children it waited for is reported: it is far less disturbed by
other load than wall time.

Cases: ``version`` (start-up), ``list-cold`` (``task list --plain`` after deleting the
cache), ``list-warm`` (after an untimed run), ``view`` (``task view`` of a middle task),
``create`` (``task create`` in a per-variant copy of the backlog), ``search-warm``,
``emit`` (``hooks emit`` with no handler: the git-hook path, which appends to the audit log
under a lock).
"""

from __future__ import annotations

import argparse
import compileall
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

from gen_backlog import generate  # noqa: E402

CASES = ("version", "list-cold", "list-warm", "view", "create", "search-warm", "emit")


def run_once(argv: list[str], cwd: Path, env: dict) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its waited-for children) of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read() if proc.stderr else b""
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {stderr.decode(errors='replace')[:500]}")
    return wall, usage.ru_utime + usage.ru_stime


class Variant:
    def __init__(self, name: str, path: str, workdir: Path, data: Path) -> None:
        self.name = name
        first, *more = path.split(os.pathsep)
        self.src = Path(first).resolve()
        self.cache = workdir / f"cache-{name}"
        self.scratch = workdir / f"scratch-{name}"
        shutil.rmtree(self.scratch, ignore_errors=True)
        shutil.copytree(data, self.scratch, symlinks=True)
        self.env = {
            **os.environ, "NO_COLOR": "1", "PYTHONPATH": os.pathsep.join([str(self.src), *more]), "FLOWOPS_CACHE_DIR": str(self.cache),
        }
        # As an installed package has it: bytecode compiled, not compiled on every run.
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        compileall.compile_dir(str(self.src / "flowops"), quiet=1)
        self.command = [sys.executable, "-m", "flowops"]

    def check(self) -> None:
        probe = subprocess.run([sys.executable, "-c", "import flowops; print(flowops.__file__)"], env=self.env,
                               capture_output=True, text=True, check=True).stdout.strip()
        if not probe.startswith(str(self.src)):
            raise SystemExit(f"variant {self.name}: flowops imports from {probe}, not {self.src}")

    def drop_cache(self) -> None:
        shutil.rmtree(self.cache, ignore_errors=True)


def case_argv(case: str, middle: str) -> list[str]:
    return {
        "version": ["--version"],
        "list-cold": ["task", "list", "--plain"],
        "list-warm": ["task", "list", "--plain"],
        "view": ["task", "view", middle, "--plain"],
        "create": ["task", "create", "Benchmark task", "--ac", "one"],
        "search-warm": ["search", "latency budget", "--plain"],
        "emit": ["hooks", "emit", "task.created", "--task-id", "TASK-1"],
    }[case]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", action="append", required=True, metavar="NAME=SRC")
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", default=",".join(CASES))
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    cases = [c for c in args.only.split(",") if c]
    unknown = sorted(set(cases) - set(CASES))
    if unknown:
        raise SystemExit(f"unknown cases {unknown}; choose from {', '.join(CASES)}")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="flowops-variants-"))
    data = workdir / f"backlog-{args.size}"
    if not data.exists():
        generate(data, args.size)
    variants = []
    for spec in args.variant:
        name, _, src = spec.partition("=")
        variant = Variant(name, src, workdir, data)
        variant.check()
        variants.append(variant)
    middle = f"TASK-{args.size // 3}"
    samples: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for _round in range(args.runs):
        for case in cases:
            for variant in variants:
                cwd = variant.scratch if case in ("create", "emit") else data
                argv = variant.command + case_argv(case, middle)
                if case == "list-cold":
                    variant.drop_cache()
                elif case in ("list-warm", "search-warm"):
                    run_once(argv, cwd, variant.env)
                samples.setdefault((case, variant.name), []).append(run_once(argv, cwd, variant.env))
    print(f"{args.size:,} tasks, {args.runs} interleaved rounds, median (min-max) wall; median CPU\n")
    print("| case | " + " | ".join(v.name for v in variants) + " |")
    print("|---|" + "---|" * len(variants))
    for case in cases:
        cells = []
        for variant in variants:
            walls = [w for w, _c in samples[(case, variant.name)]]
            cpus = [c for _w, c in samples[(case, variant.name)]]
            cells.append(f"{statistics.median(walls):.3f} s ({min(walls):.3f}-{max(walls):.3f}); CPU {statistics.median(cpus):.3f} s")
        print(f"| {case} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
