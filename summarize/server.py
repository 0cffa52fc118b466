"""``POST /v1/summarize`` for ``translate serve``: digests of a text or a page at several lengths.

``translate`` never imports ``summarize``; the server finds this route through the
``translate.server.routes`` entry point (pyproject.toml) and builds it from the server's public
request helpers (``translate.server.api.native``). Digests translate through the request's
translator directly (CPU work in a worker thread), not through the batcher — so, to bound that
work as the batcher's queue bounds translations, a few digests are made at once (the service's
``digest_slots``), a few more wait, and the rest are refused (503, Retry-After).
"""

from __future__ import annotations

import dataclasses
import logging

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from translate.errors import TranslateError, UsageError, first_line
from translate.server.api.native import (MEDIA_TYPES, SOURCE_FIELDS, Field, document_request, json_body, page_headers,
                                         public, read_document, request_pipeline)
from translate.server.errors import ApiError
from translate.server.http import unless_disconnected
from translate.server.state import app_state

from .digests import Digests
from .formats import FORMATS as DIGEST_FORMATS
from .formats import render as render_digests
from .formats import to_dict as digests_dict
from .lengths import DEFAULT_LENGTHS
from .summarizer import Summarizer

logger = logging.getLogger("translate.server")
router = APIRouter()
MAX_LENGTHS = 8  # digests per request

SUMMARIZE_FIELDS = {
    **SOURCE_FIELDS,
    "to": Field("string", "The digests' language: a code (default: the server's target), or source."),
    "lengths": Field("array", "Digest lengths: headline, short, medium, long, or budgets such as 3, 80w, 150c, "
                              "20% (default: all four presets)."),
    "format": Field("string", "json (default), text, bilingual, markdown, or html (a reading page of the "
                              "digests).", tuple(DIGEST_FORMATS)),
}


# -- /v1/summarize ----------------------------------------------------------------------------------------
@router.post(
    "/v1/summarize", summary="Digests of a document at several lengths",
    description="Send JSON: text (or url, when allowed), lengths (headline, short, medium, long, or budgets "
                "like 80w), to (a language code, or source), from, format. One extractive ranking is cut at "
                "every length; only the picked sentences are translated (by the model directly, not through "
                "the batcher). format json (default) answers what `summarize -f json` writes.",
    openapi_extra=json_body(SUMMARIZE_FIELDS),
    responses={200: {"description": "The digests in the requested format"}, 400: {"description": "Invalid request"},
               403: {"description": "URL fetching refused, or no key"}, 413: {"description": "Body over the limit"},
               502: {"description": "The URL could not be read"},
               503: {"description": "Too many digests in progress: retry after Retry-After seconds"}})
async def summarize(request: Request) -> Response:
    service, _, gate = app_state(request)
    values = await document_request(request, SUMMARIZE_FIELDS)
    source = service.language(values.get("from"), role="source")
    default_target = service.translator.load.target_language
    to = values.get("to", default_target)
    to = "source" if to.strip().lower() == "source" else service.language(to, role="target")
    translator = service.translator_for(source, default_target if to == "source" else to)
    lengths = list(dict.fromkeys(values.get("lengths") or ()))
    if len(lengths) > MAX_LENGTHS:
        raise ApiError(400, f"Invalid request: at most {MAX_LENGTHS} lengths")
    try:
        summarizer = Summarizer(lengths or DEFAULT_LENGTHS, to=to, translator=translator)
    except UsageError as exc:
        raise ApiError(400, f"Invalid request: {first_line(exc)}") from None
    pipeline = request_pipeline(translator.pipeline, values)

    async def work() -> tuple[Digests, dict]:
        async with service.digest_slots.taken():  # reading a page is CPU work too: inside the slot
            doc = await read_document(service, gate, values, pipeline, None, None if source == "auto" else source)
            return await run_in_threadpool(summarizer.summarize, doc), doc.metadata

    try:
        digests, metadata = await unless_disconnected(request, work())
    except UsageError as exc:
        raise ApiError(400, f"Invalid request: {first_line(exc)}") from None
    except TranslateError as exc:
        logger.error("summarizing failed: %s", first_line(exc))
        raise ApiError(500, "summarizing failed; the server's log says why") from None
    digests = dataclasses.replace(digests, info=public(digests.info))
    fmt = values.get("format", "json")
    return await run_in_threadpool(response, digests, fmt, metadata)  # rendering: not on the event loop


def response(digests: Digests, fmt: str, metadata: dict) -> Response:
    """The digests in ``fmt``: what ``summarize -f FORMAT`` writes (html: with its CSP)."""
    if fmt == "json":
        return JSONResponse(digests_dict(digests))
    body = render_digests(fmt, digests, (), metadata)
    headers = page_headers(body) if fmt == "html" else None
    return Response(body, media_type=MEDIA_TYPES.get(fmt, "text/plain; charset=utf-8"), headers=headers)


