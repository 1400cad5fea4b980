"""The manuals the server answers from: /search, /documents, a document's PDF (opens at a page)."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from nikdesk.server.auth.deps import require_verified
from nikdesk.server.engine import ChatEngine, engine_of
from nikdesk.server.errors import not_found
from nikdesk.server.models import User
from nikdesk.server.nik import DocumentEntry, SearchFilters, SearchOptions

from .schemas import DocumentOut, SearchHitOut, document_link

router = APIRouter(tags=["library"])
Verified = Annotated[User, Depends(require_verified)]
_checked: dict[Path, str] = {}  # file -> sha256, hashed once per process
_checked_lock = threading.Lock()


def _engine(request: Request) -> ChatEngine:
    return engine_of(request.app)


@router.get("/search", response_model=list[SearchHitOut])
async def search(
    request: Request,
    user: Verified,
    q: Annotated[str, Query(min_length=1, max_length=400)],
    k: Annotated[int, Query(ge=1, le=50)] = 5,
    manufacturer: Annotated[str | None, Query(max_length=60)] = None,
    product: Annotated[str | None, Query(max_length=60)] = None,
    file: Annotated[str | None, Query(max_length=200)] = None,
    mode: Annotated[str, Query(pattern="^(hybrid|hybrid-rrf|dense|lexical)$")] = "hybrid",
) -> list[SearchHitOut]:
    """Search the manuals (hybrid: meaning + exact words); one hit per page, best first."""
    engine = _engine(request)
    filters = SearchFilters(
        files=(file,) if file else (),
        manufacturers=(manufacturer,) if manufacturer else (),
        products=(product,) if product else (),
    )
    options = SearchOptions(k=k, filters=filters, mode=mode)
    hits = await engine.call(engine.retriever.search, q, options)
    titles = {d.doc_id: d.title or d.file for d in engine.retriever.documents}
    return [
        SearchHitOut(
            doc_id=h.chunk.doc_id,
            file=h.chunk.file,
            title=titles.get(h.chunk.doc_id, h.chunk.file),
            page=h.chunk.page_start,
            page_end=h.chunk.page_end,
            section=h.chunk.section,
            kind=h.chunk.kind,
            text=h.chunk.text,
            score=h.score,
            link=document_link(h.chunk.doc_id, h.chunk.page_start),
        )
        for h in hits
    ]


def _document_out(engine: ChatEngine, entry: DocumentEntry, page: int | None = None) -> DocumentOut:
    has_file = _locate(engine, entry) is not None
    download = document_link(entry.doc_id) if has_file else None
    return DocumentOut(
        id=entry.doc_id,
        file=entry.file,
        title=entry.title or entry.file,
        manufacturer=entry.manufacturer,
        language=entry.language,
        pages=entry.pages,
        chunks=entry.chunks,
        url=f"/documents/{entry.doc_id}",
        download_url=download,
        page_url=document_link(entry.doc_id, page) if has_file and page else None,
    )


def _entry(engine: ChatEngine, doc_id: str) -> DocumentEntry:
    for entry in engine.retriever.manifest.documents:
        if entry.doc_id == doc_id:
            return entry
    raise not_found("Dokument")


@router.get("/documents", response_model=list[DocumentOut])
def documents(request: Request, user: Verified) -> list[DocumentOut]:
    """List the indexed manuals."""
    engine = _engine(request)
    return [_document_out(engine, e) for e in engine.retriever.manifest.documents]


@router.get("/documents/{doc_id}", response_model=DocumentOut)
def document(
    doc_id: str,
    request: Request,
    user: Verified,
    page: Annotated[int | None, Query(ge=1)] = None,
) -> DocumentOut:
    """Return a manual's metadata and its download link (``page_url`` opens at ``page``)."""
    engine = _engine(request)
    entry = _entry(engine, doc_id)
    if page is not None and page > entry.pages:
        raise not_found("Seite")
    return _document_out(engine, entry, page)


@router.get("/documents/{doc_id}/file", response_class=FileResponse)
async def document_file(doc_id: str, request: Request, user: Verified) -> FileResponse:
    """Return the manual's PDF (any verified user; ``#page=N`` in the link opens page N)."""
    engine = _engine(request)
    entry = _entry(engine, doc_id)
    path = await run_in_threadpool(_locate, engine, entry)
    if path is None:
        raise not_found("PDF")
    return FileResponse(
        path,
        media_type="application/pdf",
        filename=entry.file,
        content_disposition_type="inline",
    )


def _locate(engine: ChatEngine, entry: DocumentEntry) -> Path | None:
    """Find the indexed file in the document folders; only the very file that was indexed."""
    candidates = [d / entry.relpath for d in engine.documents_dirs]
    candidates += [d / entry.file for d in engine.documents_dirs]
    for path in candidates:
        if path.is_file() and _sha256(path) == entry.sha256:
            return path
    return None


def _sha256(path: Path) -> str:
    with _checked_lock:
        known = _checked.get(path)
    if known is None:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        known = digest.hexdigest()
        with _checked_lock:
            _checked[path] = known
    return known
