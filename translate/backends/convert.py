"""Convert a local Marian model folder to CTranslate2, once, into a cache next to the HF cache.

Cache root: ``cache_dir`` argument → ``$TRANSLATE_CT2_CACHE`` → ``$HF_HOME/ctranslate2`` →
``$XDG_CACHE_HOME/huggingface/ctranslate2`` → ``~/.cache/huggingface/ctranslate2``. One private
(0o700) folder per model name, identity (Hub commit or local-folder fingerprint) and quantization;
it holds ``model.bin``, the vocabulary and copies of the tokenizer and generation files, so
loading needs nothing else.
A conversion is written to a temporary folder and renamed into place: a killed conversion never
leaves a half model. Converting imports torch and transformers; finding a converted model does not.

The decoder starts from the embedding of ``decoder_start_token_id`` (``<pad>``), exactly as
transformers does, and ``<pad>`` stays in the vocabulary (the backend suppresses it). CTranslate2's
stock Marian loader instead drops ``<pad>`` and starts from a zero vector, which equals
transformers only when the ``<pad>`` embedding is zero (true of converted OPUS-MT checkpoints,
not of models trained with transformers and tied embeddings, such as the toy test model).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from ..models import ResolvedModel

CACHE_ENV = "TRANSLATE_CT2_CACHE"
COPY_FILES = ("source.spm", "target.spm", "vocab.json", "target_vocab.json", "tokenizer_config.json",
              "special_tokens_map.json", "generation_config.json")
QUANTIZATIONS = ("int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16", "float16",
                 "bfloat16", "float32")
STALE_TMP_S = 24 * 3600
log = logging.getLogger("translate")  # notes for the user (INFO); the CLI shows them on stderr


def default_quantization(device: str) -> str:
    """``int8`` on CPU, ``int8_float16`` on CUDA."""
    return "int8_float16" if device.startswith("cuda") else "int8"


def cache_root(cache_dir: str | os.PathLike | None = None) -> Path:
    """Where converted models live (see the module docstring for the order of precedence)."""
    if cache_dir:
        return Path(cache_dir).expanduser()
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "ctranslate2"
    xdg = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(xdg).expanduser() / "huggingface" / "ctranslate2"


def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "--", name).strip("-.")
    return slug[-80:] or "model"


def converted_path(model: ResolvedModel, quantization: str, cache_dir: str | os.PathLike | None = None) -> Path:
    """The cache folder for ``model`` at ``quantization`` (it may not exist yet)."""
    return cache_root(cache_dir) / f"{_slug(model.name)}--{_slug(model.identity)}--{quantization}"


def _make_private_dirs(path: Path) -> None:
    """Create ``path`` and missing parents with mode 0o700 (existing folders are left alone)."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            pass


def _remove_stale_temps(root: Path) -> None:
    for tmp in root.glob(".tmp-*"):
        try:
            if time.time() - tmp.stat().st_mtime > STALE_TMP_S:
                shutil.rmtree(tmp, ignore_errors=True)
        except OSError:
            pass


def ensure_converted(model: ResolvedModel, quantization: str = "int8",
                     cache_dir: str | os.PathLike | None = None) -> Path:
    """Return the converted folder for ``model``, converting it first if it is not cached."""
    if quantization not in QUANTIZATIONS:
        raise ValueError(f"unknown quantization '{quantization}' (one of {', '.join(QUANTIZATIONS)})")
    target = converted_path(model, quantization, cache_dir)
    if (target / "model.bin").is_file():
        return target
    root = target.parent
    _make_private_dirs(root)
    _remove_stale_temps(root)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))  # mode 0o700
    log.info("converting to CTranslate2 %s (once)…", quantization)
    try:
        out = tmp / "model"
        convert_marian(model.path, out, quantization)
        (out / "translate-conversion.json").write_text(json.dumps({
            "model": model.name, "revision": model.revision, "source": str(model.path),
            "quantization": quantization, "ctranslate2": _ct2_version(),
        }, indent=1), encoding="utf-8")
        out.chmod(0o700)
        try:
            os.replace(out, target)
        except OSError:  # another process finished the same conversion first: keep theirs
            if not (target / "model.bin").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _ct2_version() -> str:
    import ctranslate2

    return ctranslate2.__version__


def convert_marian(source: Path, output: Path, quantization: str) -> Path:
    """Convert the Marian folder ``source`` into the new folder ``output`` (imports torch)."""
    import torch
    import transformers
    from ctranslate2.converters import TransformersConverter

    loader = _marian_loader()

    class MarianConverter(TransformersConverter):
        def _load(self):
            path = Path(self._model_name_or_path)
            config = transformers.AutoConfig.from_pretrained(path)
            if config.model_type != "marian":
                raise ValueError(f"{path} is a '{config.model_type}' model, not a Marian model")
            safe = any((path / f).exists() for f in ("model.safetensors", "model.safetensors.index.json"))
            with torch.no_grad():
                model = transformers.MarianMTModel.from_pretrained(path, use_safetensors=safe,
                                                                   dtype=torch.float32)
                tokenizer = transformers.MarianTokenizer.from_pretrained(path)
                spec = loader(model, tokenizer)
            for name in self._copy_files or ():
                spec.register_file(str(path / name))
            return spec

    from transformers.utils import logging as hf_logging

    files = [name for name in COPY_FILES if (source / name).is_file()]
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # "Loading weights" bars are noise here: our notes say what happens
    try:
        MarianConverter(str(source), copy_files=files).convert(str(output), quantization=quantization)
    finally:
        if bars:
            hf_logging.enable_progress_bar()
    return output


def _marian_loader():
    """A CTranslate2 Marian loader that decodes exactly like transformers (see module docstring)."""
    from ctranslate2.converters.transformers import BartLoader, MarianMTLoader

    class ExactMarianLoader(MarianMTLoader):
        def __call__(self, model, tokenizer):
            spec = self.get_model_spec(model)
            self.set_config(spec.config, model, tokenizer)
            source = _ordered(tokenizer.get_vocab(), model.config.vocab_size)
            target = (_ordered(tokenizer.target_encoder, model.config.decoder_vocab_size)
                      if tokenizer.separate_vocabs else source)
            spec.register_source_vocabulary(source)
            spec.register_target_vocabulary(target)
            spec.config.decoder_start_token = target[model.config.decoder_start_token_id]
            return spec

        def get_model_spec(self, model):
            model.config.normalize_before = False
            model.config.normalize_embedding = False
            return BartLoader.get_model_spec(self, model)  # keeps the <pad> row

        def set_decoder(self, spec, decoder):
            BartLoader.set_decoder(self, spec, decoder)  # start from the <pad> embedding

    return ExactMarianLoader()


def _ordered(vocab: dict[str, int], size: int | None) -> list[str]:
    tokens = [token for token, _ in sorted(vocab.items(), key=lambda item: item[1])]
    tokens = tokens[:size] if size else tokens
    if [vocab[t] for t in tokens] != list(range(len(tokens))):
        raise ValueError("the Marian vocabulary ids are not contiguous from 0")
    return tokens
