"""Helpers for workflow tests: parse workflow text, an in-memory backlog, a recording emitter."""

from __future__ import annotations

import textwrap

from flowops.backlog.config import BacklogConfig
from flowops.backlog.model import Task
from flowops.backlog.store import Update
from flowops.errors import NotFoundError
from flowops.workflow.loader import parse_workflow
from flowops.yamlfile import load_yaml


def parse(text: str, path: str = "workflow.yml"):
    data, locations = load_yaml(textwrap.dedent(text), path)
    return parse_workflow(data, locations)


class MemoryBacklog:
    """The slice of the store API that transitions use: get(), a locked update() and config (the done status)."""

    def __init__(self, *tasks: Task) -> None:
        self.config = BacklogConfig()
        self.tasks = {task.id: task for task in tasks}
        self.writes = 0
        self.before_update = None  # a callable run between the guard's read and the write

    def get(self, task_id: str) -> Task:
        wanted = str(task_id).upper()
        if not wanted.startswith("TASK-"):
            wanted = f"TASK-{wanted}"
        if wanted not in self.tasks:
            raise NotFoundError(f"task {task_id} not found")
        return self.tasks[wanted].copy()

    def update(self, task_id: str, mutate) -> Task:
        if self.before_update is not None:
            self.before_update(self.tasks[task_id])
        before = self.tasks[task_id].copy()
        fresh = before.copy()
        mutate(fresh)
        self.tasks[task_id] = fresh
        self.writes += 1
        return Update(before, fresh.copy(), ["labels"])


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, dict]] = []

    def __call__(self, event_type: str, task_id: str, data: dict) -> None:
        self.events.append((event_type, task_id, data))

    @property
    def types(self) -> list[str]:
        return [event[0] for event in self.events]


def task(number: int, *labels: str) -> Task:
    return Task(id=f"TASK-{number}", title=f"Task {number}", status="To Do", labels=list(labels))
