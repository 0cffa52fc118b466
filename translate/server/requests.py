"""Reading and checking the fields the imitated APIs have in common: the caller's key, text and
switch fields, and the limits on a request's texts. One rule, one implementation; each API's
refusals stay in its own words (:class:`Wording`), so its clients read what they expect.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from .errors import ApiError
from .http import Params

Values = Params | Mapping[str, Any]  # a request's params, a JSON object, a form's fields, the query string
TRUE = frozenset({"1", "true", "yes", "on"})
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Wording:
    """How an API words the refusals made here (``str.format`` fields in braces: ``name``, ``count``,
    ``index``, ``length``, ``limit``). The defaults are LibreTranslate's, which DeepLX front-ends share."""

    not_a_string: str = "Invalid request: {name} parameter must be a string"
    not_a_flag: str = "Invalid request: {name} parameter must be true or false"
    too_many: str = "Invalid request: request ({count}) exceeds text limit ({limit})"
    too_long: str = "Invalid request: request ({length}) exceeds text limit ({limit})"
    not_unicode: str = "Invalid request: {name} must be valid Unicode"


LIBRETRANSLATE = Wording()


def api_key(request: Request, values: Values | None = None, *, fields: Sequence[str] = ("api_key",),
            schemes: Sequence[str] = (), header_first: bool = False) -> str | None:
    """The caller's key: the first non-empty string among ``fields`` of ``values``, else the
    credentials of an ``Authorization`` header in one of ``schemes`` (``bearer``,
    ``deepl-auth-key``; any case) — the header first when ``header_first``. None: no key given."""
    header = _authorization(request, schemes)
    if header_first and header:
        return header
    for name in fields:
        value = values.get(name) if values is not None else None
        if isinstance(value, str) and value:
            return value
    return header


def _authorization(request: Request, schemes: Sequence[str]) -> str | None:
    if not schemes:
        return None
    scheme, _, credentials = request.headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() not in {s.lower() for s in schemes}:
        return None
    return credentials.strip() or None


def string(values: Values, name: str, wording: Wording = LIBRETRANSLATE) -> str | None:
    """A text field: absent or JSON null → None; anything but a string → 400."""
    value = values.get(name)
    if value is None or isinstance(value, str):
        return value
    raise ApiError(400, wording.not_a_string.format(name=name))


def flag(values: Values, name: str) -> bool:
    """A switch as LibreTranslate reads one: JSON ``true``, or ``1``/``true``/``yes``/``on`` in any
    case; anything else (absent included) is off."""
    value = values.get(name)
    return value is True or isinstance(value, str) and value.strip().lower() in TRUE


def strict_flag(values: Values, name: str, wording: Wording = LIBRETRANSLATE) -> bool:
    """A boolean as JSON sends it (``true``) or a form does (``1``, ``0``, ``true``, ``false``, empty);
    absent: false; anything else → 400, for an API that refuses what it cannot read."""
    value = values.get(name)
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("0", "1", "true", "false", ""):
        return value.strip().lower() in ("1", "true")
    raise ApiError(400, wording.not_a_flag.format(name=name))


def check_texts(texts: Sequence[str], *, char_limit: int, batch_limit: int, wording: Wording = LIBRETRANSLATE,
                name: str = "text", count: bool = True) -> None:
    """A request's texts within the server's limits (0: none) — how many (``batch_limit``, when
    ``count``), then each one's characters (``char_limit``) — and each Unicode the model can
    read (a lone surrogate from a JSON escape is not): 400 in the API's words otherwise."""
    if count and batch_limit and len(texts) > batch_limit:
        raise ApiError(400, wording.too_many.format(count=len(texts), limit=batch_limit))
    for index, text in enumerate(texts, 1):
        if char_limit and len(text) > char_limit:
            raise ApiError(400, wording.too_long.format(index=index, length=len(text), limit=char_limit))
        if _SURROGATE.search(text):
            raise ApiError(400, wording.not_unicode.format(name=name))
