"""Hugging Face ``MarianMTModel`` backend: the reference implementation.

Generation follows the model's ``generation_config.json`` (opus-mt-zh-en: beam 6,
``bad_words_ids [[65000]]``, ``renormalize_logits``) with explicit per-call overrides. Output
is decoded with the *target* sentencepiece model, as Marian intends: transformers 5 defaults
to the source model for Marian checkpoints with a shared vocabulary.

Scores: ``output_scores`` would keep every step's full-vocabulary log-probabilities for every beam
(opus-mt-zh-en: 65,001 floats × beams × batch × steps, gigabytes), and ``sequences_scores``
needs it. :class:`StepLogProbs` keeps, per step and beam, only the top-k candidates beam search
can choose from, renormalised as ``renormalize_logits`` would; ``beam_indices`` (always returned)
then picks each chosen token's log-probability.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from functools import cached_property
from typing import Any

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


class StepLogProbs:
    """A last logits processor that changes nothing and keeps, at every step, the top-k
    log-probabilities of each row (the processed scores, renormalised) and their tokens: k is
    the ``(1 + eos tokens, at least 2) × beams`` candidates transformers' beam search takes per
    step, so each chosen token is among them, or tied with the k-th; 1 for greedy search."""

    def __init__(self, generation_config, num_beams: int) -> None:
        eos = generation_config.eos_token_id
        self.k = 1 if num_beams == 1 else max(2, 1 + len(eos if isinstance(eos, list) else [eos])) * num_beams
        self.values: list = []
        self.tokens: list = []

    def __call__(self, input_ids, scores):
        top = scores.topk(min(self.k, scores.shape[-1]), dim=-1)
        self.values.append(top.values - scores.logsumexp(-1, keepdim=True))
        self.tokens.append(top.indices)
        return scores


def token_log_probs(record: StepLogProbs, sequences, beam_indices=None):
    """Log-probability of every generated token of ``sequences`` (batch × steps), from the rows
    ``beam_indices`` names (the sequence's own row under greedy search). Past a sequence's end: junk."""
    torch = import_torch()
    tokens = sequences[:, 1:]  # after the decoder start token
    steps = torch.arange(tokens.shape[1], device=tokens.device)
    rows = (torch.arange(len(tokens), device=tokens.device)[:, None].expand_as(tokens) if beam_indices is None
            else beam_indices[:, :tokens.shape[1]].clamp(min=0))
    values = torch.stack(record.values, 1)[rows, steps]  # batch × steps × k
    match = torch.stack(record.tokens, 1)[rows, steps] == tokens[..., None]
    # not among the k kept: tied with the k-th (beam search keeps k per step), so it has its value
    pick = torch.where(match.any(-1), match.int().argmax(-1), values.shape[-1] - 1)
    return values.gather(-1, pick[..., None]).squeeze(-1)


class TransformersBackend(Backend):
    """Translate with ``transformers``' MarianMTModel and MarianTokenizer."""

    name = "transformers"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # one generate() at a time: the repetition penalty hooks the shared model for a call's length,
        # and a second thread's forward pass would run through that hook (torch uses every core anyway)
        self._generating = threading.Lock()

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
        assert options.num_beams is not None and options.repetition_penalty is not None  # resolved: never unset
        record = StepLogProbs(model.generation_config, options.num_beams)
        with self._generating, torch.inference_mode(), penalised_logits(model, options.repetition_penalty):
            out = model.generate(**enc, **generate_kwargs(options, limit), logits_processor=[record],
                                 return_dict_in_generate=True)
            log_probs = token_log_probs(record, out.sequences, getattr(out, "beam_indices", None)).tolist()
        decoded = tok.batch_decode(out.sequences, skip_special_tokens=True, use_source_tokenizer=False)
        gen = model.generation_config
        eos = gen.eos_token_id[0] if isinstance(gen.eos_token_id, list) else gen.eos_token_id
        result = []
        for row, text, steps in zip(out.sequences[:, 1:].tolist(), decoded, log_probs):
            produced = [t for t in row if t != gen.pad_token_id]
            finished = eos in produced and len(produced) < limit
            # a </s> forced at the limit is no choice of the model's (CTranslate2 stops a step earlier)
            forced = not finished and gen.forced_eos_token_id is not None and produced[-1:] == [eos]
            scored = len(produced) - forced
            score = sum(steps[:scored]) / scored if scored else None
            result.append(Hypothesis(text.strip(), finished, score, scored))
        return result
