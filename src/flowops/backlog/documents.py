"""Backlog.md documents (``backlog/docs/doc-N - Title.md``): read, create, update.

Runbook documents are ordinary Backlog.md documents (``type: guide``). As with tasks,
an update changes only what changed and an unchanged document keeps its bytes.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from flowops.atomic import atomic_write_bytes
from flowops.backlog.frontmatter import Frontmatter, FrontmatterError
from flowops.backlog.jsyaml import js_string
from flowops.backlog.model import Document
from flowops.backlog.naming import parse_doc_id, titled_filename
from flowops.backlog.taskfile import SplitDocument, TaskParseError, check_size, normalize_date, read_backlog_file
from flowops.errors import NotFoundError, StoreError, UsageError
from flowops.locks import file_lock

DOC_KEY_ORDER = ["id", "title", "type", "created_date", "updated_date", "tags"]
DOC_TYPES = ("readme", "guide", "specification", "other")
_DOC_NAME_RE = re.compile(r"^doc-(\d+(?:\.\d+)*)(?: - .*)?\.md$", re.I)


@dataclass
class DocumentFile:
    """A parsed document plus what is needed to write it back losslessly."""

    document: Document
    split: SplitDocument
    front: Frontmatter

    @classmethod
    def read(cls, path: Path) -> "DocumentFile":
        raw = read_backlog_file(path)
        split = SplitDocument(raw)
        try:
            front = Frontmatter.parse(split.front_text)
        except FrontmatterError as exc:
            raise TaskParseError(str(exc), exc.line) from None
        values = front.as_dict()
        tags = values.get("tags")
        document = Document(
            id=js_string(values.get("id")),
            title=js_string(values.get("title")),
            type=js_string(values.get("type")) or "other",
            created_date=normalize_date(values.get("created_date")),
            updated_date=normalize_date(values.get("updated_date")) or None,
            tags=[js_string(t) for t in tags] if isinstance(tags, list) else [],
            body=split.body_text,
            path=path,
        )
        if not document.id:
            raise TaskParseError("the frontmatter has no 'id'", 2)
        return cls(document, split, front)

    def render(self, document: Document) -> bytes:
        old = self.document
        if document == old:
            return self.split.raw
        front = self.front
        for key, attr in (("title", "title"), ("type", "type"), ("updated_date", "updated_date"), ("tags", "tags")):
            value = getattr(document, attr)
            if value == getattr(old, attr):
                continue
            if value in (None, "", []):
                front.delete(key)
            else:
                front.set(key, value, order=DOC_KEY_ORDER)
        body = document.body
        if body and not body.endswith("\n"):
            body += "\n"
        return self.split.assemble(front.render(), body)


def render_new_document(document: Document) -> bytes:
    """A new document exactly as Backlog.md writes one (gray-matter: frontmatter, then the body)."""
    front = Frontmatter()
    front.set("id", document.id, order=DOC_KEY_ORDER)
    front.set("title", document.title, order=DOC_KEY_ORDER)
    front.set("type", document.type, order=DOC_KEY_ORDER)
    front.set("created_date", document.created_date, order=DOC_KEY_ORDER)
    if document.updated_date:
        front.set("updated_date", document.updated_date, order=DOC_KEY_ORDER)
    if document.tags:
        front.set("tags", list(document.tags), order=DOC_KEY_ORDER)
    body = document.body
    if not body.endswith("\n"):
        body += "\n"
    return f"---\n{front.render()}\n---\n{body}".encode("utf-8")


class Documents:
    """The documents folder of a backlog."""

    def __init__(self, backlog) -> None:
        self.backlog = backlog
        self.dir = backlog.dir / "docs"

    def _files(self) -> list[Path]:
        found: list[Path] = []
        for folder, _dirs, files in os.walk(self.dir):
            found.extend(Path(folder) / name for name in files if _DOC_NAME_RE.match(name))
        return sorted(found)

    def list(self) -> tuple[list[Document], list[tuple[Path, str]]]:
        """All readable documents, and (path, reason) for the ones that are not."""
        documents, bad = [], []
        for path in self._files():
            try:
                documents.append(DocumentFile.read(path).document)
            except (TaskParseError, OSError) as exc:
                bad.append((path, getattr(exc, "reason", str(exc))))
        documents.sort(key=lambda d: _doc_number(d.id))
        return documents, bad

    def locate(self, doc_id: str) -> DocumentFile:
        wanted = parse_doc_id(doc_id)
        for path in self._files():
            match = _DOC_NAME_RE.match(path.name)
            if match and f"doc-{match.group(1)}".lower() == wanted.lower():
                try:
                    return DocumentFile.read(path)
                except TaskParseError as exc:
                    raise StoreError(f"{wanted} cannot be read: {exc.reason}", path=self.backlog.relpath(path),
                                     line=exc.line, hint="fix the file by hand; it was not changed") from None
        raise NotFoundError(f"document {wanted} not found", hint="`flowops doc list` shows the documents")

    def get(self, doc_id: str) -> Document:
        return self.locate(doc_id).document

    def create(self, title: str, *, type: str = "other", body: str = "", tags: list[str] | None = None,
               subfolder: str | None = None) -> Document:
        from flowops.backlog.store import now_stamp

        title = " ".join(title.split()).strip()
        if not title:
            raise UsageError("a document needs a title")
        if type not in DOC_TYPES:
            raise UsageError(f"unknown document type '{type}'", hint="use " + ", ".join(DOC_TYPES))
        folder = self.dir
        if subfolder:
            if os.path.isabs(subfolder) or ".." in Path(subfolder).parts:
                raise UsageError(f"document folder '{subfolder}' must stay inside backlog/docs")
            folder = self.dir / subfolder
        with file_lock(self.backlog._locks_dir() / "create-doc.lock"):
            numbers = [_doc_number(f"doc-{_DOC_NAME_RE.match(p.name).group(1)}")[0] for p in self._files()]
            doc_id = f"doc-{max(numbers, default=0) + 1}"
            document = Document(doc_id, title, type, now_stamp(), None, list(tags or []), body)
            path = folder / titled_filename(doc_id, title)
            data = render_new_document(document)
            check_size(data, doc_id)
            atomic_write_bytes(path, data)
        document.path = path
        return document

    def update(self, doc_id: str, mutate) -> tuple[Document, bool]:
        """Apply ``mutate`` to the document under a lock; returns (document, changed)."""
        from flowops.backlog.store import now_stamp

        wanted = parse_doc_id(doc_id)
        with file_lock(self.backlog._locks_dir() / f"{wanted}.lock"):
            doc_file = self.locate(wanted)
            import copy

            document = copy.deepcopy(doc_file.document)
            mutate(document)
            if document == doc_file.document:
                return document, False
            document.updated_date = now_stamp()
            data = doc_file.render(document)
            check_size(data, wanted)
            atomic_write_bytes(doc_file.document.path, data)
            return document, True


def _doc_number(doc_id: str) -> tuple[int, ...]:
    match = re.match(r"doc-(\d+(?:\.\d+)*)", doc_id, re.I)
    return tuple(int(p) for p in match.group(1).split(".")) if match else (0,)
