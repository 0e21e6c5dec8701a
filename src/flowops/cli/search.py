"""``flowops search QUERY``: find tasks and documents (Backlog.md's search output)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

import click

from flowops.cli.common import open_backlog, split_values
from flowops.cli.output import output_options, print_json, resolve_mode, warn, write
from flowops.errors import UsageError

if TYPE_CHECKING:
    from pathlib import Path

    from flowops.backlog.model import Document
    from flowops.backlog.rows import Listed, Row, RowListing


@click.command("search")
@click.argument("query")
@click.option("-s", "--status", "statuses", multiple=True, help="Only tasks with these statuses.")
@click.option("--priority", type=click.Choice(["high", "medium", "low"], case_sensitive=False), help="Only this priority.")
@click.option("--type", "kind", type=click.Choice(["task", "document"]), help="Only tasks or only documents.")
@click.option("--limit", type=click.IntRange(min=1), help="At most N results.")
@output_options
def search_command(query, statuses, priority, kind, limit, plain, as_json):
    """Search task titles, descriptions, criteria, notes, labels and documents."""
    from flowops.backlog.rows import RowListing
    from flowops.backlog.search import search

    mode = resolve_mode(plain, as_json)
    project, backlog = open_backlog()
    if mode != "json":
        try:
            wanted_status = {backlog.canonical_status(s).lower() for s in split_values(statuses)}
        except UsageError:
            wanted_status = None  # reported below, after the listing's warnings, as always
        if wanted_status is not None:
            _search_plain(project, backlog, query, wanted_status, priority, kind, limit)
            return
    # Plain text prints a few fields of each hit: listing rows and their text are enough,
    # no Task is built. JSON prints whole tasks.
    listing = backlog.load(("tasks", "completed")) if mode == "json" else backlog.rows(("tasks", "completed"), text=True)
    for bad in listing.bad:
        warn(bad.problem(project.root))
    wanted_status = {backlog.canonical_status(s).lower() for s in split_values(statuses)}
    documents: list[Document] = []
    if kind != "task" and not wanted_status and not priority:
        documents, bad_docs = _documents(backlog)
        for path, reason in bad_docs:
            warn(f"{project.relpath(path)}: {reason}")
    if isinstance(listing, RowListing):
        write(_plain_text(_search_listing(listing, documents, query, wanted_status, priority, kind, limit)))
        return
    from flowops.backlog.model import Task
    from flowops.backlog.views import document_json, is_ready, task_summary_json

    tasks = [t for t in listing.tasks if _wanted(t, wanted_status, priority)] if kind != "document" else []
    hits = search(tasks, documents, query, limit=limit)
    by_id = {t.id.upper(): t for t in listing.tasks}
    done = backlog.config.done_status
    results = []
    for hit in hits:
        if isinstance(hit.item, Task):
            ready = is_ready(hit.item, lambda dep: by_id.get(dep.upper()), done)
            results.append({"type": "task", "data": task_summary_json(hit.item, is_ready=ready) | {"score": hit.score}})
        else:
            results.append({"type": "document", "data": document_json(hit.item, project.root) | {"score": hit.score}})
    print_json({"schemaVersion": 1, "kind": "search", "results": results})


def _search_plain(project, backlog, query: str, wanted_status: set[str], priority: str | None, kind: str | None,
                  limit: int | None) -> None:
    """``search`` in plain text: the hits are ranked and printed while the files are checked against the cache (render_rows)."""
    from flowops.backlog.search import ROW_FIELDS_READ

    documents: list[Document] = []
    bad_docs: list = []
    if kind != "task" and not wanted_status and not priority:
        documents, bad_docs = _documents(backlog)

    def render(listing: RowListing) -> str:
        return _plain_text(_search_listing(listing, documents, query, wanted_status, priority, kind, limit))

    # With no cache, the readers score the rows they read (each half on its own core).
    words = query.lower().split() if kind != "document" else []
    listing, text = backlog.render_rows(("tasks", "completed"), render, text=True, fields=ROW_FIELDS_READ, search=words or None)
    for bad in listing.bad:
        warn(bad.problem(project.root))
    for path, reason in bad_docs:
        warn(f"{project.relpath(path)}: {reason}")
    write(text)


def _documents(backlog) -> tuple[list[Document], list[tuple[Path, str]]]:
    """Documents(backlog).list(): the documents and the unreadable ones; with no file in the docs folder, no import.

    Reading documents imports their parser and the task model (~8 ms, an eighth of a
    warm search); a backlog without documents (Backlog.md's init makes the folder
    empty) needs neither. Documents.list walks the folder the same way (no symlinked folder).
    """
    if not any(files for _folder, _dirs, files in os.walk(backlog.dir / "docs")):
        return [], []
    from flowops.backlog.documents import Documents

    return Documents(backlog).list()


def _search_listing(listing: RowListing, documents: list[Document], query: str, wanted_status: set[str], priority: str | None,
                    kind: str | None, limit: int | None) -> list[tuple[float, str, Row | Document]]:
    from flowops.backlog.search import rank_rows

    rows, texts, scores = listing.rows, listing.texts or [], listing.scores
    if kind == "document":
        rows, texts, scores = [], [], None
    elif wanted_status or priority:
        keep = [i for i, row in enumerate(rows) if _wanted(row, wanted_status, priority)]
        rows, texts = [rows[i] for i in keep], [texts[i] for i in keep]
        scores = [scores[i] for i in keep] if scores is not None else None
    # listing.scores are for this query: only _search_plain's render_rows asks the readers for them.
    return rank_rows(rows, texts, documents, query, limit=limit, scores=scores)


def _plain_text(hits: Sequence[tuple[float, str, Row | Document]]) -> str:
    """The hits (search.rank_rows: score, kind, item) as Backlog.md prints them: tasks, then documents."""
    if not hits:
        return "No results found.\n"
    out = []
    task_hits = cast("list[tuple[float, Row]]", [(score, item) for score, kind, item in hits if kind == "task"])
    doc_hits = [(score, item) for score, kind, item in hits if kind != "task"] if len(task_hits) < len(hits) else []
    if task_hits:
        out.append("Tasks:")
        # Few distinct priorities and scores: each is formatted once. Rows are tuples: id,
        # title, status, priority first (rows.Row).
        priorities = {p: f" [{p.upper()}]" if p else "" for p in {t[3] for _score, t in task_hits}}
        scores = {score: f"{score:.3f}" for score in {score for score, _t in task_hits}}
        out += [f"  {t[0]} - {t[1]} ({t[2]}){priorities[t[3]]} [score {scores[score]}]" for score, t in task_hits]
    if doc_hits:
        if out:
            out.append("")
        out.append("Documents:")
        for score, document in doc_hits:
            out.append(f"  {document.id} - {document.title} [score {score:.3f}]")
    out.append("")  # the last newline, without copying the whole text again to add it
    return "\n".join(out)


def _wanted(task: Listed, statuses: set[str], priority: str | None) -> bool:
    return (not statuses or task.status.lower() in statuses) and (not priority or task.priority == priority.lower())
