"""This tool's own API: ``POST /v1/translate`` (a text, an HTML page, Markdown or a URL, answered in
any output format of ``translate -f``), ``GET /metrics`` (Prometheus) and ``GET /docs`` (every
route, rendered here: no script, no CDN). ``POST /v1/summarize`` is ``summarize``'s, added through
the ``translate.server.routes`` entry point with the request helpers here (``document_request``, ``json_body``,
``api_key``, ``checked``, ``check_source``, ``read_document``, ``public``...), which are this
package's API for routes from elsewhere.

Requests are JSON objects checked against one table of fields per endpoint; the same tables give
the OpenAPI document its request schemas, so the docs cannot drift from what is accepted. Options
fixed when the server starts (model, backend, device, cache, glossary, routes...) are refused by
name. Reading a text or a page goes through the public reading API (``translate.sources.reader``)
in a worker thread; the translation through the batcher, so requests of every API share batches.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from ...commandline import FLAGS
from ...document import Document
from ...errors import InputError, TranslateError, UsageError, first_line
from ...options import INPUT_FORMATS, LAYOUTS, DecodingOptions, LoadOptions, PipelineOptions, field_names
from ...output.formats import FORMATS, render, shown, terms_record
from ...pipeline import Translator
from ...sources.reader import Segmenter, read_input, read_text
from ...sources.url import is_url, permitted
from ...spans import mask_markdown
from ..requests import api_key as read_key
from ..requests import check_texts
from ..state import app_state
from ..errors import ApiError
from ..http import parse_json, read_body, unless_disconnected
from ..metrics import CONTENT_TYPE
from ..security import Gate, page_csp
from ..service import Service, TextTranslation

logger = logging.getLogger("translate.server")
router = APIRouter()

DOCUMENT_TEXTS = 20  # a document may hold 20 texts' worth of characters (20 × --char-limit)
PATH_FIELDS = ("model", "routes", "glossary", "cache", "vocab_map")  # header fields that may name a local path
DOCS_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
MEDIA_TYPES = {"html": "text/html; charset=utf-8", "markdown": "text/markdown; charset=utf-8"}


@dataclass(frozen=True)
class Field:
    """A request field: its JSON type, what it means, and the values or range it takes."""

    type: str  # "string", "integer", "number", "boolean", "array" (of strings)
    description: str
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "description": self.description}
        if self.type == "array":
            out["items"] = {"type": "string"}
        if self.choices:
            out["enum"] = list(self.choices)
        if self.low is not None:
            out["minimum"] = self.low
        if self.high is not None:
            out["maximum"] = self.high
        return out


SOURCE_FIELDS = {
    "text": Field("string", "The document to read: plain text, an HTML page or Markdown (see input_format). "
                            "Give text or url."),
    "url": Field("string", "An http(s) page to fetch and read instead of text: only when the server allows it "
                           "(--allow-urls)."),
    "from": Field("string", "Source language code, or auto (detected)."),
    "input_format": Field("string", "What the text is (auto: sniffed from its content).", INPUT_FORMATS),
    "layout": Field("string", "Paragraphs of plain text: one per line, or blank-line blocks (auto: guessed).",
                    LAYOUTS),
    "whole_page": Field("boolean", "HTML: read every visible text block, not only the article (an HTML "
                                   "fragment needs true)."),
    "api_key": Field("string", "An API key, when the server requires one (or send Authorization: Bearer KEY)."),
}
# Per request, a client may choose any decoding option, within bounds a shared server can afford; the
# fields come from the command line's table (one option source: a new decoding option appears here by itself).
DECODING_BOUNDS = {"num_beams": (1, 16), "max_new_tokens": (1, 1024), "no_repeat_ngram_size": (0, 64),
                   "repetition_penalty": (0.01, 100), "length_penalty": (-100, 100)}


def _decoding_field(name: str) -> Field:
    flag = FLAGS[name]
    low, high = DECODING_BOUNDS.get(name, (flag.min, None))
    return Field("integer" if flag.type is int else "number", flag.help, low=low, high=high)


DECODING_FIELDS = {name: _decoding_field(name) for name in field_names(DecodingOptions)}
TRANSLATE_FIELDS = {
    **SOURCE_FIELDS,
    "to": Field("string", "Target language code (default: the server's)."),
    "format": Field("string", "jsonl (default): the records of `translate -f jsonl` as one JSON object — header, "
                              "paragraphs with their sentences and scores, terms; text, bilingual, markdown; "
                              "html: the bilingual reading page.", tuple(FORMATS)),
    **DECODING_FIELDS,
}
PER_REQUEST = {"layout", "input_format", "whole_page"}
LOAD_TIME = frozenset((*field_names(LoadOptions), *field_names(PipelineOptions))) - PER_REQUEST


# -- reading a request ------------------------------------------------------------------------------------
async def json_object(request: Request, limit: int) -> dict[str, Any]:
    body = await read_body(request, limit)
    if not body.strip():
        raise ApiError(400, "Invalid request: send a JSON object")
    data = parse_json(body)
    if not isinstance(data, dict):
        raise ApiError(400, "Invalid request: the JSON body must be an object")
    return data


def api_key(request: Request, data: Mapping[str, Any]) -> str | None:
    """The API key: the ``api_key`` field (LibreTranslate's), else ``Authorization: Bearer KEY``."""
    return read_key(request, data, schemes=("bearer", "deepl-auth-key"))


def checked(data: Mapping[str, Any], fields: Mapping[str, Field]) -> dict[str, Any]:
    """The request's fields, each of its type and within its range; ``null`` is as if absent.
    Unknown fields and options fixed at start are refused by name."""
    for name in data:
        if name in fields:
            continue
        shown_name = str(name)[:40]
        if name in LOAD_TIME:
            raise ApiError(400, f"Invalid request: {shown_name} is set when the server starts, not per request")
        raise ApiError(400, f"Invalid request: unknown field '{shown_name}' (fields: {', '.join(fields)})")
    return {name: _value(name, value, fields[name]) for name, value in data.items() if value is not None}


def _value(name: str, value: Any, field: Field) -> Any:
    if field.type == "array" and isinstance(value, str):
        value = [value]
    ok = {"string": isinstance(value, str),
          "integer": isinstance(value, int) and not isinstance(value, bool),
          "number": isinstance(value, int) and not isinstance(value, bool)  # (any int: 1e400 is no float)
          or isinstance(value, float) and math.isfinite(value),
          "boolean": isinstance(value, bool),
          "array": isinstance(value, list) and all(isinstance(v, str) for v in value)}[field.type]
    if not ok:
        kind = {"integer": "an integer", "number": "a finite number", "boolean": "true or false",
                "array": "a list of strings"}.get(field.type, "a string")
        raise ApiError(400, f"Invalid request: {name} must be {kind}")
    if field.choices and value not in field.choices:
        raise ApiError(400, f"Invalid request: unknown {name} '{str(value)[:40]}' (choose from "
                            f"{', '.join(field.choices)})")
    if (field.low is not None and value < field.low) or (field.high is not None and value > field.high):
        raise ApiError(400, f"Invalid request: {name} must be from {field.low:g} to {field.high:g}, not "
                            f"{_shown_number(value)}")
    return value


def _shown_number(value: float) -> str:
    """A number for an error message: an integer past what a float holds (1 and 400 zeros) is not
    formatted as one (OverflowError), nor echoed whole."""
    return f"{value:g}" if abs(value) < 1e300 else "a larger number"


def request_decoding(values: Mapping[str, Any], base: DecodingOptions) -> DecodingOptions | None:
    """The server's decoding (``base``) with the request's own fields on top; None when it gives none."""
    given = {name: values[name] for name in DECODING_FIELDS if name in values}
    if not given:
        return None
    try:
        return dataclasses.replace(base, **given)
    except UsageError as exc:
        raise ApiError(400, f"Invalid request: {first_line(exc)}") from None


def request_pipeline(base: PipelineOptions, values: Mapping[str, Any]) -> PipelineOptions:
    return dataclasses.replace(base, **{name: values[name] for name in PER_REQUEST if name in values})


def json_body(fields: Mapping[str, Field]) -> dict[str, Any]:
    """The OpenAPI request body of an endpoint that takes a JSON object of ``fields`` (and no other)."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "properties": {k: f.schema() for k, f in fields.items()}, "additionalProperties": False}}}}}


async def document_request(request: Request, fields: Mapping[str, Field]) -> dict[str, Any]:
    """A /v1 document request, read and checked: a JSON object within the body limit, its caller
    admitted (key, rate, the text's characters), its fields each of its type, text or url."""
    _, options, gate = app_state(request)
    data = await json_object(request, options.body_limit)
    text = data.get("text")
    gate.admit(request, key=api_key(request, data), characters=len(text) if isinstance(text, str) else 0)
    values = checked(data, fields)
    check_source(values)
    return values


def check_source(values: Mapping[str, Any]) -> None:
    """Exactly one of text and url; a url is an http(s) address (never a path of the server)."""
    if ("text" in values) == ("url" in values):
        raise ApiError(400, "Invalid request: send either text or url")
    if "url" in values and not is_url(values["url"]):
        raise ApiError(400, "Invalid request: url must be an http(s) address")
    for name in ("text", "url"):  # a lone surrogate (a JSON escape) is no text the model can read
        if name in values:
            check_texts([values[name]], char_limit=0, batch_limit=0, name=name)


def document_limit(service: Service) -> int:
    """Characters per document: 20 × the per-text limit (``--char-limit``), none when that is 0.
    A document is an article, not a snippet; the body limit (``--body-limit``) bounds the raw text."""
    return DOCUMENT_TEXTS * service.options.char_limit


async def read_document(service: Service, gate: Gate, values: Mapping[str, Any], pipeline: PipelineOptions,
                segmenter: Segmenter | None, language: str | None) -> Document:
    """The request's document (text, or the page at its url when the gate allows it), read in a
    worker thread, within the document limit. Errors are one line: 400 for the text, 502 for a
    page that cannot be fetched."""
    url: str | None = values.get("url")
    offline = service.translator.load.offline is True  # --offline; HF_HUB_OFFLINE is about the Hub, --allow-urls rules

    def read() -> Document:
        if url is not None:  # the gate checks the URL, each redirect and each connection's address (SSRF)
            with permitted(gate):
                return read_input(url, pipeline=pipeline, language=language, segmenter=segmenter,
                                  offline=offline).document()
        return read_text(values["text"], pipeline=pipeline, language=language, segmenter=segmenter).document()

    try:
        doc = await run_in_threadpool(read)
    except UsageError as exc:
        raise ApiError(400, f"Invalid request: {first_line(exc)}") from None
    except InputError as exc:
        if url is None:
            raise ApiError(400, f"Invalid request: {first_line(exc)}") from None
        if exc.option == "offline":
            raise ApiError(403, "This server does not fetch URLs: it runs offline") from None
        raise ApiError(502, first_line(exc)) from None
    except TranslateError as exc:
        logger.error("reading a document failed: %s", first_line(exc))
        raise ApiError(500, "reading the document failed; the server's log says why") from None
    limit = document_limit(service)
    size = sum(len(p.text) for p in doc.paragraphs)
    if limit and size > limit:
        raise ApiError(400, f"Invalid request: the document has {size} characters, more than this server's "
                            f"limit ({limit})")
    return doc


def public(value: Any) -> Any:
    """``value`` (an output header) with each local path it names (a model folder, a routes or
    glossary file, the memory) cut to its last part: the header says what ran, not where the
    server keeps it."""
    if isinstance(value, Mapping):
        return {k: _local_name(v) if k in PATH_FIELDS else public(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [public(v) for v in value]
    return value


def _local_name(value: Any) -> Any:
    if not isinstance(value, str) or not value:
        return public(value)
    if " → " in value:  # a pivot's models, "a → b"
        return " → ".join(_local_name(part) for part in value.split(" → "))
    path = Path(value)
    return path.name if path.is_absolute() or value.startswith(("./", "../", "~")) or path.exists() else value


def page_headers(html: str) -> dict[str, str]:
    """The reading page's Content-Security-Policy header: its own inline script and style, by hash."""
    return {"Content-Security-Policy": page_csp(html)}


# -- /v1/translate ----------------------------------------------------------------------------------------
def translation_object(translator: Translator, done: TextTranslation, source: str) -> dict[str, Any]:
    """What ``translate -f jsonl`` prints, as one object: the header record, the paragraphs (each
    with its source, translation and the JSONL records of its sentences, scores included) and the
    terms report; ``detected_language`` when the source was ``auto``."""
    doc = done.document
    records = [public(json.loads(line)) for line in
               render("jsonl", doc.paragraphs, public(translator.info_of(doc.paragraphs)), doc.layout,
                      metadata=doc.metadata)]
    by_paragraph: dict[int, list[dict]] = {}
    for record in records[1:]:
        by_paragraph.setdefault(record["paragraph"], []).append(record)
    paragraphs = []
    for p in doc.paragraphs:
        mine = by_paragraph.get(p.index, [])
        entry = {"paragraph": p.index, "kind": p.kind, "line": p.line, "source": p.source, "translation": shown(p),
                 "sentences": [r for r in mine if r["type"] == "sentence"]}
        for record in mine:
            if record["type"] == "verbatim":  # passed through whole: its status, no sentences
                entry["status"] = record["status"]
        paragraphs.append(entry)
    out: dict[str, Any] = {"header": records[0], "paragraphs": paragraphs,
                           "terms": terms_record(doc.stats.terms_report())["terms"] if doc.stats.terms else []}
    if source == "auto":
        out["detected_language"] = {"language": done.source_language, "confidence": done.confidence}
    return out


@router.post(
    "/v1/translate", summary="Translate a document, an HTML page, Markdown or a URL",
    description="This tool's own API. Send JSON: text (or url, when allowed), from, to, input_format, format, "
                "layout and the decoding options. Answers what `translate -f FORMAT` writes: jsonl (default) as "
                "one JSON object {header, paragraphs, terms} with each sentence's model score; text, bilingual "
                "and markdown as text; html as the bilingual reading page. Options fixed when the server starts "
                "(model, backend, device, cache, glossary, routes...) are refused.",
    openapi_extra=json_body(TRANSLATE_FIELDS),
    responses={200: {"description": "The translation in the requested format"},
               400: {"description": "Invalid request"}, 403: {"description": "URL fetching refused, or no key"},
               413: {"description": "Body over the limit"}, 502: {"description": "The URL could not be read"}})
async def translate(request: Request) -> Response:
    service, _, gate = app_state(request)
    values = await document_request(request, TRANSLATE_FIELDS)
    source = service.language(values.get("from"), role="source")
    target = service.language(values.get("to", service.translator.load.target_language), role="target")
    translator = service.translator_for(source, target, request_decoding(values, service.translator.decoding))
    pipeline = request_pipeline(translator.pipeline, values)
    language = None if source == "auto" else source

    async def work() -> TextTranslation:
        doc = await read_document(service, gate, values, pipeline, translator.segmenter, language)
        masker = mask_markdown if doc.layout == "markdown" else None
        return (await service.translate_documents(translator, [doc], source=source, masker=masker))[0]

    done = await unless_disconnected(request, work())
    fmt = values.get("format", "jsonl")
    if fmt == "jsonl":  # rendering a long document is CPU work: in a worker thread, not on the event loop
        return await run_in_threadpool(lambda: JSONResponse(translation_object(translator, done, source)))
    body, headers = await run_in_threadpool(rendered, translator, done, fmt)
    return Response(body, media_type=MEDIA_TYPES.get(fmt, "text/plain; charset=utf-8"), headers=headers)


def rendered(translator: Translator, done: TextTranslation, fmt: str) -> tuple[str, dict[str, str] | None]:
    """What ``translate -f FORMAT`` writes for the translation, and its headers (html: the CSP)."""
    doc = done.document
    info = public(translator.info_of(doc.paragraphs))
    body = "".join(render(fmt, doc.paragraphs, info, doc.layout, metadata=doc.metadata))
    return body, page_headers(body) if fmt == "html" else None


# -- /metrics and /docs -----------------------------------------------------------------------------------
@router.get("/metrics", summary="Prometheus metrics",
            description="Requests and latency by endpoint, sentences and requests per decoded batch, queue depth, "
                        "translation units by origin (memory: translation-memory hits), dropped requests.",
            response_class=Response, responses={200: {"content": {CONTENT_TYPE.split(";")[0]: {}}}})
async def metrics(request: Request) -> Response:
    service, _, _ = app_state(request)
    return Response(service.metrics.render(), media_type=CONTENT_TYPE)


@router.get("/docs", include_in_schema=False)
async def docs(request: Request) -> HTMLResponse:
    """Every route of /openapi.json — method, path, summary, description and JSON fields — as a page
    rendered here, with no script: nothing to load from a CDN, nothing for the CSP to allow."""
    return HTMLResponse(docs_page(request.app.openapi()), headers={"Content-Security-Policy": DOCS_CSP})


def docs_page(spec: Mapping[str, Any]) -> str:
    info = spec.get("info", {})
    title = escape(str(info.get("title", "API")))
    parts = [f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
             f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title}</title>\n"
             "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:auto;padding:1rem}"
             "code{background:#8882;padding:0 .2em}table{border-collapse:collapse}"
             "td,th{border:1px solid #8886;padding:.2em .5em;text-align:left;vertical-align:top}</style>\n"
             f"</head>\n<body>\n<h1>{title} {escape(str(info.get('version', '')))}</h1>\n"
             f"<p>{escape(str(info.get('description', '')))}</p>\n"
             "<p>The machine-readable document: <a href=\"/openapi.json\">/openapi.json</a>.</p>\n"]
    for path, operations in sorted(spec.get("paths", {}).items()):
        for method, op in operations.items():
            if not isinstance(op, dict):
                continue
            parts.append(f"<section>\n<h2><code>{escape(method.upper())} {escape(path)}</code></h2>\n"
                         f"<p><strong>{escape(str(op.get('summary', '')))}</strong></p>\n")
            if op.get("description"):
                parts.append(f"<p>{escape(str(op['description']))}</p>\n")
            schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            if schema.get("properties"):
                parts.append("<table>\n<tr><th>Field</th><th>Type</th><th>Meaning</th></tr>\n")
                for name, prop in schema["properties"].items():
                    kind = prop.get("type", "")
                    if prop.get("enum"):
                        kind += ": " + " | ".join(map(str, prop["enum"]))
                    parts.append(f"<tr><td><code>{escape(name)}</code></td><td>{escape(kind)}</td>"
                                 f"<td>{escape(str(prop.get('description', '')))}</td></tr>\n")
                parts.append("</table>\n")
            parts.append("</section>\n")
    parts.append("</body>\n</html>\n")
    return "".join(parts)
