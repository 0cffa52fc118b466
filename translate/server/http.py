"""Reading requests the way the imitated APIs accept them: form-encoded or JSON bodies (a key may
repeat, or hold a list), within the body limit; and dropping the work of a client that left."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from starlette.requests import ClientDisconnect, Request

from .errors import ApiError
from .state import app_state

T = TypeVar("T")
MAX_JSON_DEPTH = 32
MAX_FORM_FIELDS = 1000  # form fields a body may hold (at least): clients repeat q or text up to the batch limit
FORM_FIELDS_BESIDES = 64  # fields a form holds besides its texts (source, target, format, api_key...)
CLIENT_GONE = 499  # nginx's "client closed request": counted in the metrics, answered to no one


class Params:
    """A request's parameters: each name's values, in order (query string, then body)."""

    def __init__(self, values: dict[str, list[Any]]) -> None:
        self.values = values

    def get(self, name: str, default: Any = None) -> Any:
        """The first value of ``name`` (a JSON list stays a list)."""
        found = self.values.get(name)
        return found[0] if found else default

    def all(self, name: str) -> list[Any]:
        """Every value of ``name``: repeated form fields, or a JSON list, flattened."""
        out: list[Any] = []
        for value in self.values.get(name, []):
            out.extend(value if isinstance(value, list) else [value])
        return out

    def __contains__(self, name: str) -> bool:
        return name in self.values


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused (413) as soon as it is over ``limit`` bytes (0: no limit) — counted as it
    arrives, whatever Content-Length claims. A client that leaves mid-body ends the request
    quietly (:data:`CLIENT_GONE`)."""
    declared = request.headers.get("content-length")
    if limit and declared and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, f"Request body too large (limit: {limit} bytes)")
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if limit and size > limit:
                raise ApiError(413, f"Request body too large (limit: {limit} bytes)")
            chunks.append(chunk)
    except ClientDisconnect:
        raise ApiError(CLIENT_GONE, "the client disconnected") from None
    return b"".join(chunks)


async def read_params(request: Request, limit: int) -> Params:
    """Query string and body (JSON object, form-encoded, or multipart without files) as :class:`Params`.
    A form holds at most the batch limit's texts and a few fields besides (400 beyond)."""
    values: dict[str, list[Any]] = {}
    for key, value in request.query_params.multi_items():
        values.setdefault(key, []).append(value)
    body = await read_body(request, limit)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not body.strip():
        return Params(values)
    if kind == "application/json" or (not kind and body.lstrip()[:1] in (b"{", b"[")):
        data = parse_json(body)
        if not isinstance(data, dict):
            raise ApiError(400, "Invalid request: the JSON body must be an object")
        for key, value in data.items():
            values.setdefault(str(key), []).append(value)
    elif kind == "multipart/form-data":
        raise ApiError(400, "Invalid request: send form fields url-encoded or as JSON (files go to /translate_file)")
    else:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "Invalid request: the body is not UTF-8") from None
        _, options, _ = app_state(request)
        most = max(MAX_FORM_FIELDS, options.batch_limit + FORM_FIELDS_BESIDES)
        try:  # the fields are counted before they are parsed: 700,000 empty ones are refused, not built
            fields = parse_qsl(text, keep_blank_values=True, max_num_fields=most)
        except ValueError:
            raise ApiError(400, "Invalid request: too many fields") from None
        for key, value in fields:
            values.setdefault(key, []).append(value)
    return Params(values)


def parse_json(body: bytes) -> Any:
    """JSON, refused (400) when it is not valid UTF-8 JSON or nests deeper than anyone sends."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApiError(400, "Invalid request: the body is not UTF-8") from None
    depth = peak = 0
    quoted = escaped = False
    for ch in text:  # linear scan before parsing: a 100,000-deep array is refused, not a RecursionError
        if quoted:
            escaped, quoted = (False, True) if escaped else (ch == "\\", ch != '"')
        elif ch == '"':
            quoted = True
        elif ch in "[{":
            depth += 1
            peak = max(peak, depth)
        elif ch in "]}":
            depth -= 1
    if peak > MAX_JSON_DEPTH:
        raise ApiError(400, "Invalid request: the JSON nests too deeply")
    try:
        return json.loads(text)
    except ValueError:
        raise ApiError(400, "Invalid request: the body is not valid JSON") from None


async def unless_disconnected(request: Request, work: Awaitable[T]) -> T:
    """``work``'s result — or, when the client disconnects first, cancel it (the batcher drops
    what is not decoded yet) and end the request quietly (status 499, no error in the log)."""
    task = asyncio.ensure_future(work)
    gone = asyncio.ensure_future(_disconnect(request))
    try:
        done, _ = await asyncio.wait({task, gone}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        task.cancel()
        gone.cancel()
        raise
    if task in done:
        gone.cancel()
        return task.result()
    task.cancel()
    raise ApiError(CLIENT_GONE, "the client disconnected")


async def _disconnect(request: Request) -> None:
    while True:  # the body was read: the next message is http.disconnect, when the client leaves
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return
