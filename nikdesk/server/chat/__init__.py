"""Nik over HTTP: chat sessions and answers, photos, the manuals (search, documents).

``router`` holds every route of this package (one line in ``app.py`` registers it).
"""

from fastapi import APIRouter

from nikdesk.server.chat import library, routes, uploads

router = APIRouter()
router.include_router(routes.router)
router.include_router(uploads.router)
router.include_router(library.router)

__all__ = ["router"]
