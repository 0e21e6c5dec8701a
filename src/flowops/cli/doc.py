"""``flowops doc ...``: list, view and create Backlog.md documents (runbooks are documents)."""

from __future__ import annotations

import click

from flowops.cli.common import open_backlog
from flowops.cli.groups import HelpGroup
from flowops.cli.output import output_options, print_json, resolve_mode, warn, write


@click.group("doc", cls=HelpGroup)
def doc_group() -> None:
    """Backlog.md documents in backlog/docs/ (runbooks live here)."""


@doc_group.command("list")
@output_options
def doc_list(plain, as_json):
    """List documents."""
    from flowops.backlog.documents import Documents
    from flowops.backlog.views import document_json

    mode = resolve_mode(plain, as_json)
    project, backlog = open_backlog()
    documents, bad = Documents(backlog).list()
    for path, reason in bad:
        warn(f"{project.relpath(path)}: {reason}")
    if mode == "json":
        print_json({"schemaVersion": 1, "kind": "document-list", "documents": [document_json(d, project.root) for d in documents]})
    elif not documents:
        write("No documents found.\n")
    else:
        write("".join(f"{d.id} - {d.title}\n" for d in documents))


@doc_group.command("view")
@click.argument("doc_id")
@output_options
def doc_view(doc_id, plain, as_json):
    """Show a document."""
    from flowops.backlog.documents import Documents
    from flowops.backlog.views import document_json

    mode = resolve_mode(plain, as_json)
    project, backlog = open_backlog()
    doc_file = Documents(backlog).locate(doc_id)
    if mode == "json":
        data = document_json(doc_file.document, project.root) | {"body": doc_file.document.body}
        print_json({"schemaVersion": 1, "kind": "document-view", "document": data})
    else:
        write(doc_file.split.raw.decode("utf-8"))


@doc_group.command("create")
@click.argument("title")
@click.option("-t", "--type", "doc_type", default="other", show_default=True,
              type=click.Choice(["readme", "guide", "specification", "other"]), help="Document type.")
@click.option("-p", "--path", "subfolder", help="Subfolder of backlog/docs.")
@click.option("-c", "--content", default="", help="Markdown body.")
@output_options
def doc_create(title, doc_type, subfolder, content, plain, as_json):
    """Create a document."""
    from flowops.backlog.documents import Documents

    mode = resolve_mode(plain, as_json)
    project, backlog = open_backlog()
    document = Documents(backlog).create(title, type=doc_type, body=content, subfolder=subfolder)
    if mode == "json":
        print_json({"schemaVersion": 1, "kind": "document-create", "document": {"id": document.id, "path": project.relpath(document.file)}})
    else:
        write(f"Created document {document.id}\nPath: {project.relpath(document.file)}\n")


@doc_group.command("edit")
@click.argument("doc_id")
@click.option("-t", "--title", help="New title.")
@click.option("-c", "--content", help="Replace the body with this markdown.")
@click.option("--file", "content_file", type=click.Path(exists=True, dir_okay=False), help="Replace the body with this file's text.")
@output_options
def doc_edit(doc_id, title, content, content_file, plain, as_json):
    """Change a document's title or body (only what changes is written)."""
    from pathlib import Path

    from flowops.backlog.documents import Documents
    from flowops.errors import UsageError

    mode = resolve_mode(plain, as_json)
    if content is not None and content_file is not None:
        raise UsageError("--content and --file cannot be used together")
    if title is None and content is None and content_file is None:
        raise UsageError("nothing to change", hint="give --title, --content or --file")
    body = Path(content_file).read_text(encoding="utf-8") if content_file else content
    project, backlog = open_backlog()

    def mutate(document) -> None:
        if title is not None:
            document.title = " ".join(title.split())
        if body is not None:
            document.body = body if body.endswith("\n") else body + "\n"

    document, changed = Documents(backlog).update(doc_id, mutate)
    if mode == "json":
        print_json({"schemaVersion": 1, "kind": "document-edit", "document": {"id": document.id, "changed": changed,
                                                                            "path": project.relpath(document.file)}})
    else:
        write(f"Updated document {document.id}\n" if changed else f"No change to document {document.id}\n")
