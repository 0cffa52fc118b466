"""Resolve a model name the way Hugging Face users expect: local folder → HF cache → download.

Honours ``HF_HOME`` / ``HF_HUB_CACHE`` and ``HF_HUB_OFFLINE``. Only the files a Marian model
needs are fetched, safetensors weights in preference to pickle checkpoints.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..errors import ModelNotFoundError, first_line

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
    resolved = ResolvedModel(name, path.resolve(), None)
    if not resolved.has_weights:
        raise ModelNotFoundError(f"model folder '{name}' has no weights (model.safetensors)")
    if not resolved.has_safe_weights and not allow_pickle:
        raise ModelNotFoundError(f"model folder '{name}' {PICKLE_REFUSED}", option="allow_pickle")
    return resolved


def _snapshot(name: str, revision: str | None, patterns: list[str], local_only: bool) -> ResolvedModel:
    from huggingface_hub import snapshot_download

    folder = Path(snapshot_download(name, revision=revision, allow_patterns=patterns,
                                    local_files_only=local_only))
    return ResolvedModel(name, folder, folder.name)


SAFETENSORS_PR_TITLE = "Adding `safetensors` variant of this model"
SAFETENSORS_BOT = "SFconvertbot"


def _usable(model: ResolvedModel, allow_pickle: bool) -> bool:
    return (model.path / "config.json").exists() and (model.has_safe_weights or allow_pickle and model.has_weights)


def _cached_safe_snapshot(name: str) -> ResolvedModel | None:
    """Any cached snapshot of ``name`` with safetensors weights (e.g. from the conversion PR), newest first."""
    from huggingface_hub import constants

    snapshots = Path(constants.HF_HUB_CACHE) / f"models--{name.replace('/', '--')}" / "snapshots"
    found = [ResolvedModel(name, p, p.name) for p in snapshots.glob("*") if p.is_dir()] if snapshots.is_dir() else []
    found = [m for m in found if _usable(m, allow_pickle=False)]
    return max(found, key=lambda m: m.path.stat().st_mtime) if found else None


def _safetensors_pr(name: str) -> str | None:
    """The Hub's own safetensors conversion of a pickle-only repo: an open pull request by the
    Hub's conversion bot (the same one transformers looks for). Its revision, or None."""
    from huggingface_hub import get_repo_discussions

    for discussion in get_repo_discussions(repo_id=name, discussion_type="pull_request", discussion_status="open"):
        if discussion.title == SAFETENSORS_PR_TITLE and discussion.author == SAFETENSORS_BOT:
            return discussion.git_reference
    return None


def resolve_model(name: str = DEFAULT_MODEL, *, revision: str | None = None,
                  offline: bool | None = None, files: list[str] = TOKENIZER_FILES,
                  allow_pickle: bool = False) -> ResolvedModel:
    """Find ``name`` on disk, downloading it from the Hub only when allowed and needed.

    ``files`` are the non-weight files to fetch (default: those of a Marian model). Weights are
    safetensors: from the repo, or — for pickle-only repos such as many Helsinki-NLP ones — from
    the Hub conversion bot's pull request. Pickle checkpoints (``pytorch_model.bin``) are neither
    fetched nor accepted unless ``allow_pickle``. Raises ``ModelNotFoundError`` with a one-line,
    actionable message otherwise.
    """
    if _looks_like_path(name):
        return _local(name, allow_pickle)
    from huggingface_hub.errors import (GatedRepoError, HFValidationError, LocalEntryNotFoundError,
                                        RepositoryNotFoundError, RevisionNotFoundError)

    offline = offline_mode() if offline is None else offline
    patterns = files + SAFE_WEIGHTS + (PICKLE_WEIGHTS if allow_pickle else [])
    try:
        cached = _snapshot(name, revision, patterns, local_only=True)
        if _usable(cached, allow_pickle):
            return cached
    except HFValidationError:
        raise ModelNotFoundError(f"'{name}' is neither a model folder nor a valid Hugging Face model id") from None
    except (LocalEntryNotFoundError, FileNotFoundError, OSError):
        pass
    if revision is None and (converted := _cached_safe_snapshot(name)):
        return converted
    if offline:
        raise ModelNotFoundError(
            f"model '{name}' is not in the Hugging Face cache and offline mode is on; "
            "run once with network access (unset HF_HUB_OFFLINE) or use a local model folder", option="model")
    try:
        model = _snapshot(name, revision, files + SAFE_WEIGHTS, local_only=False)
        if not model.has_safe_weights and revision is None and (pr := _safetensors_pr(name)):
            model = _snapshot(name, pr, files + SAFE_WEIGHTS, local_only=False)
        if not model.has_safe_weights and allow_pickle:
            model = _snapshot(name, revision, files + PICKLE_WEIGHTS, local_only=False)
    except GatedRepoError:
        raise ModelNotFoundError(f"model '{name}' is gated; log in with `hf auth login` first") from None
    except RepositoryNotFoundError:
        raise ModelNotFoundError(
            f"model '{name}' was not found on the Hugging Face Hub; check the id "
            f"(e.g. {DEFAULT_MODEL}) or use a local model folder", option="model") from None
    except RevisionNotFoundError:
        raise ModelNotFoundError(f"model '{name}' has no revision '{revision}'") from None
    except Exception as exc:  # network failures come in many types (httpx, OSError, hub errors)
        reason = first_line(exc, 160)
        raise ModelNotFoundError(
            f"model '{name}' is not in the Hugging Face cache and could not be downloaded ({reason}); "
            "connect to the network once, or use a local model folder", option="model") from None
    if not _usable(model, allow_pickle):
        raise ModelNotFoundError(f"model '{name}' " + (PICKLE_REFUSED.replace("has only", "offers only")
                                                         if not allow_pickle else "has no weights on the Hub"),
                                 option=None if allow_pickle else "allow_pickle")
    return model
