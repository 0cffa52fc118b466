"""Abstractive digests: a Hugging Face seq2seq summarizer (BART, PEGASUS, T5) over the English text.

- Window: the article's best-ranked sentences (in English) are fed in document order up to the
  model's input window; the digest says how many fitted — never a silent truncation.
- Lengths: presets map to min/max new tokens; custom budgets convert words to tokens, and the
  generated text is cut back to whole sentences within the budget.
- Decoding: deterministic beam search, ``no_repeat_ngram_size=3``.
- Faithfulness guard: every number and capitalised name in the output must occur in the English
  source; otherwise that length falls back to its extractive digest, saying why.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import replace
from functools import cached_property
from typing import Protocol

from translate.errors import ModelNotFoundError, first_line
from translate.models import SEQ2SEQ_FILES, resolve_model
from translate.segmentation import split_sentences

from .digests import Digest, DigestSentence
from .lengths import LengthSpec, measure

DEFAULT_SUMMARY_MODEL = "sshleifer/distilbart-cnn-12-6"
PRESET_TOKENS = {"headline": (8, 32), "short": (40, 100), "medium": (80, 200), "long": (160, 400)}
TOKENS_PER_WORD = 1.4
WORDS_PER_SENTENCE = 25
CHARS_PER_WORD = 6
NUM_BEAMS = 4
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"(?<![\w'])[A-Z][\w'’-]*")
_SENTENCE_START = re.compile(r"(^|[.!?]\s+|[\"“(]\s*)$")


class AbstractiveModel(Protocol):
    """What the digest builder needs from a summarization model."""

    @property
    def window(self) -> int: ...

    def count_tokens(self, text: str) -> int: ...

    def generate(self, text: str, min_new_tokens: int, max_new_tokens: int) -> str: ...


class HFSummarizer:
    """A Hugging Face seq2seq summarizer, loaded lazily once (safetensors preferred, no remote code)."""

    def __init__(self, model: str = DEFAULT_SUMMARY_MODEL, device: str = "auto", offline: bool | None = None,
                 num_beams: int = NUM_BEAMS, allow_pickle: bool = False) -> None:
        self.model = model
        self.device = device
        self.offline = offline
        self.num_beams = num_beams
        self.allow_pickle = allow_pickle

    @cached_property
    def _loaded(self):
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        from translate.runtime import import_torch, pick_device

        import_torch()
        try:
            ref = resolve_model(self.model, offline=self.offline, files=SEQ2SEQ_FILES, allow_pickle=self.allow_pickle)
        except ModelNotFoundError as exc:
            if exc.option == "model":
                exc.option = "summary_model"
            raise
        bars = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()  # loading from a local folder: no bar (and the setting is put back)
        try:
            tokenizer = AutoTokenizer.from_pretrained(ref.path)
            model = AutoModelForSeq2SeqLM.from_pretrained(ref.path, trust_remote_code=False,
                                                          use_safetensors=ref.has_safe_weights).eval()
        except (OSError, ValueError, KeyError) as exc:
            raise ModelNotFoundError(f"cannot load summarizer '{self.model}': {first_line(exc)}",
                                     option="summary_model") from None
        finally:
            if bars:
                hf_logging.enable_progress_bar()
        model.to(pick_device(self.device))
        gen = model.generation_config
        gen.max_length = None
        gen.min_length = None
        limits = [v for v in (getattr(model.config, "max_position_embeddings", None), tokenizer.model_max_length)
                  if isinstance(v, int) and 0 < v < 100_000]
        return tokenizer, model, min(limits) if limits else 512

    @property
    def window(self) -> int:
        return self._loaded[2]

    def count_tokens(self, text: str) -> int:
        return len(self._loaded[0](text)["input_ids"])

    def generate(self, text: str, min_new_tokens: int, max_new_tokens: int) -> str:
        from translate.runtime import import_torch

        torch = import_torch()
        tokenizer, model, window = self._loaded
        enc = tokenizer(text, return_tensors="pt", truncation=False).to(model.device)
        if enc["input_ids"].shape[1] > window:
            raise ValueError(f"summarizer input of {enc['input_ids'].shape[1]} tokens exceeds the window of {window}")
        max_new_tokens = min(max_new_tokens, window - 1)  # the decoder has the same position limit
        min_new_tokens = min(min_new_tokens, max_new_tokens)
        with torch.inference_mode():
            out = model.generate(**enc, num_beams=self.num_beams, do_sample=False, no_repeat_ngram_size=3,
                                 min_new_tokens=min_new_tokens, max_new_tokens=max_new_tokens, early_stopping=True)
        return tokenizer.decode(out[0], skip_special_tokens=True).strip()


def token_limits(spec: LengthSpec, source_words: int) -> tuple[int, int]:
    """min/max new tokens for a digest length."""
    if spec.name in PRESET_TOKENS:
        return PRESET_TOKENS[spec.name]
    words = {"sentences": spec.amount * WORDS_PER_SENTENCE, "words": spec.amount,
             "characters": spec.amount / CHARS_PER_WORD, "percent": spec.amount / 100 * source_words}[spec.unit]
    high = max(8, math.ceil(words * TOKENS_PER_WORD))
    return max(1, high // 2), high


def unsupported(summary: str, source: str) -> list[str]:
    """Numbers and capitalised names in ``summary`` that the source does not contain."""
    numbers = {n.replace(",", "") for n in _NUMBER.findall(source)}
    missing = [n for n in _NUMBER.findall(summary) if n.replace(",", "") not in numbers]
    lowered = source.lower()
    for m in _NAME.finditer(summary):
        word = m.group(0).rstrip("'’-")
        if word in source:
            continue
        if _SENTENCE_START.search(summary[:m.start()]) and word.lower() in lowered:
            continue  # an ordinary word capitalised at the start of a sentence
        missing.append(word)
    return list(dict.fromkeys(missing))


def trim_to_length(summary: str, spec: LengthSpec, limit: float) -> str:
    """Drop trailing sentences of ``summary`` until it fits ``limit`` (whole sentences only)."""
    sentences = fit_sentences(summary)
    while sentences:
        text = " ".join(sentences)
        size = len(sentences) if spec.unit == "sentences" else measure(text, "words" if spec.unit == "percent"
                                                                       else spec.unit)
        if size <= limit:
            return text
        sentences.pop()
    return ""


def abstract_digests(engine: AbstractiveModel, support: Sequence[DigestSentence], extractive: Sequence[Digest],
                     candidates: int) -> list[Digest]:
    """Abstractive versions of ``extractive`` digests, each falling back to its extractive twin.

    ``support``: the English sentences the summary is written from (those that fit the model's
    window, in document order), out of ``candidates`` sentences in the article.
    """
    english = " ".join(s.text for s in support)
    words = measure(english, "words")
    window_note = (f"summarized the {len(support)} best of {candidates} sentences that fit the "
                   f"{engine.window}-token window") if len(support) < candidates else None
    out = []
    for digest in extractive:
        spec = digest.length
        low, high = token_limits(spec, words)
        limit = spec.amount / 100 * words if spec.unit == "percent" else spec.amount
        summary = trim_to_length(engine.generate(english, low, high), spec, limit) if english else ""
        bad = unsupported(summary, english)
        if not summary or bad:
            why = (f"the abstractive summary names {', '.join(repr(b) for b in bad[:3])}, not in the article"
                   if bad else "no abstractive summary fits the budget")
            out.append(replace(digest, note=f"{why}; extractive digest used"))
            continue
        achieved: float = len(fit_sentences(summary)) if spec.unit == "sentences" else measure(
            summary, "words" if spec.unit == "percent" else spec.unit)
        if spec.unit == "percent":
            achieved = round(100 * achieved / max(words, 1), 1)
        out.append(Digest(spec, tuple(support), achieved, method="abstractive", abstract=summary, note=window_note))
    return out


def fit_sentences(text: str) -> list[str]:
    """English ``text`` cut into sentences."""
    return [text[s:e] for s, e in split_sentences(text, "en")]
