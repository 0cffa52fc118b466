"""The custom-endpoint shape of Immersive Translate, kiss-translator and DeepLX front-ends:
``POST /imme`` with ``{"source_lang", "target_lang", "text_list"}`` answers
``{"translations": [{"detected_source_lang", "text"}]}``, one per text, in order.

Language codes come as those apps write them: DeepL's (``ZH``, ``EN-US``, ``ZH-HANT``) or
Immersive Translate's (``zh-CN``, ``zh-TW``, ``en``); an empty or ``auto`` source is detected. The
key is the ``token`` query parameter or an ``Authorization: Bearer`` header. ``scores=true`` (ours)
adds each text's mean model score.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse

from ...detect import UNDETERMINED
from ..state import app_state
from ..errors import ApiError
from ..http import Params, read_params, unless_disconnected

router = APIRouter(tags=["DeepLX / Immersive Translate"])
_TRUE = {"1", "true", "yes", "on"}


@router.post("/imme")
async def imme(request: Request) -> JSONResponse:
    """Translate ``text_list`` from ``source_lang`` (empty or ``auto``: detected) to ``target_lang``."""
    service, options, gate = app_state(request)
    params = await read_params(request, options.body_limit)
    texts, invalid = _texts(params)
    gate.admit(request, key=_key(request), characters=sum(len(t) for t in texts))
    if invalid:
        raise invalid
    if options.batch_limit and len(texts) > options.batch_limit:
        raise ApiError(400, f"Invalid request: request ({len(texts)}) exceeds text limit ({options.batch_limit})")
    for text in texts:
        if options.char_limit and len(text) > options.char_limit:
            raise ApiError(400, f"Invalid request: request ({len(text)}) exceeds text limit ({options.char_limit})")
    given_source, given_target = _code(params, "source_lang"), _code(params, "target_lang")
    if not given_target:
        raise ApiError(400, "Invalid request: missing target_lang parameter")
    source = service.language(given_source, role="source")
    target = service.language(given_target, role="target")
    done = await unless_disconnected(request, service.translate_texts(texts, source=source, target=target)) \
        if texts else []
    deepl_style = given_target.isupper()
    scores = _flag(params.get("scores"))
    known = [d.source_language for d in done if d.source_language != UNDETERMINED]
    translations = []
    for d in done:
        detected = given_source if source != "auto" and given_source else \
            d.source_language if d.source_language != UNDETERMINED or not known else known[0]
        item: dict[str, Any] = {"detected_source_lang": detected.upper() if deepl_style else detected,
                                "text": d.text}
        if scores:
            item["score"] = d.score
        translations.append(item)
    return JSONResponse({"translations": translations})


def _texts(params: Params) -> tuple[list[str], ApiError | None]:
    """``text_list`` (a JSON list of strings; form fields may repeat it) and the 400 it deserves."""
    values = params.values.get("text_list")
    if not values:
        return [], ApiError(400, "Invalid request: missing text_list parameter")
    texts = values[0] if len(values) == 1 and isinstance(values[0], list) else values
    if not all(isinstance(t, str) for t in texts):
        return [], ApiError(400, "Invalid request: text_list must be a list of strings")
    return list(texts), None


def _code(params: Params, name: str) -> str | None:
    value = params.get(name)
    if value is None or isinstance(value, str):
        return value
    raise ApiError(400, f"Invalid request: {name} parameter must be a string")


def _key(request: Request) -> str | None:
    """``?token=`` (Immersive Translate's custom API URL) or ``Authorization: Bearer`` (DeepLX's)."""
    token = request.query_params.get("token")
    if token:
        return token
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return credentials.strip() or None if scheme.lower() == "bearer" else None


def _flag(value: Any) -> bool:
    return value is True or isinstance(value, str) and value.strip().lower() in _TRUE
