"""Resolve a model name the way Hugging Face users expect: local folder → HF cache → download.

Honours ``HF_HOME`` / ``HF_HUB_CACHE`` and ``HF_HUB_OFFLINE``. Only the files a Marian model
needs are fetched, safetensors weights in preference to pickle checkpoints. The transfer itself is
:mod:`.download`; turning its failures into one line is :mod:`.diagnose`.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..errors import ModelNotFoundError
from .diagnose import download_error
from .download import SAFETENSORS_BOT, bound_hub_session, download, quiet_hub
from .repo import DEFAULT_MODEL, PICKLE_REFUSED, PICKLE_WEIGHTS, SAFE_WEIGHTS, have, megabytes, repo_folder

log = logging.getLogger("translate")  # notes for the user (INFO); the CLI shows them on stderr
TOKENIZER_FILES = ["config.json", "generation_config.json", "*.spm", "vocab.json", "target_vocab.json",
                   "tokenizer_config.json", "special_tokens_map.json"]
SEQ2SEQ_FILES = ["*.json", "*.txt", "*.model", "*.spm"]  # any BART/PEGASUS/T5 tokenizer and configs


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


def _source_of(name: str, commit: str, wanted: str) -> str:
    """Which cached ref points at ``commit``: ``wanted`` if it does, else a pull request, else "cache"."""
    refs = repo_folder(name) / "refs"
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
    snapshots = repo_folder(name) / "snapshots"
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


def _partial_offline(name: str, revision: str | None, patterns: list[str]) -> str:
    """ "(N MB of M)" for a partly downloaded snapshot, from the cached file listing ("" if unknown)."""
    try:
        from huggingface_hub import get_cached_repo_tree
        from huggingface_hub.utils import filter_repo_objects

        tree = get_cached_repo_tree(name, revision=revision)
        sizes = {f.path: f.size or 0 for f in tree}
        files = {f: sizes[f] for f in filter_repo_objects(list(sizes), allow_patterns=patterns)}
        commit = (repo_folder(name) / "refs" / (revision or "main")).read_text().strip()
        return f" ({megabytes(have(name, commit, files))} of {megabytes(sum(files.values()))})"
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
        bound_hub_session()
        state: dict = {}
        with quiet_hub():
            try:
                folder, source = download(name, revision, files, allow_pickle, state)
            except ModelNotFoundError:
                raise
            except Exception as exc:  # noqa: BLE001  (httpx, OSError, hub errors: mapped to one line by cause)
                raise download_error(name, revision, exc, state) from None
        model = ResolvedModel(name, folder, folder.name, source)
        if not _usable(model, allow_pickle):
            raise ModelNotFoundError(f"model '{name}' has no usable weights in its Hub snapshot")
    if model.from_pull_request:
        log.info("the weights of %s come from the Hub's safetensors conversion pull request %s "
                 "(by %s, not merged by the model's authors)", name, model.source, SAFETENSORS_BOT)
    return model
