"""Hugging Face ``MarianMTModel`` backend: the reference implementation.

Generation follows the model's ``generation_config.json`` (opus-mt-zh-en: beam 6,
``bad_words_ids [[65000]]``, ``renormalize_logits``) with explicit overrides. Output is
decoded with the *target* sentencepiece model, as Marian intends: transformers 5 defaults
to the source model for Marian checkpoints with a shared vocabulary.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cached_property
from typing import Any

from ..errors import ModelNotFoundError, first_line
from ..guard import ANTI_REPETITION
from ..models import ResolvedModel
from .base import Backend, DecodingOptions, Hypothesis, auto_max_new_tokens, model_limits



def pick_device(device: str) -> str:
    """``auto`` → ``cuda`` when a CUDA device is present, else ``cpu``."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        from ..errors import UsageError

        raise UsageError("--device cuda was requested but no CUDA device is available")
    return device


class TransformersBackend(Backend):
    """Translate with ``transformers``' MarianMTModel and MarianTokenizer."""

    name = "transformers"

    def __init__(self, model: ResolvedModel, options: DecodingOptions = DecodingOptions(),
                 device: str = "auto", threads: int | None = None) -> None:
        self.model_ref = model
        self.options = options
        self.requested_device = device
        self.threads = threads

    def _generation_file(self) -> dict[str, Any]:
        path = self.model_ref.path / "generation_config.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def describe(self) -> dict:
        gen = self._generation_file()
        return {
            "model": self.model_ref.name,
            "revision": self.model_ref.revision,
            "identity": self.model_ref.identity,
            "backend": self.name,
            "device": getattr(self, "device", None) or pick_device(self.requested_device),
            "num_beams": self.options.num_beams or gen.get("num_beams", 1),
            "max_new_tokens": self.options.max_new_tokens or "auto",
        }

    @cached_property
    def tokenizer(self):
        from transformers import MarianTokenizer

        try:
            return MarianTokenizer.from_pretrained(self.model_ref.path)
        except (OSError, ValueError, KeyError, AssertionError, RuntimeError) as exc:
            raise ModelNotFoundError(
                f"cannot load the Marian tokenizer from '{self.model_ref.path}': {first_line(exc)}") from None

    @cached_property
    def _model(self):
        import torch
        from transformers import MarianMTModel

        if self.threads:
            torch.set_num_threads(self.threads)
        device = pick_device(self.requested_device)
        safe = (self.model_ref.path / "model.safetensors").exists() or \
            (self.model_ref.path / "model.safetensors.index.json").exists()
        from transformers.utils import logging as hf_logging

        bars = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()  # our own progress bar is the one that matters
        try:
            model = MarianMTModel.from_pretrained(self.model_ref.path, use_safetensors=safe)
        except (OSError, ValueError) as exc:
            raise ModelNotFoundError(f"cannot load model from '{self.model_ref.path}': {first_line(exc)}") from None
        finally:
            if bars:
                hf_logging.enable_progress_bar()
        model.eval().to(device)
        gen = model.generation_config
        self._cap = model_limits(self.model_ref.path)[1]
        gen.max_length = None  # use max_new_tokens only (else transformers warns on every call)
        if self.options.num_beams:
            gen.num_beams = self.options.num_beams
        gen.num_return_sequences = 1
        self.device = device
        return model

    @property
    def max_source_tokens(self) -> int:
        return model_limits(self.model_ref.path)[0]

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def translate_batch(self, texts: Sequence[str], retry: bool = False) -> list[Hypothesis]:
        if not texts:
            return []
        import torch

        model = self._model
        tok = self.tokenizer
        enc = tok(list(texts), return_tensors="pt", padding=True).to(self.device)
        limit = min(self.options.max_new_tokens or auto_max_new_tokens(int(enc["attention_mask"].sum(1).max()),
                                                                       self._cap), self._cap)
        with torch.inference_mode():
            out = model.generate(**enc, max_new_tokens=limit, **(ANTI_REPETITION if retry else {}))
        decoded = tok.batch_decode(out, skip_special_tokens=True, use_source_tokenizer=False)
        pad, eos = model.generation_config.pad_token_id, model.generation_config.eos_token_id
        eos = eos[0] if isinstance(eos, list) else eos
        result = []
        for row, text in zip(out[:, 1:].tolist(), decoded):
            produced = [t for t in row if t != pad]
            finished = eos in produced and len(produced) < limit
            result.append(Hypothesis(text.strip(), finished))
        return result
