"""CTranslate2 backend: the Marian model converted once (cached), then run without torch.

Decoding means what it means in the transformers backend: beam size, output length limit and
"finished" are computed the same way, and the generation config's ``bad_words_ids`` (plus
``<pad>``, always), ``no_repeat_ngram_size``, ``repetition_penalty``, ``length_penalty`` and
``min_length`` are passed on. Where transformers forces ``</s>`` at the last allowed position
(``forced_eos_token_id``), CTranslate2 decodes one token less: same text, same "unfinished".
Suppressed tokens are masked before the softmax, which is what transformers'
``renormalize_logits`` gives. A vocabulary map (``vocab_map.py``, off by default) restricts each
batch to its candidates (``use_vmap``). Scores come back divided by length ** ``length_penalty``
(end token counted): :func:`mean_log_prob` undoes the penalty into the per-token mean.
Never set ``CT2_USE_MKL=1`` on AMD CPUs: int8 gets many times slower.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from ..errors import ModelNotFoundError, UsageError, first_line
from ..models import ResolvedModel
from ..options import DecodingOptions, LoadOptions
from ..runtime import default_threads
from .base import Backend, Hypothesis
from .marian_spm import MarianSpm
from .vocab_map import VocabMap, folder_with_map, read_vocab_map, warn_unknown_targets


def pick_ct2_device(device: str) -> tuple[str, int]:
    """``auto`` → ``cuda`` when CTranslate2 sees a CUDA device, else ``cpu``; ``cuda:N`` → (cuda, N)."""
    import ctranslate2

    cuda = ctranslate2.get_cuda_device_count() > 0
    if device == "auto":
        return ("cuda" if cuda else "cpu"), 0
    kind, _, index = device.partition(":")
    if kind == "cuda" and not cuda:
        raise UsageError("CUDA was requested but CTranslate2 sees no CUDA device", option="device")
    return kind, int(index or 0)


def translate_kwargs(options: DecodingOptions) -> dict[str, Any]:
    """The mapping of decoding options onto ``translate_batch`` (``options`` already effective)."""
    return dict(beam_size=options.num_beams, no_repeat_ngram_size=options.no_repeat_ngram_size,
                repetition_penalty=options.repetition_penalty, length_penalty=options.length_penalty)


def mean_log_prob(score: float, length: int, length_penalty: float) -> float | None:
    """CTranslate2's hypothesis score (summed log-probabilities / length ** length_penalty, the end
    token counted in ``length``) as the mean log-probability per token."""
    return score * length ** length_penalty / length if length else None


class CTranslate2Backend(Backend):
    """Translate with a CTranslate2 conversion of a Marian model."""

    name = "ctranslate2"

    def __init__(self, model: ResolvedModel, load: LoadOptions = LoadOptions(),
                 cache_dir: str | os.PathLike | None = None) -> None:
        super().__init__(model, load)
        self.cache_dir = cache_dir

    @cached_property
    def _device(self) -> tuple[str, int]:
        return pick_ct2_device(self.load_options.device)

    @property
    def compute_type(self) -> str:
        from .convert import default_quantization

        requested = self.load_options.compute_type
        return requested if requested not in (None, "auto", "default") else default_quantization(self._device[0])

    def _runtime(self) -> dict[str, str]:
        runtime = {"device": self._device[0], "compute_type": self.compute_type}
        if self.vocab_map is not None:
            runtime["vocab_map"] = self.vocab_map.digest  # its content, not its path
        return runtime

    @cached_property
    def vocab_map(self) -> VocabMap | None:
        """The vocabulary map, read once: the folder loaded and the header's digest are of the same content."""
        path = self.load_options.vocab_map
        return read_vocab_map(path) if path is not None else None

    @cached_property
    def tokenizer(self) -> MarianSpm:
        try:
            return MarianSpm(self.model_ref.path)
        except (OSError, ValueError, KeyError) as exc:
            raise ModelNotFoundError(f"cannot load the Marian tokenizer from '{self.model_ref.path}': "
                                     f"{first_line(exc)}") from None

    @cached_property
    def model_dir(self) -> Path:
        """The converted model folder (converting on first use)."""
        from .convert import ensure_converted

        try:
            return ensure_converted(self.model_ref, self.compute_type, self.cache_dir)
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise ModelNotFoundError(f"cannot convert '{self.model_ref.name}' for CTranslate2: "
                                     f"{first_line(exc)}") from None

    @cached_property
    def _translator(self):
        import ctranslate2

        device, index = self._device
        if self.vocab_map is not None:
            warn_unknown_targets(self.vocab_map, self.tokenizer.target_vocab)
        try:
            with folder_with_map(self.model_dir, self.vocab_map) as folder:
                return ctranslate2.Translator(str(folder), device=device, device_index=index,
                                              compute_type=self.compute_type, intra_threads=self._threads[0],
                                              inter_threads=self._threads[1])
        except (ValueError, RuntimeError, OSError) as exc:
            raise UsageError(f"CTranslate2 cannot run this model with compute type '{self.compute_type}' on "
                             f"{device}: {first_line(exc)}", option="compute_type") from None

    @property
    def _threads(self) -> tuple[int, int]:
        """(intra, inter) threads. On CPU one thread per batch and one batch per core: measured
        faster than all cores on one batch (benchmarks/bench.py notes)."""
        cores = self.load_options.threads or default_threads()
        return (cores, 1) if self._device[0] == "cuda" else (1, cores)

    def load(self) -> None:
        self._translator, self._fixed  # noqa: B018 - cached on first access

    @property
    def parallel_batches(self) -> int:
        return self._threads[1]

    @cached_property
    def _fixed(self) -> dict[str, Any]:
        """``translate_batch`` arguments that come from the model, not from the options."""
        gen, tok = self.generation, self.tokenizer
        inverse = {i: t for t, i in tok.target_vocab.items()}
        suppress = [[inverse[i] for i in seq] for seq in gen.get("bad_words_ids") or []
                    if all(i in inverse for i in seq)]
        if [tok.pad] not in suppress:
            suppress.append([tok.pad])
        return dict(
            num_hypotheses=1,
            # transformers' min_length counts the decoder start token
            min_decoding_length=max(0, (gen.get("min_length") or 0) - 1),
            suppress_sequences=suppress,
            return_end_token=True,
            return_scores=True,  # free under beam search, one log-softmax per step when greedy
            max_input_length=0,
            use_vmap=self.vocab_map is not None,
        )

    def count_tokens(self, text: str) -> int:
        return self.tokenizer.count_tokens(text)

    def translate_batch(self, texts: Sequence[str], options: DecodingOptions = DecodingOptions()) -> list[Hypothesis]:
        if not texts:
            return []
        tok = self.tokenizer
        sources = [tok.encode(text) for text in texts]
        limit = self.output_limit(max(map(len, sources)), options)
        # transformers forces </s> as the last of `limit` tokens: CTranslate2 gets one token less.
        steps = limit - 1 if self.generation.get("forced_eos_token_id") is not None else limit
        if steps < 1:
            return [Hypothesis("", False) for _ in texts]
        options = self.decoding(options)
        try:
            results = self._translator.translate_batch(sources, max_decoding_length=steps, **self._fixed,
                                                       **translate_kwargs(options))
        except RuntimeError as exc:
            if "cannot be loaded" not in str(exc):
                raise
            # CTranslate2's wheels are built for CUDA 12: measured on a CUDA 13 machine (H100), its
            # cuBLAS 13 linked as libcublas.so.12 worked; the fix is the user's, the message says which
            raise UsageError(f"CTranslate2 cannot use the GPU: {first_line(exc)}; install CUDA 12's cuBLAS "
                             "(pip install nvidia-cublas-cu12), or run on the CPU or with the transformers backend",
                             option="device") from None
        hypotheses = []
        for result in results:
            tokens = list(result.hypotheses[0])
            scored = len(tokens)
            penalty = 1.0 if options.length_penalty is None else options.length_penalty  # CTranslate2's default
            score = mean_log_prob(result.scores[0], scored, penalty)
            ended = bool(tokens) and tokens[-1] == tok.eos
            if ended:
                tokens.pop()
            # as in transformers: finished when </s> came before the limit (tokens counted with </s>)
            hypotheses.append(Hypothesis(tok.decode(tokens), ended and len(tokens) + 1 < limit, score, scored))
        return hypotheses
