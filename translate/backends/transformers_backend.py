"""Hugging Face ``MarianMTModel`` backend: the reference implementation.

Generation follows the model's ``generation_config.json`` (opus-mt-zh-en: beam 6,
``bad_words_ids [[65000]]``, ``renormalize_logits``) with explicit per-call overrides. Output
is decoded with the *target* sentencepiece model, as Marian intends: transformers 5 defaults
to the source model for Marian checkpoints with a shared vocabulary.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from functools import cached_property

from ..errors import ModelNotFoundError, first_line
from ..options import DecodingOptions
from ..runtime import import_torch, pick_device
from .base import Backend, Hypothesis


def generate_kwargs(options: DecodingOptions, limit: int) -> dict:
    """The mapping of decoding options onto ``generate()`` (``options`` already effective).
    The repetition penalty is applied by :func:`penalised_logits` instead of transformers' own."""
    return dict(max_new_tokens=limit, num_beams=options.num_beams,
                no_repeat_ngram_size=options.no_repeat_ngram_size, length_penalty=options.length_penalty)


@contextlib.contextmanager
def penalised_logits(model, penalty: float) -> Iterator[None]:
    """The CTRL repetition penalty on the raw logits of every step (a logit of an already produced
    token is divided by ``penalty`` when positive, multiplied when negative) — what CTranslate2
    does. transformers' own penalty acts on log-probabilities under beam search, which penalises
    confident tokens far less: the same number would mean two things on the two backends."""
    if penalty == 1.0:
        yield
        return
    torch = import_torch()
    seen: dict[str, object] = {}
    prepare = model.prepare_inputs_for_generation

    def remember(input_ids, *args, **kwargs):  # the decoder tokens so far, beams reordered
        seen["ids"] = input_ids
        return prepare(input_ids, *args, **kwargs)

    def penalise(module, args, output):
        logits, ids = output.logits[:, -1, :], seen["ids"]
        scores = torch.gather(logits, 1, ids)
        logits.scatter_(1, ids, torch.where(scores < 0, scores * penalty, scores / penalty))
        return output

    model.prepare_inputs_for_generation = remember
    handle = model.register_forward_hook(penalise)
    try:
        yield
    finally:
        handle.remove()
        del model.prepare_inputs_for_generation


class TransformersBackend(Backend):
    """Translate with ``transformers``' MarianMTModel and MarianTokenizer."""

    name = "transformers"

    def _runtime(self) -> dict[str, str]:
        return {"device": getattr(self, "device", None) or pick_device(self.load_options.device),
                "compute_type": "float32"}

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
        import_torch(self.load_options.threads)
        from transformers import MarianMTModel
        from transformers.utils import logging as hf_logging

        device = pick_device(self.load_options.device)
        bars = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()  # our own progress bar is the one that matters
        try:
            model = MarianMTModel.from_pretrained(self.model_ref.path, use_safetensors=self.model_ref.has_safe_weights)
        except (OSError, ValueError) as exc:
            raise ModelNotFoundError(f"cannot load model from '{self.model_ref.path}': {first_line(exc)}") from None
        finally:
            if bars:
                hf_logging.enable_progress_bar()
        model.eval().to(device)
        gen = model.generation_config
        gen.max_length = None  # use max_new_tokens only (else transformers warns on every call)
        gen.num_return_sequences = 1
        self.device = device
        return model

    def load(self) -> None:
        self._model, self.tokenizer  # noqa: B018 - cached on first access

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def translate_batch(self, texts: Sequence[str], options: DecodingOptions = DecodingOptions()) -> list[Hypothesis]:
        if not texts:
            return []
        torch = import_torch()
        model = self._model
        tok = self.tokenizer
        enc = tok(list(texts), return_tensors="pt", padding=True).to(self.device)
        limit = self.output_limit(int(enc["attention_mask"].sum(1).max()), options)
        options = self.decoding(options)
        with torch.inference_mode(), penalised_logits(model, options.repetition_penalty):
            out = model.generate(**enc, **generate_kwargs(options, limit))
        decoded = tok.batch_decode(out, skip_special_tokens=True, use_source_tokenizer=False)
        pad, eos = model.generation_config.pad_token_id, model.generation_config.eos_token_id
        eos = eos[0] if isinstance(eos, list) else eos
        result = []
        for row, text in zip(out[:, 1:].tolist(), decoded):
            produced = [t for t in row if t != pad]
            finished = eos in produced and len(produced) < limit
            result.append(Hypothesis(text.strip(), finished))
        return result
