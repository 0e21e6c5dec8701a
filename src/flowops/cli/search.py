"""``flowops search QUERY``: find tasks and documents (Backlog.md's search output)."""

from __future__ import annotations

import click

from flowops.cli.common import open_backlog, split_values
from flowops.cli.output import output_options, print_json, resolve_mode, warn, write


@click.command("search")
@click.argument("query")
@click.option("-s", "--status", "statuses", multiple=True, help="Only tasks with these statuses.")
@click.option("--priority", type=click.Choice(["high", "medium", "low"], case_sensitive=False), help="Only this priority.")
@click.option("--type", "kind", type=click.Choice(["task", "document"]), help="Only tasks or only documents.")
@click.option("--limit", type=click.IntRange(min=1), help="At most N results.")
@output_options
def search_command(query, statuses, priority, kind, limit, plain, as_json):
    """Search task titles, descriptions, criteria, notes, labels and documents."""
    from flowops.backlog.documents import Documents
    from flowops.backlog.model import Document, Task
    from flowops.backlog.search import search
    from flowops.backlog.views import document_json, is_ready, task_summary_json

    mode = resolve_mode(plain, as_json)
    project, backlog = open_backlog()
    listing = backlog.load(("tasks", "completed"))
    for bad in listing.bad:
        warn(bad.problem(project.root))
    wanted_status = {backlog.canonical_status(s).lower() for s in split_values(statuses)}
    tasks = [
        t for t in listing.tasks
        if (not wanted_status or t.status.lower() in wanted_status) and (not priority or t.priority == priority.lower())
    ]
    documents: list[Document] = []
    if kind != "task" and not wanted_status and not priority:
        documents, bad_docs = Documents(backlog).list()
        for path, reason in bad_docs:
            warn(f"{project.relpath(path)}: {reason}")
    if kind == "document":
        tasks = []
    hits = search(tasks, documents, query, limit=limit)
    if mode == "json":
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
        return
    if not hits:
        write("No results found.\n")
        return
    out = []
    task_hits = [(h.item, h.score) for h in hits if isinstance(h.item, Task)]
    doc_hits = [(h.item, h.score) for h in hits if isinstance(h.item, Document)]
    if task_hits:
        out.append("Tasks:")
        for t, score in task_hits:
            priority_text = f" [{t.priority.upper()}]" if t.priority else ""
            out.append(f"  {t.id} - {t.title} ({t.status}){priority_text} [score {score:.3f}]")
    if doc_hits:
        if out:
            out.append("")
        out.append("Documents:")
        for document, score in doc_hits:
            out.append(f"  {document.id} - {document.title} [score {score:.3f}]")
    write("\n".join(out) + "\n")
