"""Every hypothesis carries the model's confidence: the mean log-probability per generated token
(end-of-sentence included, one forced at the length limit not), under the distribution decoding
chose from. Both backends give the same number; asking for it changes no output."""

from __future__ import annotations

import math
import random

import pytest

from tests.test_backends import REPEATING, backends
from tests.toy.train_toy import sample
from translate.backends import Hypothesis
from translate.backends.base import mean_score
from translate.backends.ctranslate2_backend import translate_kwargs
from translate.backends.transformers_backend import StepLogProbs, token_log_probs
from translate.options import DecodingOptions

SENTENCES = [sample(random.Random(i)) for i in range(30)] + REPEATING + ["你好世界。", "三猫看山。" * 6]
GARBAGE = ["鑫龘鱻靐齉。", "ЖЩФЮЯ", "@@##$$%%^^&&", "のらりくらり"]
HOSTILE = GARBAGE + ["三" * 40, "。。。！！！？？？", "<unk></s><pad>", "三猫\n\t看山 ，"]


def close(a: float | None, b: float | None) -> bool:
    """Measured on the toy in float32: within 3e-6; the margin covers other CPUs' float kernels."""
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-3, abs_tol=1e-3)


@pytest.fixture(scope="module")
def ct2_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("ct2-cache")


@pytest.fixture(scope="module")
def float32(toy_model, ct2_cache):
    return backends(toy_model, ct2_cache, "float32")


@pytest.mark.parametrize("options", [
    DecodingOptions(1), DecodingOptions(4), DecodingOptions(1, 4), DecodingOptions(4, 4), DecodingOptions(3, 1),
    DecodingOptions(4, length_penalty=0.6), DecodingOptions(4, length_penalty=2.0),
    DecodingOptions(2, length_penalty=0.0),
    DecodingOptions(4, repetition_penalty=1.5, no_repeat_ngram_size=2), DecodingOptions(1, repetition_penalty=3.0),
], ids=repr)
def test_backends_give_the_same_score(float32, options):
    """Natural ends, cut-offs (a forced </s> on transformers, one step less on CTranslate2), length
    penalties that CTranslate2 folds into its score, and penalties that reshape the distribution."""
    hf, ct = float32
    expected, got = hf.translate_batch(SENTENCES, options), ct.translate_batch(SENTENCES, options)
    assert got == expected  # the texts and finished flags
    pairs = [(e.score, g.score, e.scored_tokens, g.scored_tokens) for e, g in zip(expected, got)]
    assert all(close(a, b) and n == m for a, b, n, m in pairs), pairs
    assert any(e.score is not None for e in expected) or options.max_new_tokens == 1


def test_scores_are_log_probabilities(float32):
    for backend in float32:
        for h in backend.translate_batch(SENTENCES + HOSTILE, DecodingOptions(4)):
            assert h.score is not None and math.isfinite(h.score) and h.score <= 0.0 and h.scored_tokens >= 1


def test_nothing_generated_has_no_score(float32):
    """With room for only the forced </s>, the model chose nothing: no score rather than a made-up one."""
    for backend in float32:
        assert backend.translate_batch(["三猫。"], DecodingOptions(2, 1)) == [Hypothesis("", False)]
        assert backend.translate_batch(["三猫。"], DecodingOptions(2, 1))[0].score is None


@pytest.mark.parametrize("which", [0, 1], ids=["transformers", "ctranslate2"])
def test_known_sentences_score_higher_than_garbage(toy_model, ct2_cache, which):
    backend = backends(toy_model, ct2_cache, "int8")[which]
    known = backend.translate_batch(["三猫看山。", "大海有鱼！", "二狗。"])
    garbage = backend.translate_batch(GARBAGE)
    assert max(h.score for h in garbage) < min(h.score for h in known)
    assert min(h.score for h in known) > math.log(0.9)  # the toy is sure of what it has learned


def test_transformers_scores_are_transformers_own(float32):
    """Our per-step record gives back transformers' own beam score (its sum over tokens divided by
    length ** length_penalty) and its own greedy transition scores, kept at full vocabulary size."""
    import torch

    hf = float32[0]
    model, tok = hf._model, hf.tokenizer
    enc = tok(SENTENCES[:12], return_tensors="pt", padding=True)
    for beams, penalty in [(4, 1.0), (3, 0.5), (1, 1.0)]:
        record = StepLogProbs(model.generation_config, beams)
        with torch.inference_mode():
            out = model.generate(**enc, num_beams=beams, length_penalty=penalty, max_new_tokens=30,
                                 return_dict_in_generate=True, output_scores=True, logits_processor=[record])
        steps = token_log_probs(record, out.sequences, getattr(out, "beam_indices", None))
        produced = (out.sequences[:, 1:] != model.generation_config.pad_token_id).sum(1)
        if beams > 1:
            sums = torch.stack([steps[i, :n].sum() for i, n in enumerate(produced)])
            assert torch.allclose(sums / produced ** penalty, out.sequences_scores, atol=1e-4)
        else:
            own = model.compute_transition_scores(out.sequences, out.scores, normalize_logits=True)
            chosen = torch.arange(own.shape[1])[None, :] < produced[:, None]  # after </s> come <pad>s
            assert torch.allclose(steps[chosen], own[chosen], atol=1e-4)


def test_scoring_changes_no_output(tiny_model, ct2_cache, seed_text):
    """The random tiny model has near-ties everywhere: decoding with and without scores is identical."""
    import torch

    sentences = [line.strip() for line in seed_text.splitlines() if line.strip()][:12]
    hf, ct = backends(tiny_model, ct2_cache, "float32")
    for beams in (1, 3):
        options = DecodingOptions(beams, 12)
        sources = [ct.tokenizer.encode(s) for s in sentences]
        fixed = {**ct._fixed, "return_scores": False}
        plain = ct._translator.translate_batch(sources, max_decoding_length=11,  # </s> forced at 12
                                               **fixed, **translate_kwargs(ct.decoding(options)))
        scored = ct.translate_batch(sentences, options)
        assert [ct.tokenizer.decode([t for t in r.hypotheses[0] if t != "</s>"]) for r in plain] == [
            h.text for h in scored]
        enc = hf.tokenizer(sentences, return_tensors="pt", padding=True)
        with torch.inference_mode():
            out = hf._model.generate(**enc, num_beams=beams, max_new_tokens=12)
        texts = hf.tokenizer.batch_decode(out, skip_special_tokens=True)
        assert [t.strip() for t in texts] == [h.text for h in hf.translate_batch(sentences, options)]


def test_mean_score_of_joined_pieces():
    """Pieces translated separately and joined score as one translation: weighted by their tokens."""
    pieces = [Hypothesis("a", score=-1.0, scored_tokens=3), Hypothesis("b", score=-0.2, scored_tokens=1),
              Hypothesis("", False)]
    assert mean_score(pieces) == pytest.approx(-0.8)
    assert mean_score([Hypothesis("", False)]) is None and mean_score([]) is None
    assert Hypothesis("a", score=-1.0, scored_tokens=3) == Hypothesis("a")  # equality is the translation's
