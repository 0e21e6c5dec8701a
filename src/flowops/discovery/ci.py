"""CI definitions: GitHub Actions workflows read in full, other CI systems recognised by their files."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from flowops.discovery.shapes import mapping
from flowops.yamlfile import Locations

GITHUB_WORKFLOWS = ".github/workflows/"
# Files that name a CI system; their jobs are listed for GitLab only (the others vary too much).
OTHER_CI: dict[str, str] = {
    ".gitlab-ci.yml": "gitlab-ci",
    "Jenkinsfile": "jenkins",
    ".circleci/config.yml": "circleci",
    "azure-pipelines.yml": "azure-pipelines",
    "bitbucket-pipelines.yml": "bitbucket-pipelines",
    ".travis.yml": "travis-ci",
    ".drone.yml": "drone",
    ".woodpecker.yml": "woodpecker",
    ".buildkite/pipeline.yml": "buildkite",
    "cloudbuild.yaml": "cloud-build",
    "cloudbuild.yml": "cloud-build",
}
_GITLAB_RESERVED = frozenset({"stages", "variables", "default", "include", "workflow", "image", "services", "cache",
                              "before_script", "after_script", "types", "pages"})


def is_github_workflow(path: str) -> bool:
    """True for ``.github/workflows/NAME.yml`` and ``.yaml`` (directly in that folder, as GitHub reads them)."""
    return (path.startswith(GITHUB_WORKFLOWS) and "/" not in path[len(GITHUB_WORKFLOWS):]
            and path.endswith((".yml", ".yaml")))


def other_ci_system(path: str) -> str | None:
    return OTHER_CI.get(path)


@dataclass(frozen=True)
class Step:
    """One ``uses:`` or ``run:`` of a workflow: a step of a job, or a job calling a reusable workflow."""

    job: str
    index: int | None  # None for a job-level ``uses:`` (reusable workflow)
    name: str | None
    uses: str | None
    run: str | None
    with_: dict
    line: int

    @property
    def label(self) -> str:
        """``job build step "Checkout"`` / ``job build step 3`` / ``job deploy``, for evidence."""
        if self.index is None:
            return f"job {self.job}"
        return f'job {self.job} step "{self.name}"' if self.name else f"job {self.job} step {self.index + 1}"


@dataclass
class CiFile:
    """A CI definition. GitHub workflows keep their data and lines for the ``gha.*`` checks."""

    path: str
    system: str
    jobs: list[str]
    data: dict | None = None
    where: Locations | None = None
    line: int = 1
    problems: list[str] = field(default_factory=list)

    def line_of(self, *keys: Any) -> int:
        return (self.where.line(*keys) if self.where else None) or self.line

    @property
    def job_data(self) -> dict[str, dict]:
        jobs = (self.data or {}).get("jobs")
        return {str(k): v for k, v in jobs.items() if isinstance(v, dict)} if isinstance(jobs, dict) else {}

    def steps(self) -> Iterator[Step]:
        """Every step of every job, and every job-level ``uses:``, in file order."""
        for job_id, job in self.job_data.items():
            if isinstance(job.get("uses"), str):
                with_ = mapping(job.get("with"))
                yield Step(job_id, None, None, job["uses"].strip(), None, with_, self.line_of("jobs", job_id, "uses"))
            steps = job.get("steps")
            if not isinstance(steps, list):
                continue
            for index, step in enumerate(steps):
                if not isinstance(step, dict):
                    continue
                uses = step.get("uses")
                run = step.get("run")
                with_ = mapping(step.get("with"))
                name = step.get("name")
                key = "uses" if uses is not None else "run" if run is not None else None
                line = self.line_of("jobs", job_id, "steps", index, *((key,) if key else ()))
                yield Step(job_id, index, str(name) if name is not None else None,
                           uses.strip() if isinstance(uses, str) else None, run if isinstance(run, str) else None,
                           with_, line)

    def to_dict(self) -> dict:
        return {"path": self.path, "system": self.system, "jobs": list(self.jobs)}


def github_workflow(path: str, data: Any, where: Locations, line: int) -> CiFile:
    """A GitHub Actions workflow from its loaded YAML (a malformed one is kept with its problem)."""
    if not isinstance(data, dict):
        return CiFile(path, "github-actions", [], None, where, line, ["the workflow is not a mapping"])
    jobs = data.get("jobs")
    names = [str(k) for k in jobs] if isinstance(jobs, dict) else []
    problems = [] if names else ["the workflow has no jobs"]
    return CiFile(path, "github-actions", names, data, where, line, problems)


def gitlab_jobs(data: Any) -> list[str]:
    """The job names of a .gitlab-ci.yml: top-level mappings that are not settings or hidden (``.name``)."""
    if not isinstance(data, dict):
        return []
    return [str(k) for k, v in data.items()
            if isinstance(v, dict) and str(k) not in _GITLAB_RESERVED and not str(k).startswith(".")]


def is_dockerfile(path: str) -> bool:
    """Dockerfile, Containerfile, ``*.Dockerfile`` and ``Dockerfile.*`` (``Dockerfile.dev``)."""
    name = posixpath.basename(path)
    return (name in ("Dockerfile", "Containerfile") or name.endswith((".Dockerfile", ".dockerfile"))
            or name.startswith(("Dockerfile.", "Containerfile.")))


def base_images(text: str) -> list[str]:
    """The images of the ``FROM`` lines of a Dockerfile, in order (``--platform`` and ``AS name`` dropped)."""
    images = []
    for raw in text.splitlines():
        words = raw.strip().split()
        if len(words) >= 2 and words[0].upper() == "FROM":
            rest = [w for w in words[1:] if not w.startswith("--")]
            if rest:
                images.append(rest[0])
    return images
