"""Resolve a model name the way Hugging Face users expect: local folder → HF cache → download.

Honours ``HF_HOME`` / ``HF_HUB_CACHE`` and ``HF_HUB_OFFLINE``. Only the files a Marian model
needs are fetched, safetensors weights in preference to pickle checkpoints.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..errors import ModelNotFoundError

log = logging.getLogger("translate")  # notes for the user (INFO); the CLI shows them on stderr
DEFAULT_MODEL = "Helsinki-NLP/opus-mt-zh-en"
TOKENIZER_FILES = ["config.json", "generation_config.json", "*.spm", "vocab.json", "target_vocab.json",
                   "tokenizer_config.json", "special_tokens_map.json"]
SEQ2SEQ_FILES = ["*.json", "*.txt", "*.model", "*.spm"]  # any BART/PEGASUS/T5 tokenizer and configs
SAFE_WEIGHTS = ["model.safetensors", "model-*.safetensors", "model.safetensors.index.json"]
PICKLE_WEIGHTS = ["pytorch_model.bin"]


@dataclass(frozen=True)
class ResolvedModel:
    """A model available on local disk."""

    name: str  # as the user gave it: Hub id or folder
    path: Path  # folder holding config, tokenizer and weights
    revision: str | None  # Hub commit hash; None for a local folder
    # where the files come from: the Hub revision asked for ("main", a tag...), the conversion bot's pull
    # request ("refs/pr/N"), "local" (a folder) or "cache" (a cached snapshot no ref points to)
    source: str = "main"

    @property
    def from_pull_request(self) -> bool:
        """True when the weights come from an unmerged pull request (the Hub bot's safetensors conversion)."""
        return self.source.startswith("refs/pr/")

    @property
    def header_fields(self) -> dict[str, str]:
        """What output headers add to ``identity``: where the weights come from, when that is not the
        model's own branch (``{"weights_from": "refs/pr/N"}``)."""
        return {"weights_from": self.source} if self.from_pull_request else {}

    @cached_property
    def identity(self) -> str:
        """What the model *is*: the Hub commit, or a fingerprint of a local folder's files.

        Caches (translation memory, converted models) key on this, so editing a local
        model folder invalidates what was derived from it.
        """
        return self.revision or f"local-{fingerprint(self.path)}"

    @property
    def has_safe_weights(self) -> bool:
        return any((self.path / f).exists() for f in ("model.safetensors", "model.safetensors.index.json"))

    @property
    def has_weights(self) -> bool:
        return self.has_safe_weights or (self.path / "pytorch_model.bin").exists()


def fingerprint(folder: Path) -> str:
    """Hash of a model folder: config bytes, and size + mtime of every other file in it."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        if path.suffix == ".json" and path.stat().st_size < 1_000_000:
            h.update(path.name.encode() + b"\0" + path.read_bytes())
        else:
            st = path.stat()
            h.update(f"{path.name}:{st.st_size}:{st.st_mtime_ns};".encode())
    return h.hexdigest()[:16]


def offline_mode() -> bool:
    """True when ``HF_HUB_OFFLINE`` (or ``TRANSFORMERS_OFFLINE``) asks for no network access."""
    return any(os.environ.get(v, "").strip().lower() in ("1", "true", "yes", "on")
               for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def _looks_like_path(name: str) -> bool:
    return name.startswith((".", "/", "~")) or name.count("/") > 1 or os.sep in name.replace("/", "") \
        or Path(name).expanduser().exists()


PICKLE_REFUSED = ("has only a pickle checkpoint (pytorch_model.bin), which can run code when loaded; "
                  "convert it to safetensors, or allow pickle loading if you trust it")


def _local(name: str, allow_pickle: bool) -> ResolvedModel:
    path = Path(name).expanduser()
    if not path.exists():
        raise ModelNotFoundError(f"model folder '{name}' does not exist")
    if not (path / "config.json").is_file():
        raise ModelNotFoundError(f"'{name}' is not a model folder (no config.json in it)")
    resolved = ResolvedModel(name, path.resolve(), None, "local")
    if not resolved.has_weights:
        raise ModelNotFoundError(f"model folder '{name}' has no weights (model.safetensors)")
    if not resolved.has_safe_weights and not allow_pickle:
        raise ModelNotFoundError(f"model folder '{name}' {PICKLE_REFUSED}", option="allow_pickle")
    return resolved


SAFETENSORS_PR_TITLE = "Adding `safetensors` variant of this model"
SAFETENSORS_BOT = "SFconvertbot"
SAFE_NAMES = ("model.safetensors", "model.safetensors.index.json")


def _repo_folder(name: str) -> Path:
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE) / f"models--{name.replace('/', '--')}"


def _source_of(name: str, commit: str, wanted: str) -> str:
    """Which cached ref points at ``commit``: ``wanted`` if it does, else a pull request, else "cache"."""
    refs = _repo_folder(name) / "refs"
    found = []
    for ref in sorted(refs.rglob("*")) if refs.is_dir() else ():
        try:
            if ref.is_file() and ref.read_text().strip() == commit:
                found.append(ref.relative_to(refs).as_posix())
        except OSError:
            pass
    if wanted in found:
        return wanted
    return next((r for r in found if r.startswith("refs/pr/")), found[0] if found else "cache")


def _snapshot(name: str, revision: str | None, patterns: list[str]) -> ResolvedModel:
    """The complete cached snapshot of ``name`` at ``revision`` (no network); raises the hub's
    ``LocalEntryNotFoundError`` (``IncompleteSnapshotError`` when partly downloaded) otherwise."""
    from huggingface_hub import snapshot_download

    folder = Path(snapshot_download(name, revision=revision, allow_patterns=patterns, local_files_only=True))
    return ResolvedModel(name, folder, folder.name, _source_of(name, folder.name, revision or "main"))


def _usable(model: ResolvedModel, allow_pickle: bool) -> bool:
    return (model.path / "config.json").exists() and (model.has_safe_weights or allow_pickle and model.has_weights)


def _cached_safe_snapshot(name: str, patterns: list[str]) -> ResolvedModel | None:
    """Any complete cached snapshot of ``name`` with safetensors weights (e.g. from the conversion PR), newest first."""
    snapshots = _repo_folder(name) / "snapshots"
    found = sorted((p for p in snapshots.glob("*") if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True) \
        if snapshots.is_dir() else []
    for folder in found:
        try:
            model = _snapshot(name, folder.name, patterns)
        except (FileNotFoundError, OSError):
            continue
        if _usable(model, allow_pickle=False):
            return model
    return None


# -- downloading -----------------------------------------------------------------------------------------
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


def _bound_hub_session() -> None:
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
def _quiet_hub() -> Iterator[None]:
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

    show = log.isEnabledFor(logging.INFO) and sys.stderr is sys.__stderr__ and sys.stderr.isatty()

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


def megabytes(n: int) -> str:
    mb = n / 1e6
    return f"{mb:.0f} MB" if mb >= 10 else f"{max(mb, 0.1):.1f} MB"


def _have(name: str, commit: str, files: dict[str, int]) -> int:
    """Bytes of ``files`` already on disk: complete files of the snapshot, and partial downloads."""
    folder = _repo_folder(name)
    done = sum(size for f, size in files.items() if (folder / "snapshots" / commit / f).exists())
    for part in (folder / "blobs").glob("*.incomplete") if (folder / "blobs").is_dir() else ():
        try:
            done += part.stat().st_size
        except OSError:
            pass
    return min(done, sum(files.values()))


def _download(name: str, revision: str | None, files: list[str], allow_pickle: bool,
              state: dict) -> ResolvedModel:
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
    total, done = sum(wanted.values()), _have(name, listing.commit, wanted)
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
    return ResolvedModel(name, folder, folder.name, listing.revision)


CONNECTION_LOST = "connection lost"


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
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


def _download_error(name: str, revision: str | None, exc: BaseException, state: dict) -> ModelNotFoundError:
    found = _cause(name, revision, exc)
    if isinstance(found, ModelNotFoundError):
        return found
    cause, advice, option = found
    files = state.get("files") or {}
    total = sum(files.values())
    done = _have(name, state["commit"], files) if files else 0
    if 0 < done < total:
        cause = f"download interrupted — {megabytes(done)} of {megabytes(total)}" + \
            ("" if cause == CONNECTION_LOST else f": {cause}")
        advice = "run the command again to resume it" if cause.endswith(megabytes(total)) \
            else f"{advice}; the next run resumes the download"
    return ModelNotFoundError(f"could not download model '{name}': {cause}; {advice}", option=option)


def _partial_offline(name: str, revision: str | None, patterns: list[str]) -> str:
    """ "(N MB of M)" for a partly downloaded snapshot, from the cached file listing ("" if unknown)."""
    try:
        from huggingface_hub import get_cached_repo_tree
        from huggingface_hub.utils import filter_repo_objects

        tree = get_cached_repo_tree(name, revision=revision)
        sizes = {f.path: f.size or 0 for f in tree}
        files = {f: sizes[f] for f in filter_repo_objects(list(sizes), allow_patterns=patterns)}
        commit = (_repo_folder(name) / "refs" / (revision or "main")).read_text().strip()
        return f" ({megabytes(_have(name, commit, files))} of {megabytes(sum(files.values()))})"
    except Exception:  # noqa: BLE001  (sizes are a nicety)
        return ""


def resolve_model(name: str = DEFAULT_MODEL, *, revision: str | None = None,
                  offline: bool | None = None, files: list[str] = TOKENIZER_FILES,
                  allow_pickle: bool = False) -> ResolvedModel:
    """Find ``name`` on disk, downloading it from the Hub only when allowed and needed.

    ``files`` are the non-weight files to fetch (default: those of a Marian model). Weights are
    safetensors: from the repo, or — for pickle-only repos such as many Helsinki-NLP ones — from
    the Hub conversion bot's pull request (``ResolvedModel.source`` then says ``refs/pr/N``).
    Pickle checkpoints (``pytorch_model.bin``) are neither fetched nor accepted unless
    ``allow_pickle``. Raises ``ModelNotFoundError`` with a one-line message that says why and what
    to do otherwise. Notes for the user (a download starting, weights from a pull request) go to
    the ``translate`` logger at INFO level; the hub's byte progress bar shows while a download
    runs, only when that level is enabled and stderr is a terminal.
    """
    if _looks_like_path(name):
        return _local(name, allow_pickle)
    from huggingface_hub.errors import HFValidationError, IncompleteSnapshotError

    offline = offline_mode() if offline is None else offline
    patterns = files + SAFE_WEIGHTS + (PICKLE_WEIGHTS if allow_pickle else [])
    partial = ""
    model = None
    try:
        cached = _snapshot(name, revision, patterns)
        if _usable(cached, allow_pickle):
            model = cached
    except HFValidationError:
        raise ModelNotFoundError(f"'{name}' is neither a model folder nor a valid Hugging Face model id") from None
    except IncompleteSnapshotError:
        partial = _partial_offline(name, revision, patterns) or " "
    except (FileNotFoundError, OSError):
        pass
    if model is None and revision is None:
        model = _cached_safe_snapshot(name, files + SAFE_WEIGHTS)
    if model is None and offline:
        if partial:
            raise ModelNotFoundError(
                f"model '{name}' is only partly downloaded{partial.rstrip()} and offline mode is on; run once with "
                "network access (unset HF_HUB_OFFLINE) to finish the download, or use a local model folder",
                option="model")
        raise ModelNotFoundError(
            f"model '{name}' is not in the Hugging Face cache and offline mode is on; "
            "run once with network access (unset HF_HUB_OFFLINE) or use a local model folder", option="model")
    if model is None:
        _bound_hub_session()
        state: dict = {}
        with _quiet_hub():
            try:
                model = _download(name, revision, files, allow_pickle, state)
            except ModelNotFoundError:
                raise
            except Exception as exc:  # noqa: BLE001  (httpx, OSError, hub errors: mapped to one line by cause)
                raise _download_error(name, revision, exc, state) from None
        if not _usable(model, allow_pickle):
            raise ModelNotFoundError(f"model '{name}' has no usable weights in its Hub snapshot")
    if model.from_pull_request:
        log.info("the weights of %s come from the Hub's safetensors conversion pull request %s "
                 "(by %s, not merged by the model's authors)", name, model.source, SAFETENSORS_BOT)
    return model
