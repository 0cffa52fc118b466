"""Diagnosis of a failed download: the hub's, httpx's and the OS's errors turned into one
``ModelNotFoundError`` line that says the cause (not found, gated, rate limited, no network, a
stalled server…), how far the download got, and what to do."""

from __future__ import annotations

from ..errors import ModelNotFoundError
from .download import download_timeout
from .repo import DEFAULT_MODEL, have, megabytes

CONNECTION_LOST = "connection lost"


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _reason(exc: BaseException) -> str:
    """A readable reason from an unknown error: its first line that says something, whole words."""
    for e in _chain(exc):
        for line in str(e).splitlines():
            line = line.strip()
            if line and not line.startswith("(Request ID"):
                return line if len(line) <= 200 else line[:200].rsplit(" ", 1)[0] + "…"
    return type(exc).__name__


def _cause(name: str, revision: str | None, exc: BaseException) -> ModelNotFoundError | tuple[str, str, str | None]:
    """Either the final error (not found, gated...) or (cause, advice, option) for a failed download."""
    import httpx2
    from huggingface_hub.errors import (GatedRepoError, HfHubHTTPError, OfflineModeIsEnabled,
                                        RepositoryNotFoundError, RevisionNotFoundError)

    chain = _chain(exc)

    def find(kind):
        return next((e for e in chain if isinstance(e, kind)), None)

    if find(GatedRepoError):
        return ModelNotFoundError(f"model '{name}' is gated on the Hugging Face Hub; accept its conditions on the "
                                  "model's page, then log in with `hf auth login`")
    if find(RevisionNotFoundError):
        return ModelNotFoundError(f"model '{name}' has no revision '{revision}' on the Hugging Face Hub",
                                  option="revision")
    if find(RepositoryNotFoundError):
        return ModelNotFoundError(f"model '{name}' was not found on the Hugging Face Hub; check the id "
                                  f"(e.g. {DEFAULT_MODEL}) or use a local model folder", option="model")
    http = find(HfHubHTTPError)
    status = http.response.status_code if http is not None and getattr(http, "response", None) is not None \
        else None
    if status == 429:
        retry = http.response.headers.get("Retry-After", "")
        wait = f"wait {retry} s" if retry.isdigit() else "wait a few minutes"
        return ("rate limited by the Hugging Face Hub (429 too many requests)",
                f"{wait} and run again, or log in with `hf auth login` for a higher limit", None)
    if status in (401, 403):
        return (f"the Hugging Face Hub refused access ({status} {'unauthorized' if status == 401 else 'forbidden'})",
                "check your token (`hf auth login`) and the model's access conditions", None)
    if status is not None and status >= 500:
        return f"the Hugging Face Hub answered with server error {status}", "try again later", None
    if status is not None:
        return (f"the Hugging Face Hub answered {status} ({_reason(http)})",
                "check the model id and revision", "model")
    if find(httpx2.TimeoutException):
        return (f"the Hugging Face Hub stopped answering (nothing for {download_timeout():g} s)",
                "try again later, or set HF_HUB_DOWNLOAD_TIMEOUT to wait longer", None)
    if find(httpx2.ProxyError):
        return "the network proxy refused the connection", "check the HTTPS_PROXY setting", None
    if find(OfflineModeIsEnabled):
        return ("offline mode is on", "unset HF_HUB_OFFLINE, or use a local model folder", "model")
    if connect := find(httpx2.ConnectError):
        host = _host(connect)
        return (f"no network connection to {host}", "connect to the network once, or use a local model folder",
                "model")
    if find((httpx2.TransportError, ConnectionError)) or "Consistency check failed" in str(exc) \
            or any(type(e).__name__.startswith("Xet") for e in chain):
        return CONNECTION_LOST, "run the command again", None
    return _reason(exc), "try again, or use a local model folder", "model"


def _host(exc: BaseException) -> str:
    from huggingface_hub import constants

    try:
        return exc.request.url.host  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001  (no request attached)
        return constants.ENDPOINT.split("://")[-1].split("/")[0]


def download_error(name: str, revision: str | None, exc: BaseException, state: dict) -> ModelNotFoundError:
    """The one-line error for a download of ``name`` that failed with ``exc`` (``state``: what the transfer was)."""
    found = _cause(name, revision, exc)
    if isinstance(found, ModelNotFoundError):
        return found
    cause, advice, option = found
    files = state.get("files") or {}
    total = sum(files.values())
    done = have(name, state["commit"], files) if files else 0
    if 0 < done < total:
        cause = f"download interrupted — {megabytes(done)} of {megabytes(total)}" + \
            ("" if cause == CONNECTION_LOST else f": {cause}")
        advice = "run the command again to resume it" if cause.endswith(megabytes(total)) \
            else f"{advice}; the next run resumes the download"
    return ModelNotFoundError(f"could not download model '{name}': {cause}; {advice}", option=option)
