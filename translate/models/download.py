"""The Hub transfer: list a revision's files, take the Hub's safetensors conversion of a
pickle-only repo, and download the files a model needs — every request bounded by a timeout, the
hub's retry warnings silenced (the error says it in one line), and one byte progress bar."""

from __future__ import annotations

import logging
import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelNotFoundError
from .repo import PICKLE_REFUSED, PICKLE_WEIGHTS, SAFE_NAMES, SAFE_WEIGHTS, have, megabytes

log = logging.getLogger("translate")  # notes for the user (INFO); the CLI shows them on stderr
SAFETENSORS_PR_TITLE = "Adding `safetensors` variant of this model"
SAFETENSORS_BOT = "SFconvertbot"


@dataclass(frozen=True)
class _Listing:
    """A Hub revision's files (name → size), listed before anything is downloaded."""

    revision: str  # as asked: "main", a tag, "refs/pr/N"...
    commit: str
    tree: dict[str, int]

    def select(self, patterns: list[str]) -> dict[str, int]:
        from huggingface_hub.utils import filter_repo_objects

        return {f: self.tree[f] for f in filter_repo_objects(list(self.tree), allow_patterns=patterns)}

    def has_safe_weights(self) -> bool:
        return any(f in SAFE_NAMES or (f.startswith("model-") and f.endswith(".safetensors")) for f in self.tree)


def _list(api, name: str, revision: str) -> _Listing:
    from huggingface_hub.hf_api import RepoFile

    commit = api.repo_info(name, revision=revision, timeout=download_timeout()).sha
    tree = {f.path: f.size or 0 for f in api.list_repo_tree(name, revision=commit, recursive=True)
            if isinstance(f, RepoFile)}
    return _Listing(revision, commit, tree)


def _safetensors_pr(api, name: str) -> str | None:
    """The Hub's own safetensors conversion of a pickle-only repo: an open pull request by the
    Hub's conversion bot (the same one transformers looks for). Its revision, or None (also when
    the Hub will not list the repo's discussions)."""
    from huggingface_hub.errors import HfHubHTTPError

    try:
        for discussion in api.get_repo_discussions(repo_id=name, discussion_type="pull_request",
                                                   discussion_status="open"):
            if discussion.title == SAFETENSORS_PR_TITLE and discussion.author == SAFETENSORS_BOT:
                return discussion.git_reference
    except HfHubHTTPError:  # discussions disabled or refused (403): as if there were no conversion
        return None
    return None


def download_timeout() -> float:
    """Seconds to wait for the Hub to answer (``HF_HUB_DOWNLOAD_TIMEOUT``, default 10), read now."""
    from huggingface_hub import constants

    try:
        value = float(os.environ.get("HF_HUB_DOWNLOAD_TIMEOUT", ""))
    except ValueError:
        value = float(constants.HF_HUB_DOWNLOAD_TIMEOUT)
    return value if value > 0 else float(constants.HF_HUB_DOWNLOAD_TIMEOUT)


def _cap_timeouts(request) -> None:
    """httpx request hook: no request of the hub waits more than :func:`download_timeout` for a byte
    (its API calls have no timeout at all by default: a stalled server would hang forever)."""
    cap = download_timeout()
    current = request.extensions.get("timeout") or {}
    request.extensions["timeout"] = {key: cap if current.get(key) is None else min(current[key], cap)
                                     for key in ("connect", "read", "write", "pool")}


_SESSION_BOUNDED = False


def bound_hub_session() -> None:
    """Make every HTTP request of huggingface_hub time out (once per process; keeps any custom client)."""
    global _SESSION_BOUNDED
    if _SESSION_BOUNDED:
        return
    from huggingface_hub import set_client_factory
    from huggingface_hub.utils import _http

    previous = getattr(_http, "_GLOBAL_CLIENT_FACTORY", _http.default_client_factory)

    def bounded():
        client = previous()
        hooks = client.event_hooks
        hooks["request"] = [*hooks.get("request", []), _cap_timeouts]
        client.event_hooks = hooks
        return client

    set_client_factory(bounded)
    _SESSION_BOUNDED = True


@contextmanager
def quiet_hub() -> Iterator[None]:
    """No retry warnings (with their long signed URLs) from huggingface_hub: our error says it in one line."""
    hub_logger = logging.getLogger("huggingface_hub")
    level = hub_logger.level
    hub_logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", module=r"huggingface_hub(\.|$)")
            yield
    finally:
        hub_logger.setLevel(level)


def _progress_bar_class(opened: list | None = None):
    """The hub's byte progress bar, alone (no per-file or file-count bars), only when notes are shown
    and stderr is the terminal itself (not redirected by a live display, which would garble it).
    Bars created are added to ``opened``: the hub never closes them."""
    from huggingface_hub.utils import tqdm as hub_tqdm

    show = (log.isEnabledFor(logging.INFO) and sys.__stderr__ is not None and sys.stderr is sys.__stderr__
            and sys.stderr.isatty())

    class DownloadBar(hub_tqdm):
        def __init__(self, *args, **kwargs):
            if not show or kwargs.get("name") != "huggingface_hub.snapshot_download.transfer":
                kwargs["disable"] = True
            else:
                kwargs.update(desc="downloading", leave=False)
            super().__init__(*args, **kwargs)
            if opened is not None:
                opened.append(self)

        def set_description_str(self, desc=None, refresh=True):
            pass  # "Download complete": the bar simply goes away

        set_description = set_description_str

    return DownloadBar


def download(name: str, revision: str | None, files: list[str], allow_pickle: bool, state: dict) -> tuple[Path, str]:
    """Download the snapshot of ``name`` with ``files`` and its weights: its folder and the revision
    it came from. ``state`` gets what the transfer was (name, commit, files) for diagnosing a failure."""
    from huggingface_hub import HfApi, snapshot_download

    api = HfApi()
    listing = _list(api, name, revision or "main")
    if not listing.has_safe_weights() and revision is None and (pr := _safetensors_pr(api, name)):
        converted = _list(api, name, pr)
        listing = converted if converted.has_safe_weights() else listing
    patterns = files + SAFE_WEIGHTS
    if not listing.has_safe_weights():
        if "pytorch_model.bin" not in listing.tree:
            raise ModelNotFoundError(f"model '{name}' has no weights this tool can load on the Hub "
                                     "(model.safetensors or pytorch_model.bin)")
        if not allow_pickle:
            raise ModelNotFoundError(f"model '{name}' " + PICKLE_REFUSED.replace("has only", "offers only"),
                                     option="allow_pickle")
        patterns = files + PICKLE_WEIGHTS
    wanted = listing.select(patterns)
    state.update(name=name, commit=listing.commit, files=wanted)
    total, done = sum(wanted.values()), have(name, listing.commit, wanted)
    if done == 0:
        log.info("downloading %s (%s, once)", name, megabytes(total))
    elif done < total:
        log.info("resuming the download of %s (%s of %s done)", name, megabytes(done), megabytes(total))
    bars: list = []
    try:
        folder = Path(snapshot_download(name, revision=listing.revision, allow_patterns=patterns,
                                        tqdm_class=_progress_bar_class(bars)))
    finally:
        for bar in bars:
            bar.close()
    return folder, listing.revision
