"""The ``file`` check: each named path exists inside the repository and is not empty."""

from __future__ import annotations

import os
import stat

from flowops.checks.arguments import parse_arguments, repository_paths
from flowops.checks.model import Check, CheckContext, CheckResult, CheckUsageError, Evidence, passed, verdict

USAGE = "file PATH..."


def _paths(args: list[str]) -> list[str]:
    paths = repository_paths("file", parse_arguments("file", args).positional)
    if not paths:
        raise CheckUsageError(f"file: name at least one path: {USAGE}")
    return paths


def validate(args: list[str]) -> None:
    _paths(args)


def check_file(ctx: CheckContext, args: list[str]) -> CheckResult:
    problems: list[Evidence] = []
    found: list[Evidence] = []
    root = os.path.realpath(ctx.root)
    for path in _paths(args):
        full = os.path.join(ctx.root, path)
        real = os.path.realpath(full)
        if real != root and not real.startswith(root + os.sep):
            problems.append(Evidence(path, None, "is a symlink to a place outside the repository"))
            continue
        try:
            info = os.stat(real)
        except OSError:
            problems.append(Evidence(path, None, "does not exist"))
            continue
        if stat.S_ISDIR(info.st_mode):
            try:
                entries = [e for e in os.listdir(real) if not e.startswith(".")]
            except OSError as exc:
                problems.append(Evidence(path, None, f"cannot be listed: {exc.strerror or exc}"))
                continue
            if entries:
                found.append(Evidence(path, None, f"folder with {len(entries)} {'entry' if len(entries) == 1 else 'entries'}"))
            else:
                problems.append(Evidence(path, None, "is an empty folder"))
        elif stat.S_ISREG(info.st_mode):
            if info.st_size > 0:
                found.append(Evidence(path, None, f"{info.st_size:,} bytes"))
            else:
                problems.append(Evidence(path, None, "is empty"))
        else:
            problems.append(Evidence(path, None, "is not a regular file or folder"))
    if problems:
        return verdict(problems, "", "{count} of " + f"{len(problems) + len(found)} paths missing or empty")
    return passed(f"{len(found)} paths exist and are not empty", found)


CHECK = Check("file", "each path exists inside the repository and is not empty (a folder: has entries)", check_file,
              USAGE, validate, reads="the named files and folders")
