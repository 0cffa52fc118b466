"""CTranslate2 backend: same translations as the transformers backend, exact toy English at int8,
a conversion cache that is reused and written atomically, loading without torch, and a light
tokenizer identical to transformers' MarianTokenizer."""

from __future__ import annotations

import json
import random
import shutil
import stat
import subprocess
import sys

import pytest

from tests.conftest import ENGLISH, ROOT
from tests.toy.train_toy import reference, sample
from translate.backends import convert
from translate.backends.ctranslate2_backend import CTranslate2Backend
from translate.backends.marian_spm import MarianSpm
from translate.backends.transformers_backend import TransformersBackend
from translate.models import resolve_model
from translate.options import DecodingOptions, LoadOptions
from translate.segmentation.sentences import split_sentences


@pytest.fixture(scope="session")
def ct2_cache(tmp_path_factory):
    """A private conversion cache for the session: never the user's real one."""
    return tmp_path_factory.mktemp("ct2-cache")


@pytest.fixture(scope="session")
def seed_sentences(seed_text) -> list[str]:
    paragraphs = [line.strip().lstrip("\u3000") for line in seed_text.splitlines() if line.strip()]
    return [p[a:b] for p in paragraphs for a, b in split_sentences(p)]


@pytest.fixture(scope="session")
def pad_loving_model(tiny_model, tmp_path_factory):
    """The tiny model with a large output bias on <pad>: only suppression keeps <pad> out."""
    from transformers import MarianMTModel

    folder = tmp_path_factory.mktemp("tiny-pad")
    shutil.copytree(tiny_model, folder, dirs_exist_ok=True)
    model = MarianMTModel.from_pretrained(folder)
    model.final_logits_bias[0, model.config.pad_token_id] = 50.0
    model.save_pretrained(folder, safe_serialization=True)
    return folder


def backends(folder, cache, compute_type):
    model = resolve_model(str(folder))
    return (TransformersBackend(model, LoadOptions(device="cpu")),
            CTranslate2Backend(model, LoadOptions(device="cpu", compute_type=compute_type), cache_dir=cache))


# (a) same decoding as transformers. The Marian generation config has forced_eos_token_id: with
# max_new_tokens=N transformers emits at most N-1 real tokens and then a forced </s> (reported as
# unfinished). The backend hands CTranslate2 max_decoding_length=N-1 (CT2 counts </s> in that limit,
# like max_new_tokens), so text *and* the finished flag must agree exactly; float32 rules out
# quantization noise. Longer outputs of the random model can differ under beam search through
# float rounding among near-tied beams (score differences ~1e-5 of ~800), hence short limits here.
@pytest.mark.parametrize("num_beams, max_new_tokens", [(1, 8), (4, 8), (3, 1)])
def test_tiny_model_matches_transformers(tiny_model, ct2_cache, seed_sentences, num_beams, max_new_tokens):
    hf, ct = backends(tiny_model, ct2_cache, "float32")
    options = DecodingOptions(num_beams, max_new_tokens)
    expected = hf.translate_batch(seed_sentences, options)
    assert ct.translate_batch(seed_sentences, options) == expected
    assert all(h.text for h in expected) or max_new_tokens == 1


def test_pad_is_never_produced(pad_loving_model, ct2_cache, seed_sentences):
    hf, ct = backends(pad_loving_model, ct2_cache, "float32")
    options = DecodingOptions(2, 6)
    assert ["<pad>"] in ct._fixed["suppress_sequences"]
    assert ct.translate_batch(seed_sentences[:8], options) == hf.translate_batch(seed_sentences[:8], options)
    sources = [ct.tokenizer.encode(s) for s in seed_sentences[:8]]
    raw = ct._translator.translate_batch(sources, max_decoding_length=5, **ct._fixed)
    assert not any("<pad>" in r.hypotheses[0] for r in raw)
    unsuppressed = ct._translator.translate_batch(sources, max_decoding_length=5,
                                                  **{**ct._fixed, "suppress_sequences": None})
    assert all("<pad>" in r.hypotheses[0] for r in unsuppressed)  # the bias does work


@pytest.mark.parametrize("num_beams, max_new_tokens", [(1, 4), (4, 4), (4, 6), (2, None)])
def test_toy_matches_transformers_with_limits(toy_model, ct2_cache, num_beams, max_new_tokens):
    """Natural </s>, </s> right at the limit and cut-offs: identical text and finished flags."""
    sentences = [sample(random.Random(i)) for i in range(60)]
    hf, ct = backends(toy_model, ct2_cache, "int8")
    options = DecodingOptions(num_beams, max_new_tokens)
    expected = hf.translate_batch(sentences, options)
    assert ct.translate_batch(sentences, options) == expected
    assert {h.finished for h in expected} == ({True} if max_new_tokens is None else {True, False})


# (b) int8 keeps the toy model exact.
def test_toy_int8_exact(toy_model, ct2_cache):
    rng = random.Random(2024)
    sentences = [sample(rng) for _ in range(50)]
    ct = CTranslate2Backend(resolve_model(str(toy_model)), LoadOptions(device="cpu"), cache_dir=ct2_cache)
    assert ct.compute_type == "int8"
    result = ct.translate_batch(sentences)
    assert [h.text for h in result] == [reference(s) for s in sentences]
    assert all(h.finished for h in result)
    assert ct.translate_batch([]) == []


def test_effective_options(toy_model, ct2_cache):
    """Both backends report what runs the same way: the same decoding, differing only in runtime."""
    import dataclasses

    model = resolve_model(str(toy_model))
    ct = CTranslate2Backend(model, LoadOptions(device="cpu"), cache_dir=ct2_cache)
    hf = TransformersBackend(model, LoadOptions(device="cpu"))
    assert ct.effective() == dataclasses.replace(hf.effective(), backend="ctranslate2", compute_type="int8")
    assert ct.effective().device == "cpu" and ct.effective().revision is None
    options = DecodingOptions(num_beams=2)
    assert ct.decoding(options) == hf.decoding(options) == DecodingOptions(2, None, 0, 1.0, 1.0)


# (c) the conversion cache.
def test_conversion_is_cached_per_quantization(toy_model, ct2_cache, monkeypatch):
    model = resolve_model(str(toy_model))
    int8 = convert.ensure_converted(model, "int8", ct2_cache)
    stamp = (int8 / "model.bin").stat().st_mtime_ns

    def no_conversion(*args, **kwargs):
        raise AssertionError("converted again")

    monkeypatch.setattr(convert, "convert_marian", no_conversion)
    again = CTranslate2Backend(model, LoadOptions(device="cpu", compute_type="int8"), cache_dir=ct2_cache)
    assert again.translate_batch(["三猫。"])[0].text == "three cat."
    assert again.model_dir == int8 and (int8 / "model.bin").stat().st_mtime_ns == stamp
    with pytest.raises(AssertionError, match="converted again"):
        convert.ensure_converted(model, "int8_float32", ct2_cache)
    assert convert.converted_path(model, "int8_float32", ct2_cache) != int8
    assert convert.converted_path(model, "float32", ct2_cache).parent == int8.parent
    for name in ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json", "generation_config.json"):
        assert (int8 / name).read_bytes() == (toy_model / name).read_bytes()
    assert stat.S_IMODE(int8.stat().st_mode) == 0o700


def test_killed_conversion_leaves_nothing(toy_model, tmp_path, monkeypatch):
    def crash(source, output, quantization):
        output.mkdir()
        (output / "model.bin").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(convert, "convert_marian", crash)
    cache = tmp_path / "new" / "ct2"
    with pytest.raises(KeyboardInterrupt):
        convert.ensure_converted(resolve_model(str(toy_model)), "int8", cache)
    assert list(cache.iterdir()) == []
    assert stat.S_IMODE(cache.stat().st_mode) == stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700


def test_cache_location(monkeypatch, tmp_path):
    monkeypatch.delenv(convert.CACHE_ENV, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    assert convert.cache_root() == tmp_path / "hf" / "ctranslate2"
    monkeypatch.setenv(convert.CACHE_ENV, str(tmp_path / "env"))
    assert convert.cache_root() == tmp_path / "env"
    assert convert.cache_root(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.delenv(convert.CACHE_ENV)
    monkeypatch.delenv("HF_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert convert.cache_root() == tmp_path / "xdg" / "huggingface" / "ctranslate2"


# (d) a converted model loads and translates without torch or transformers.
def test_loading_converted_model_needs_no_torch(toy_model, ct2_cache):
    convert.ensure_converted(resolve_model(str(toy_model)), "int8", ct2_cache)
    code = f"""
import json, sys
from translate.backends.ctranslate2_backend import CTranslate2Backend
from translate.models import resolve_model
from translate.options import LoadOptions
backend = CTranslate2Backend(resolve_model({str(toy_model)!r}), LoadOptions(device="cpu"), cache_dir={str(ct2_cache)!r})
result = {{"count": backend.count_tokens("三猫。"), "text": backend.translate_batch(["二狗！"])[0].text,
          "describe": {{"backend": backend.effective().backend}},
          "heavy": sorted(m for m in ("torch", "transformers") if m in sys.modules)}}
print(json.dumps(result))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["heavy"] == []
    assert result["count"] == 4 and result["text"] == "two dog!"
    assert result["describe"]["backend"] == "ctranslate2"


# (e) the light tokenizer is transformers' MarianTokenizer, piece for piece.
def assert_same_tokenizer(folder, texts):
    from transformers import MarianTokenizer

    hf, light = MarianTokenizer.from_pretrained(folder), MarianSpm(folder)
    source_pieces = {i: p for p, i in hf.get_src_vocab().items()}
    for text in texts:
        ids = hf(text)["input_ids"]
        assert light.encode(text) == [source_pieces[i] for i in ids], text
        assert light.ids(text) == ids and light.count_tokens(text) == len(ids) - 1
    target_pieces = {i: p for p, i in light.target_vocab.items()}
    rng = random.Random(0)
    sequences = [hf(text_target=t)["input_ids"] for t in texts]
    sequences += [[rng.randrange(len(target_pieces)) for _ in range(rng.randint(0, 16))] for _ in range(200)]
    for ids in sequences:
        assert light.decode([target_pieces[i] for i in ids]) == hf.decode(
            ids, skip_special_tokens=True, use_source_tokenizer=False), ids


EXTRA = ["", "  ", "  三猫。 ", "\u3000\u3000你好", "a</s>b<unk> <pad>c", ">>fra<< hello", "ok…“hi”"]


@pytest.mark.parametrize("which", ["tiny", "toy"])
def test_marian_spm_equals_marian_tokenizer(which, tiny_model, toy_model, seed_text, seed_sentences):
    folder = tiny_model if which == "tiny" else toy_model
    assert_same_tokenizer(folder, seed_sentences + seed_text.splitlines() + ENGLISH + EXTRA)


def test_marian_spm_separate_vocabs(toy_model, tmp_path, seed_sentences):
    folder = tmp_path / "separate"
    shutil.copytree(toy_model, folder)
    vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
    ordered = sorted(vocab, key=vocab.get)
    # a different id order; special tokens keep their ids, as in real checkpoints (transformers skips
    # special tokens by their *source* ids when decoding)
    target = {p: i for i, p in enumerate(ordered[:2] + ordered[2:-1][::-1] + ordered[-1:])}
    (folder / "target_vocab.json").write_text(json.dumps(target, ensure_ascii=False), encoding="utf-8")
    config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    (folder / "tokenizer_config.json").write_text(json.dumps({**config, "separate_vocabs": True}), encoding="utf-8")
    assert MarianSpm(folder).target_vocab == target
    assert_same_tokenizer(folder, seed_sentences[:5] + ENGLISH + EXTRA)


def test_light_modules_import_no_torch():
    code = ("import sys, translate.backends.ctranslate2_backend, translate.backends.convert, "
            "translate.backends.marian_spm; print(sorted(m for m in ('torch', 'transformers', 'ctranslate2', "
            "'sentencepiece') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


REPEATING = ["三猫三猫三猫。", "大海大海有鱼。", "红花红花红车红书。", "一二一二一二一二。", "山水山水看山水。"]


@pytest.mark.parametrize("controls", [
    {"no_repeat_ngram_size": 1}, {"no_repeat_ngram_size": 2}, {"repetition_penalty": 3.0},
    {"length_penalty": 0.2}, {"length_penalty": 2.0},
    {"no_repeat_ngram_size": 2, "repetition_penalty": 1.5, "length_penalty": 0.6},
], ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()))
def test_decoding_controls_mean_the_same_on_both_backends(toy_model, ct2_cache, controls):
    """float32: once a control pushes decoding off the learned path, the alternatives are near-ties
    that int8 rounding can reorder. The repetition penalty acts on logits on both (CTRL's rule)."""
    sentences = REPEATING + [sample(random.Random(i)) for i in range(20)]
    hf, ct = backends(toy_model, ct2_cache, "float32")
    options = DecodingOptions(num_beams=4, **controls)
    assert ct.translate_batch(sentences, options) == hf.translate_batch(sentences, options)


@pytest.mark.parametrize("controls", [{"no_repeat_ngram_size": 1}, {"repetition_penalty": 5.0}])
def test_repetition_controls_take_effect(toy_model, ct2_cache, controls):
    for backend in backends(toy_model, ct2_cache, "int8"):
        plain = backend.translate_batch(REPEATING[:1], DecodingOptions(num_beams=4))[0].text
        assert plain == "three cat three cat three cat."
        assert backend.translate_batch(REPEATING[:1], DecodingOptions(num_beams=4, **controls))[0].text != plain
