"""Time flowops (and the Backlog.md CLI, when on PATH) on generated backlogs.

    python bench/run.py [--sizes 1000,10000] [--runs 7] [--backlog-bin PATH] [--out bench/out]

Every figure is the median wall time of --runs subprocess runs on the same data. "cold"
deletes the cache folder before each run (FLOWOPS_CACHE_DIR, pointed at the work folder
so the benchmark never touches the user's cache); "warm" runs after one untimed run. Edits and
creates run against a copy of the data, so every run does real work. Prints a markdown
table (for docs/benchmarks.md) and writes results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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

FLOWOPS = [str(Path(sys.executable).with_name("flowops"))]


def timed(cmd: list[str], cwd: Path, env: dict, prepare=None, runs: int = 7) -> list[float]:
    samples = []
    for _ in range(runs):
        if prepare:
            prepare()
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, stdin=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
        if proc.returncode not in (0,):
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode()[:500]}")
    return samples


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def bench_size(size: int, runs: int, backlog_bin: str | None, workdir: Path) -> dict:
    data = workdir / f"backlog-{size}"
    if not data.exists():
        generate(data, size)
    cache = workdir / f"cache-{size}"
    env = {**os.environ, "NO_COLOR": "1", "FLOWOPS_CACHE_DIR": str(cache)}
    # An installed package has its bytecode compiled; measure that, not source compilation.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    results: dict[str, dict] = {}
    middle = f"TASK-{size // 3}"

    def drop_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    def record(name: str, samples: list[float]) -> None:
        results[name] = {"median_s": round(median(samples), 4), "samples": [round(s, 4) for s in samples]}

    record("flowops --version", timed(FLOWOPS + ["--version"], data, env, runs=runs))
    record("task list --plain (cold)", timed(FLOWOPS + ["task", "list", "--plain"], data, env, drop_cache, runs))
    timed(FLOWOPS + ["task", "list", "--plain"], data, env, runs=1)
    record("task list --plain (warm)", timed(FLOWOPS + ["task", "list", "--plain"], data, env, runs=runs))
    record("search (warm)", timed(FLOWOPS + ["search", "latency budget", "--plain"], data, env, runs=runs))
    record("search (cold)", timed(FLOWOPS + ["search", "latency budget", "--plain"], data, env, drop_cache, runs))
    record("task view", timed(FLOWOPS + ["task", "view", middle, "--plain"], data, env, runs=runs))

    scratch = workdir / f"scratch-{size}"
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(data, scratch, symlinks=True)
    record("task create", timed(FLOWOPS + ["task", "create", "Benchmark task", "--ac", "one"], scratch, env, runs=runs))
    target = FLOWOPS + ["task", "create", "Edit target", "--ac", "a", "--ac", "b"]
    subprocess.run(target, cwd=scratch, env=env, check=True, stdout=subprocess.PIPE)
    new_id = f"TASK-{_max_top(scratch)}"
    flip = {"checked": False}

    def toggle_cmd() -> None:
        flip["checked"] = not flip["checked"]

    samples = []
    for _ in range(runs):
        flag = "--check-ac" if not flip["checked"] else "--uncheck-ac"
        toggle_cmd()
        start = time.perf_counter()
        subprocess.run(FLOWOPS + ["task", "edit", new_id, flag, "1"], cwd=scratch, env=env, check=True, stdout=subprocess.PIPE)
        samples.append(time.perf_counter() - start)
    record("task edit --check-ac", samples)

    backlog_results: dict[str, dict] = {}
    if backlog_bin:
        bruns = max(3, runs // 2)

        def brecord(name: str, cmd: list[str], cwd: Path) -> None:
            backlog_results[name] = {"median_s": round(median(timed(cmd, cwd, env, runs=bruns)), 4)}

        brecord("task list --plain (warm)", [backlog_bin, "task", "list", "--plain"], data)
        brecord("search (warm)", [backlog_bin, "search", "latency budget", "--plain"], data)
        brecord("task view", [backlog_bin, "task", "view", middle, "--plain"], data)
        brecord("task create", [backlog_bin, "task", "create", "Benchmark task", "--ac", "one"], scratch)
        brecord("task edit --check-ac", [backlog_bin, "task", "edit", new_id, "--check-ac", "2"], scratch)
        brecord("flowops --version", [backlog_bin, "--version"], data)
    shutil.rmtree(scratch, ignore_errors=True)
    return {"size": size, "flowops": results, "backlog": backlog_results}


def _max_top(root: Path) -> int:
    best = 0
    for name in os.listdir(root / "backlog" / "tasks"):
        head = name.split(" - ")[0]
        if head.count("-") == 1 and "." not in head:
            best = max(best, int(head.split("-")[1]))
    return best


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return (f"{os.cpu_count()} cores ({cpu}){mem}, {platform.python_implementation()} {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def markdown(all_results: list[dict]) -> str:
    lines = ["| backlog size | command | flowops median | Backlog.md 1.52 median | ratio |", "|---|---|---|---|---|"]
    for result in all_results:
        for name, figures in result["flowops"].items():
            ours = figures["median_s"]
            theirs = result["backlog"].get(name, {}).get("median_s")
            ratio = f"{theirs / ours:.0f}x faster" if theirs else ""
            theirs_text = f"{theirs:.3f} s" if theirs else ""
            lines.append(f"| {result['size']:,} | `{name}` | {ours:.3f} s | {theirs_text} | {ratio} |")
    return "\n".join(lines)


def _compile_package() -> None:
    import compileall

    import flowops

    compileall.compile_dir(str(Path(flowops.__file__).parent), quiet=1)


def main() -> None:
    _compile_package()
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--backlog-bin", default=shutil.which("backlog"))
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="flowops-bench-"))
    all_results = [bench_size(int(size), args.runs, args.backlog_bin, workdir) for size in args.sizes.split(",")]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps({"machine": machine(), "results": all_results}, indent=2))
    print(f"Machine: {machine()}\n")
    print(markdown(all_results))


if __name__ == "__main__":
    main()
