"""LibreTranslate's API, request and response shapes as its ``app.py`` has them, so that the
clients configured for a LibreTranslate server (Mastodon, Discourse, ``libretranslatepy``, its
own web page) work unchanged: ``/translate``, ``/detect``, ``/languages``, ``/translate_file`` with
``/download_file`` (a file is a document: at most 20 texts' worth of characters, as ``/v1``'s),
``/frontend/settings`` and ``/health``. Errors are ``{"error": ...}`` in
LibreTranslate's wording where it has one.

Beyond LibreTranslate (off unless asked, so its shapes stay exact): ``scores=true`` adds each
text's mean model score and its sentences' scores; a missing ``source`` means ``auto``; form
fields may repeat ``q`` to send a list.
"""

from __future__ import annotations

import re
import tempfile
import threading
import unicodedata
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...detect import UNDETERMINED
from ...errors import TranslateError
from ...languages import base_language
from ..state import app_state, per_app
from ..errors import ApiError
from ..http import Params, read_body, read_params, unless_disconnected
from ..languages import name as language_name
from ..markup import lex
from ..requests import LIBRETRANSLATE, api_key, check_texts, flag, string
from ..service import Service, TextTranslation
from .native import document_limit

router = APIRouter(tags=["LibreTranslate"])

FORMATS = ("text", "html")
FILE_FORMATS = {".txt": "text", ".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown"}
FRONTEND_TIMEOUT = 500          # LibreTranslate's default (ms the web page waits after typing)
DETECT_CHARACTERS = 10_000      # detection reads this much of a text: enough, and bounded
# what LibreTranslate clients call Chinese: zh / zh-Hans (Simplified), zt / zh-Hant (Traditional)
CHINESE_SOURCES = ("zh", "zh-Hans", "zt", "zh-Hant")
CHINESE_TARGETS = ("zh", "zh-Hans")


# -- /translate ------------------------------------------------------------------------------------------
@router.post("/translate")
async def translate(request: Request) -> JSONResponse:
    """Translate ``q`` (a string or a list of strings) from ``source`` (a code or ``auto``) to ``target``;
    ``format`` ``text`` or ``html``; ``alternatives``; ``api_key``. ``scores=true`` (ours) adds
    the model's scores."""
    service, options, _ = app_state(request)
    params, q, texts = await _admitted(request)
    target_code = string(params, "target")
    if not target_code:
        raise ApiError(400, "Invalid request: missing target parameter")
    alternatives = _alternatives(params)
    text_format = string(params, "format") or "text"
    check_texts(texts, char_limit=options.char_limit, batch_limit=options.batch_limit, name="q",
                count=isinstance(q, list))  # LibreTranslate counts a list's texts only
    source = service.language(string(params, "source"), role="source")
    target = service.language(target_code, role="target")
    if text_format not in FORMATS:
        raise ApiError(400, f"{text_format[:40]} format is not supported")
    translate_with = service.translate_html if text_format == "html" else service.translate_texts
    done = await unless_disconnected(request, translate_with(texts, source=source, target=target))
    return JSONResponse(_translated(done, batch=isinstance(q, list), detected=source == "auto",
                                    alternatives=alternatives, scores=flag(params, "scores")))


def _translated(done: Sequence[TextTranslation], *, batch: bool, detected: bool, alternatives: int,
                scores: bool) -> dict[str, Any]:
    """LibreTranslate's answer: one value per text for a list ``q``, the value itself for a string."""
    def each(values: list[Any]) -> Any:
        return values if batch else values[0]

    result: dict[str, Any] = {"translatedText": each([d.text for d in done])}
    if detected:
        result["detectedLanguage"] = each(_detections(done))
    if alternatives > 0:  # one model, one hypothesis kept: there are none to offer
        result["alternatives"] = each([[] for _ in done])
    if scores:
        result["scores"] = each([d.score for d in done])
        result["sentences"] = each([d.sentences for d in done])
    return result


def _detections(done: Sequence[TextTranslation]) -> list[dict[str, Any]]:
    """Each text's language; one too short to tell (empty, digits) takes the request's (the most
    confident), as LibreTranslate gives every text of a request the same."""
    known = [d for d in done if d.source_language != UNDETERMINED]
    best = max(known, key=lambda d: d.confidence or 0.0) if known else None
    return [_detection(d.source_language, d.confidence) if d.source_language != UNDETERMINED or best is None
            else _detection(best.source_language, best.confidence) for d in done]


def _detection(language: str, confidence: float | None) -> dict[str, Any]:
    return {"confidence": confidence if confidence is not None else 100.0, "language": language}


async def _admitted(request: Request) -> tuple[Params, Any, list[str]]:
    """The request's parameters, ``q`` as sent and its texts — the caller admitted first (key,
    rate, characters), then ``q`` checked, as LibreTranslate orders them."""
    _, options, gate = app_state(request)
    params = await read_params(request, options.body_limit)
    q, texts, invalid = _texts(params)
    gate.admit(request, key=api_key(request, params), characters=sum(len(t) for t in texts))
    if invalid:
        raise invalid
    return params, q, texts


def _texts(params: Params) -> tuple[Any, list[str], ApiError | None]:
    """``q`` as sent (a string or a list: JSON's, or form fields repeated), its texts, and the 400
    it deserves (raised only after the key is checked, as LibreTranslate does)."""
    values = params.values.get("q", [])
    q = values if len(values) > 1 else values[0] if values else None
    if not q:
        return q, [], ApiError(400, "Invalid request: missing q parameter")
    texts = q if isinstance(q, list) else [q]
    if not all(isinstance(t, str) for t in texts):
        return q, [], ApiError(400, "Invalid request: q must be a string or a list of strings")
    return q, [t.replace("\r\n", "\n") for t in texts], None


def _alternatives(params: Params) -> int:
    value = params.get("alternatives", 0)
    if isinstance(value, bool) or not isinstance(value, (int, str)) or \
            isinstance(value, str) and not re.fullmatch(r"\s*-?\d{1,9}\s*", value):
        raise ApiError(400, "Invalid request: alternatives parameter is not a number")
    return max(0, int(value))


# -- /detect ---------------------------------------------------------------------------------------------
@router.post("/detect")
async def detect(request: Request) -> JSONResponse:
    """The language of ``q`` (a list is read as one text, as LibreTranslate does):
    ``[{"confidence": 0-100, "language": code}]``."""
    service, options, _ = app_state(request)
    params, q, texts = await _admitted(request)
    text = "\n".join(texts)[:DETECT_CHARACTERS]
    language, confidence = await unless_disconnected(request, run_in_threadpool(service.detect, text))
    return JSONResponse([_detection(language, confidence)])


# -- /languages, /frontend/settings, /health -------------------------------------------------------------
@router.get("/languages")
async def languages(request: Request) -> JSONResponse:
    """``[{"code", "name", "targets"}]``: every language this server reads or writes, Chinese under
    each code LibreTranslate clients know it by."""
    service, _, _ = app_state(request)
    return JSONResponse(language_list(service))


def language_list(service: Service) -> list[dict[str, Any]]:
    targets: dict[str, set[str]] = {}
    for pair in service.pairs():
        written = _codes(pair.target, CHINESE_TARGETS)
        for target in written:
            targets.setdefault(target, set())
        if pair.source != "auto":
            for source in _codes(pair.source, CHINESE_SOURCES):
                targets.setdefault(source, set()).update(t for t in written if t != source)
    return [{"code": code, "name": _name(code), "targets": sorted(targets[code])} for code in sorted(targets)]


def _codes(code: str, chinese: Sequence[str]) -> Sequence[str]:
    return chinese if base_language(code) == "zh" else (code,)


def _name(code: str) -> str:
    return language_name({"zt": "zh-Hant"}.get(code, code))


@router.get("/frontend/settings")
async def frontend_settings(request: Request) -> JSONResponse:
    """What LibreTranslate's web page reads first: limits, whether keys are on, file formats,
    the languages it starts with."""
    service, options, _ = app_state(request)
    targets = sorted({pair.target for pair in service.pairs()})
    target = targets[0] if targets else "en"
    return JSONResponse({
        "charLimit": options.char_limit or -1,
        "frontendTimeout": FRONTEND_TIMEOUT,
        "apiKeys": options.api_keys is not None,
        "keyRequired": options.api_keys is not None,
        "suggestions": False,
        "filesTranslation": True,
        "supportedFilesFormat": list(FILE_FORMATS),
        "language": {"source": {"code": "auto", "name": "Auto Detect"},
                     "target": {"code": target, "name": _name(target)}},
    })


@router.get("/health")
async def health(request: Request) -> JSONResponse:
    """``{"status": "ok"}`` (LibreTranslate's answer) once the server answers requests."""
    return JSONResponse({"status": "ok"})


# -- /translate_file, /download_file ---------------------------------------------------------------------
@router.post("/translate_file")
async def translate_file(request: Request) -> JSONResponse:
    """Translate an uploaded .txt, .html or .md file (multipart ``file``, ``source``, ``target``,
    ``api_key``); the answer is where to download the translation for a while:
    ``{"translatedFileUrl": ".../download_file/<id>-<name>"}``."""
    service, options, gate = app_state(request)
    fields, filename, data = await _multipart(request, options.body_limit)
    gate.admit(request, key=api_key(request, fields), characters=len(data))
    if filename is None:
        raise ApiError(400, "Invalid request: missing file parameter")
    if not fields.get("target"):
        raise ApiError(400, "Invalid request: missing target parameter")
    if not filename:
        raise ApiError(400, "Invalid request: empty file")
    name = safe_name(filename)
    kind = FILE_FORMATS.get(Path(name).suffix.lower())
    if kind is None:
        raise ApiError(400, "Invalid request: file format not supported")
    source = service.language(fields.get("source"), role="source")
    target = service.language(fields["target"], role="target")
    text = await run_in_threadpool(_decoded, data, name, None if source == "auto" else source)
    await run_in_threadpool(_check_size, text, kind, document_limit(service))
    translated = await unless_disconnected(request, _translate_file(service, text, kind, source, target))
    stored = files_of(request).put(name, translated.encode("utf-8"))
    return JSONResponse({"translatedFileUrl": f"{str(request.base_url).rstrip('/')}/download_file/{quote(stored)}"})


@router.get("/download_file/{name}")
async def download_file(request: Request, name: str) -> Response:
    """A file ``/translate_file`` translated, while it is kept (the newest files, within bounds). An
    uploaded page may hold scripts: it is served as an attachment in a sandbox, never as a page."""
    data = files_of(request).get(name)
    if data is None:
        raise ApiError(404, "Invalid request: no such file (translated files are kept for a while only)")
    shown = name.split("-", 1)[1]
    kind = FILE_FORMATS.get(Path(shown).suffix.lower(), "text")
    media = {"html": "text/html", "markdown": "text/markdown"}.get(kind, "text/plain")
    fallback = shown.encode("ascii", "replace").decode().replace("?", "_")
    return Response(data, media_type=f"{media}; charset=utf-8", headers={  # a download, never a page of ours
        "Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(shown)}",
        "Content-Security-Policy": "sandbox; default-src 'none'", "X-Content-Type-Options": "nosniff"})


async def _multipart(request: Request, limit: int) -> tuple[dict[str, str], str | None, bytes]:
    """The form's text fields, the ``file``'s name (None: no file) and bytes; the body is read
    within the limit first (413), and must be complete."""
    kind = request.headers.get("content-type", "")
    if kind.split(";")[0].strip().lower() != "multipart/form-data":
        raise ApiError(400, "Invalid request: send the file as multipart/form-data")
    body = await read_body(request, limit)
    boundary = re.search(r'boundary="?([^";]{1,200})', kind)
    if not boundary or b"--" + boundary.group(1).encode("latin-1", "replace") + b"--" not in body:
        raise ApiError(400, "Invalid request: the multipart body is incomplete")
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, replay).form(max_files=1, max_fields=16)
    except (MultiPartException, HTTPException):
        raise ApiError(400, "Invalid request: the multipart body is malformed") from None
    try:
        fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            return fields, None, b""
        return fields, upload.filename or "", await upload.read()
    finally:
        await form.close()


def _decoded(data: bytes, name: str, language: str | None) -> str:
    """The file's text: UTF-8, or a legacy encoding detected the way files are read (GB18030, Big5...)."""
    from ...reading import decode_text

    if not data.strip():
        raise ApiError(400, "Invalid request: empty file")
    try:
        return decode_text(data, name, language=language, clean=False).replace("\0", "")
    except (TranslateError, UnicodeError):
        raise ApiError(400, "Invalid request: the file is not text in an encoding this server reads") from None


def _check_size(text: str, kind: str, limit: int) -> None:
    """A file is a document: at most ``limit`` characters (0: none; ``native.document_limit``, the
    rule of ``/v1/translate``), counted as the text to translate — a page's text, not its markup
    or scripts — and refused in LibreTranslate's words for a text over its limit."""
    if not limit:
        return
    size = sum(t.end - t.start for t in lex(text) if t.kind == "text") if kind == "html" else len(text)
    if size > limit:
        raise ApiError(400, LIBRETRANSLATE.too_long.format(length=size, limit=limit))


async def _translate_file(service: Service, text: str, kind: str, source: str, target: str) -> str:
    """The translated document, in the file's own format."""
    if kind == "html":
        return await _translate_page(service, text, source, target)
    translator = service.translator_for(source, target)
    if kind == "markdown":
        from ...output.markdown_writer import write_markdown
        from ...spans import mask_markdown

        document = await run_in_threadpool(_markdown_document, translator, text)
        done = await service.translate_documents(translator, [document], source=source, masker=mask_markdown)
        return "".join(write_markdown(done[0].document.paragraphs, document.metadata, document.layout))
    document = await run_in_threadpool(service.segment, translator, text)
    done = await service.translate_documents(translator, [document], source=source)
    return done[0].text + ("\n" if text.endswith("\n") else "")


def _markdown_document(translator: Any, text: str) -> Any:
    from ...options import PipelineOptions
    from ...sources.reader import read_text

    try:
        return read_text(text, pipeline=PipelineOptions(input_format="markdown"),
                         segmenter=translator.segmenter).document()
    except TranslateError:
        raise ApiError(400, "Invalid request: the Markdown file cannot be read") from None


_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_BODY_CLOSE = re.compile(r"</body\s*>", re.IGNORECASE)
_CHARSET = re.compile(r"""(<meta\b[^>]{0,200}?charset\s*=\s*["']?)[\w-]{1,40}""", re.IGNORECASE)


async def _translate_page(service: Service, page: str, source: str, target: str) -> str:
    """An HTML file: its body's markup translated (``Service.translate_html``), the head kept, the
    charset it declares made UTF-8 (what the translation is written in)."""
    opened = _BODY_OPEN.search(page)
    start = opened.end() if opened else 0
    closes = [m.start() for m in _BODY_CLOSE.finditer(page, start)] if opened else []
    end = closes[-1] if closes else len(page)
    head, body, tail = page[:start], page[start:end], page[end:]
    head = _CHARSET.sub(r"\g<1>utf-8", head[:1024]) + head[1024:]
    done = await service.translate_html([body], source=source, target=target)
    return head + done[0].text + tail


def safe_name(raw: str) -> str:
    """A client's file name reduced to a harmless one: its last path part, letters, digits, ``.``,
    ``-`` and ``_`` only (NUL, slashes, ``..`` and controls gone), no leading dot, at most 100
    characters with its extension kept."""
    last = re.split(r"[\\/]", unicodedata.normalize("NFC", raw))[-1]
    cleaned = re.sub(r"[^\w.-]+", "_", last)
    stem, dot, extension = cleaned.rpartition(".")
    if not dot:
        stem, extension = cleaned, ""
    stem = stem.lstrip("._-")  # no leading dot; the extension stays (a name of symbols only: file.md)
    extension = extension[:10]
    stem = stem.rstrip(".")[:100 - len(extension) - 1] or "file"
    return f"{stem}.{extension}" if extension else stem


class FileStore:
    """Translated files in a private temporary folder of this app's (removed with it), bounded in
    count and bytes: the oldest go first. Only names this store made are ever served: a request's
    name is looked up, never joined to a path."""

    def __init__(self, max_files: int = 100, max_bytes: int = 256 << 20) -> None:
        self.max_files, self.max_bytes = max_files, max_bytes
        self.folder = tempfile.TemporaryDirectory(prefix="translate-serve-files-")
        self.sizes: OrderedDict[str, int] = OrderedDict()
        self.lock = threading.Lock()

    @property
    def path(self) -> Path:
        return Path(self.folder.name)

    def put(self, name: str, data: bytes) -> str:
        """Keep ``data`` under a new name ``<id>-<name>`` (``name`` already safe); evict the oldest."""
        if len(data) > self.max_bytes:
            raise ApiError(413, "the translated file is too large to keep for download")
        stored = f"{uuid.uuid4().hex}-{name}"
        (self.path / stored).write_bytes(data)
        with self.lock:
            self.sizes[stored] = len(data)
            while len(self.sizes) > self.max_files or sum(self.sizes.values()) > self.max_bytes:
                old, _ = self.sizes.popitem(last=False)
                (self.path / old).unlink(missing_ok=True)
        return stored

    def get(self, stored: str) -> bytes | None:
        with self.lock:
            if stored not in self.sizes:
                return None
            try:
                return (self.path / stored).read_bytes()
            except OSError:
                return None

    def __len__(self) -> int:
        return len(self.sizes)

    def close(self) -> None:
        with self.lock:
            self.sizes.clear()
        self.folder.cleanup()


def files_of(request: Request) -> FileStore:
    """This app's file store (made on first use; :func:`close_files` removes it)."""
    return per_app(request, "translated_files", FileStore)


def close_files(app: Any) -> None:
    """Remove the files ``app`` (a FastAPI app, or what wraps it with its ``state``) kept for
    download, and their folder: what its owner calls when it stops serving. Safe to call twice."""
    state = app.state
    store = getattr(state, "translated_files", None)
    if store is not None:
        del state.translated_files
        store.close()
