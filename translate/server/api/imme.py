"""The custom-endpoint shape of Immersive Translate, kiss-translator and DeepLX front-ends:
``POST /imme`` with ``{"source_lang", "target_lang", "text_list"}`` answers
``{"translations": [{"detected_source_lang", "text"}]}``, one per text, in order.

Language codes come as those apps write them: DeepL's (``ZH``, ``EN-US``, ``ZH-HANT``) or
Immersive Translate's (``zh-CN``, ``zh-TW``, ``en``); an empty or ``auto`` source is detected. The
key is the ``token`` query parameter or an ``Authorization: Bearer`` header. ``scores=true`` (ours)
adds each text's mean model ``score`` and its ``sentences`` (source, translation, score), as the
other APIs' ``scores`` do.
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
from ..requests import api_key, check_texts, flag, string

router = APIRouter(tags=["DeepLX / Immersive Translate"])


@router.post("/imme")
async def imme(request: Request) -> JSONResponse:
    """Translate ``text_list`` from ``source_lang`` (empty or ``auto``: detected) to ``target_lang``."""
    service, options, gate = app_state(request)
    params = await read_params(request, options.body_limit)
    texts, invalid = _texts(params)
    key = api_key(request, request.query_params, fields=("token",), schemes=("bearer",))
    gate.admit(request, key=key, characters=sum(len(t) for t in texts))
    if invalid:
        raise invalid
    check_texts(texts, char_limit=options.char_limit, batch_limit=options.batch_limit, name="text_list")
    given_source, given_target = string(params, "source_lang"), string(params, "target_lang")
    if not given_target:
        raise ApiError(400, "Invalid request: missing target_lang parameter")
    source = service.language(given_source, role="source")
    target = service.language(given_target, role="target")
    done = await unless_disconnected(request, service.translate_texts(texts, source=source, target=target)) \
        if texts else []
    deepl_style = given_target.isupper()
    scores = flag(params, "scores")
    known = [d.source_language for d in done if d.source_language != UNDETERMINED]
    translations = []
    for d in done:
        detected = given_source if source != "auto" and given_source else \
            d.source_language if d.source_language != UNDETERMINED or not known else known[0]
        item: dict[str, Any] = {"detected_source_lang": detected.upper() if deepl_style else detected,
                                "text": d.text}
        if scores:
            item["score"] = d.score
            item["sentences"] = d.sentences
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
