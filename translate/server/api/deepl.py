"""DeepL's API (``/v2/translate``, ``/v2/languages``, ``/v2/usage``), so that Mastodon, DeepL's
own client libraries (``server_url``) and the many apps that speak it can use this server.

Requests and answers are DeepL's, down to the error wording (``{"message"}``, shaped by
``app.py``). DeepL's parameters that steer something this server does not have are answered as
DeepL would answer them for a language without the feature: ``formality`` ``less``/``more`` is
refused (no target here supports formality; ``default`` and ``prefer_*`` pass), a
``glossary_id``/``glossary_ids``/``style_id``/``translation_memory_id`` names nothing here (404:
this server's glossary is set when it starts), ``tag_handling=xml`` is refused (only HTML markup
is carried through). ``split_sentences``, ``preserve_formatting``, ``outline_detection`` and
``model_type`` are checked as DeepL checks them, then ignored, like the ``*_tags`` lists,
``context``, ``custom_instructions`` and any parameter DeepL does not know. ``billed_characters``
comes when ``show_billed_characters`` is set, as at DeepL (its official client always sets it):
the text's characters, for HTML those outside the markup. ``show_scores=1`` (or ``scores=1``)
adds each text's model ``score`` and its ``sentences``; without it the answer is exactly DeepL's.
As at DeepL, the key comes first: a caller without a valid one is answered 403 before anything
of its request is checked.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from html.parser import HTMLParser
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse

from ...languages import base_language
from ..state import app_state, per_app
from ..errors import ApiError
from ..http import CLIENT_GONE, Params, read_params, unless_disconnected
from ..languages import name
from ..requests import Wording, api_key, check_texts, string, strict_flag
from ..service import Service, TextTranslation

router = APIRouter(tags=["DeepL"])

UNLIMITED = 10**12  # /v2/usage's character_limit when the server sets no per-minute limit
MAX_CALLERS = 10_000  # callers whose last minute /v2/usage remembers

# DeepL's target codes and names where they differ from "the language, upper-case".
_TARGETS = {"en": [("EN-GB", "English (British)"), ("EN-US", "English (American)")],
            "pt": [("PT-BR", "Portuguese (Brazilian)"), ("PT-PT", "Portuguese (European)")],
            "zh": [("ZH", "Chinese (simplified)"), ("ZH-HANS", "Chinese (simplified)")],
            "zh-Hant": [("ZH-HANT", "Chinese (traditional)")],
            "no": [("NB", "Norwegian (bokmål)")]}
_SOURCE_CODES = {"no": "NB"}
_CHOICES = {"split_sentences": ("0", "1", "nonewlines"),
            "formality": ("default", "more", "less", "prefer_more", "prefer_less"),
            "model_type": ("quality_optimized", "latency_optimized", "prefer_quality_optimized"),
            "tag_handling": ("html", "xml")}
_FLAGS = ("preserve_formatting", "outline_detection")
_RESOURCES = {"glossary_id": "Glossary", "glossary_ids": "Glossary", "style_id": "Style rule",
              "translation_memory_id": "Translation memory"}
DEEPL = Wording(not_a_string="Value for '{name}' not supported.", not_a_flag="Value for '{name}' not supported.",
                too_many="Too many texts: {count} sent, this server takes at most {limit} a request",
                too_long="Text too long: text {index} has {length} characters, this server takes at most {limit} "
                         "a text",
                not_unicode="Invalid request: Expected '{name}' parameter to be valid Unicode")


@router.post("/v2/translate", summary="Translate texts (DeepL)", operation_id="deepl_translate")
async def translate(request: Request) -> JSONResponse:
    """The key first (403 before anything else, as at DeepL), then the request, then its characters."""
    service, options, gate = app_state(request)
    params, key = await _admitted(request)
    texts = _texts(params, options.batch_limit, options.char_limit)
    target, source = _target(params, service), _source(params, service)
    html = _check_options(params) == "html"
    show_billed = strict_flag(params, "show_billed_characters", DEEPL)
    scores = strict_flag(params, "show_scores", DEEPL) | strict_flag(params, "scores", DEEPL)
    billed = [_visible_characters(t) if html else len(t) for t in texts]
    gate.charge(request, key=key, characters=sum(billed))
    work = (service.translate_html if html else service.translate_texts)(texts, source=source, target=target)
    done = await unless_disconnected(request, work)
    _usage(request).add(gate.caller(request, key), sum(billed))
    return JSONResponse({"translations": [_translation(d, n, show_billed, scores, service)
                                          for d, n in zip(done, billed)]})


@router.get("/v2/languages", summary="Source or target languages (DeepL)", operation_id="deepl_languages")
@router.post("/v2/languages", summary="Source or target languages (DeepL)", operation_id="deepl_languages_post")
async def languages(request: Request) -> JSONResponse:
    service, _, _ = app_state(request)
    params, _ = await _admitted(request)  # DeepL's client sends type in a GET's body
    kind = params.get("type", "source")
    if kind not in ("source", "target"):
        raise ApiError(400, "Parameter 'type' is invalid. 'source' and 'target' are valid values.")
    pairs = service.pairs()
    if kind == "source":
        sources = {_source_code(p.source): p.source for p in pairs if p.source != "auto"}
        return JSONResponse([{"language": code, "name": name(base_language(sources[code]))}
                             for code in sorted(sources)])
    targets = {code: label for p in pairs
               for code, label in _TARGETS.get(p.target, [(p.target.upper(), name(p.target))])}
    return JSONResponse([{"language": code, "name": targets[code], "supports_formality": False}
                         for code in sorted(targets)])


@router.get("/v2/usage", summary="Characters translated, and the limit (DeepL)", operation_id="deepl_usage")
@router.post("/v2/usage", summary="Characters translated, and the limit (DeepL)", operation_id="deepl_usage_post")
async def usage(request: Request) -> JSONResponse:
    """With a per-minute character limit: this caller's characters over the last minute, and that
    limit (so a client's "limit reached" means what a 429 would); without one: the characters
    translated through this API since the server started, and a limit no one reaches."""
    _, options, gate = app_state(request)
    _, key = await _admitted(request)
    tally = _usage(request)
    if options.char_limit_per_minute:
        count, limit = tally.last_minute(gate.caller(request, key)), options.char_limit_per_minute
    else:
        count, limit = tally.total, UNLIMITED
    return JSONResponse({"character_count": count, "character_limit": limit})


# -- reading a request ---------------------------------------------------------------------------------
async def _admitted(request: Request) -> tuple[Params, str | None]:
    """The request's parameters and key, the caller admitted by the gate (403, 429) before any of
    them is checked. ``Authorization: DeepL-Auth-Key KEY`` is admitted before the body is read; the
    legacy ``auth_key`` field needs the body, and a body that cannot be read is a 403 first."""
    _, options, gate = app_state(request)
    key = api_key(request, schemes=("deepl-auth-key",))
    if key is not None:
        gate.admit(request, key=key)
        return await read_params(request, options.body_limit), key
    try:
        params = await read_params(request, options.body_limit)
    except ApiError as error:
        if error.status != CLIENT_GONE:  # one who left is answered nothing, and counted as such
            gate.admit(request, key=None)
        raise
    key = api_key(request, params, fields=("auth_key",))
    gate.admit(request, key=key)
    return params, key


def _texts(params: Params, batch_limit: int, char_limit: int) -> list[str]:
    texts = params.all("text")
    if not texts:
        raise ApiError(400, "Parameter 'text' not specified.")
    if not all(isinstance(t, str) for t in texts):
        raise ApiError(400, "Invalid request: Expected 'text' parameter to be an array of strings")
    check_texts(texts, char_limit=char_limit, batch_limit=batch_limit, wording=DEEPL)
    return texts


def _target(params: Params, service: Service) -> str:
    """The routing table's code of ``target_lang``, refused in DeepL's words unless served."""
    code = string(params, "target_lang", DEEPL)
    if not code:
        raise ApiError(400, "Value for 'target_lang' not supported.")
    target = _language(service, code, "target")
    served = {base_language(p.target) for p in service.pairs()}
    if not service.translator.routed and base_language(target) not in served:
        raise ApiError(400, "Value for 'target_lang' not supported.")
    return target


def _source(params: Params, service: Service) -> str:
    code = string(params, "source_lang", DEEPL)
    if not code:
        return "auto"
    source = _language(service, code, "source")
    sources = {base_language(p.source) for p in service.pairs()}
    if source != "auto" and not service.translator.routed and "auto" not in sources \
            and base_language(source) not in sources:
        raise ApiError(400, "Value for 'source_lang' not supported.")
    return source


def _language(service: Service, code: str, role: str) -> str:
    try:
        found = service.language(code, role=role)
    except ApiError:
        raise ApiError(400, f"Value for '{role}_lang' not supported.") from None
    if found == "auto" and role == "target":
        raise ApiError(400, "Value for 'target_lang' not supported.")
    return found


def _check_options(params: Params) -> str | None:
    """DeepL's options checked as DeepL checks them; the tag handling asked for."""
    for option, allowed in _CHOICES.items():
        value = string(params, option, DEEPL)
        if value is not None and value.lower() not in allowed:
            raise ApiError(400, f"Value for '{option}' not supported.")
    for option in _FLAGS:
        strict_flag(params, option, DEEPL)
    if (string(params, "formality", DEEPL) or "").lower() in ("more", "less"):
        raise ApiError(400, "'formality' is not supported for given 'target_lang'.")
    for option, what in _RESOURCES.items():
        if params.get(option) in (None, "", []):
            continue
        if what == "Glossary" and not params.get("source_lang"):
            raise ApiError(400, "Use of a glossary requires the source_lang parameter to be specified")
        raise ApiError(404, f"{what} not found")
    tags = (string(params, "tag_handling", DEEPL) or "").lower() or None
    if tags == "xml":
        raise ApiError(400, "Value for 'tag_handling' not supported: this server carries HTML markup through "
                            "(tag_handling=html), not XML")
    return tags


# -- answering -----------------------------------------------------------------------------------------
def _translation(done: TextTranslation, billed: int, show_billed: bool, scores: bool,
                 service: Service) -> dict[str, Any]:
    out: dict[str, Any] = {"detected_source_language": _detected(done.source_language, service),
                           "text": done.text}
    if show_billed:
        out["billed_characters"] = billed
    if scores:
        out["score"] = done.score
        out["sentences"] = done.sentences
    return out


def _detected(language: str, service: Service) -> str:
    """DeepL's source code (``ZH``, ``EN``) of a detected language; for a text with nothing to
    detect (empty, digits), the server's own source language when it has one."""
    if language in ("", "und", "auto"):
        sources = {p.source for p in service.pairs() if p.source != "auto"}
        return _source_code(sources.pop()) if len(sources) == 1 else ""
    return _source_code(language)


def _source_code(language: str) -> str:
    base = base_language(language)
    return _SOURCE_CODES.get(base, base.upper())


def _visible_characters(fragment: str) -> int:
    """The characters DeepL bills for HTML: the text, not the markup."""
    counter = _TextCounter()
    counter.feed(fragment)
    counter.close()
    return counter.count


class _TextCounter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.count = 0

    def handle_data(self, data: str) -> None:
        self.count += len(data)


# -- usage ---------------------------------------------------------------------------------------------
class _Usage:
    """Characters translated through this API: in all since the server started, and each caller's
    (as the gate names it: :meth:`Gate.caller`, never by its key) over the last minute, what a
    per-minute limit counts. At most :data:`MAX_CALLERS` callers are remembered: the longest
    unseen is forgotten first."""

    def __init__(self) -> None:
        self.total = 0
        self._recent: OrderedDict[str, deque[tuple[float, int]]] = OrderedDict()

    def add(self, caller: str, characters: int) -> None:
        self.total += characters
        recent = self._recent.pop(caller, None) or deque()
        recent.append((time.monotonic(), characters))
        self._recent[caller] = recent
        while len(self._recent) > MAX_CALLERS:
            self._recent.popitem(last=False)
        self._expire(recent)

    def last_minute(self, caller: str) -> int:
        recent = self._recent.get(caller)
        return sum(n for _, n in self._expire(recent)) if recent else 0

    @staticmethod
    def _expire(recent: deque[tuple[float, int]]) -> deque[tuple[float, int]]:
        horizon = time.monotonic() - 60
        while recent and recent[0][0] < horizon:
            recent.popleft()
        return recent


def _usage(request: Request) -> _Usage:
    """The app's tally of characters translated."""
    return per_app(request, "deepl_usage", _Usage)

