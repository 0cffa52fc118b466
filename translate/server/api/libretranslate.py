"""LibreTranslate's API (placeholder: /translate only, minimal)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse

from ..app import app_state
from ..http import read_params, unless_disconnected

router = APIRouter()


@router.post("/translate")
async def translate(request: Request) -> JSONResponse:
    service, options, gate = app_state(request)
    params = await read_params(request, options.body_limit)
    q = params.get("q")
    texts = q if isinstance(q, list) else [q]
    source = service.language(params.get("source"), role="source")
    target = service.language(params.get("target"), role="target")
    done = await unless_disconnected(request, service.translate_texts(texts, source=source, target=target))
    out = [d.text for d in done]
    return JSONResponse({"translatedText": out if isinstance(q, list) else out[0]})
