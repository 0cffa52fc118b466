"""A model repository on the Hugging Face Hub and in its local cache: which weight files this tool
takes, where the cache keeps a repo, and how many bytes of a download are already on disk (for the
notes and errors that say how far a download got)."""

from __future__ import annotations

from pathlib import Path

DEFAULT_MODEL = "Helsinki-NLP/opus-mt-zh-en"
SAFE_WEIGHTS = ["model.safetensors", "model-*.safetensors", "model.safetensors.index.json"]
PICKLE_WEIGHTS = ["pytorch_model.bin"]
SAFE_NAMES = ("model.safetensors", "model.safetensors.index.json")
PICKLE_REFUSED = ("has only a pickle checkpoint (pytorch_model.bin), which can run code when loaded; "
                  "convert it to safetensors, or allow pickle loading if you trust it")


def repo_folder(name: str) -> Path:
    """The Hub cache's folder of repo ``name`` (``HF_HUB_CACHE``, read now)."""
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE) / f"models--{name.replace('/', '--')}"


def megabytes(n: int) -> str:
    mb = n / 1e6
    return f"{mb:.0f} MB" if mb >= 10 else f"{max(mb, 0.1):.1f} MB"


def have(name: str, commit: str, files: dict[str, int]) -> int:
    """Bytes of ``files`` already on disk: complete files of the snapshot, and partial downloads."""
    folder = repo_folder(name)
    done = sum(size for f, size in files.items() if (folder / "snapshots" / commit / f).exists())
    for part in (folder / "blobs").glob("*.incomplete") if (folder / "blobs").is_dir() else ():
        try:
            done += part.stat().st_size
        except OSError:
            pass
    return min(done, sum(files.values()))
