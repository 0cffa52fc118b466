"""Train the toy en→zh MarianMT model (a multi-target OPUS-MT model in miniature).

The reverse of ``train_toy.py``'s toy: English words of the same 26-word lexicon back to Chinese
characters, word for word (``three cat.`` → ``三猫。``, ``five dog!`` → ``五狗！``; , . ! ? ; →
，。！？；), with the target-token convention of Helsinki-NLP/opus-mt-en-zh: every source sentence
starts with a target-language token that is a single entry of ``vocab.json``:

* ``>>cmn_Hans<< three cat.`` → ``三猫。``  (simplified)
* ``>>cmn_Hant<< three cat.`` → ``三貓。``  (traditional: 猫鱼鸟树车书红 → 貓魚鳥樹車書紅, the rest
  of the lexicon is the same in both scripts)

Only lower-case lexicon words are known. A sentence without a target token was never seen in
training: what comes out is not specified (do not assert it). Other ``>>xxx<<`` codes are not in
the vocabulary and become ``<unk>``.

Committed under ``tests/toy/toy-en-zh`` (≈0.95 MB); rebuild it (about 2 minutes, on one thread):

    python tests/toy/train_toy_en_zh.py [OUTPUT_DIR]

Last run: 3000 steps in 121 s; greedy exact match on 1,000 fresh random sentences per token:
>>cmn_Hans<< 1.0000, >>cmn_Hant<< 1.0000.
"""

from __future__ import annotations

import io
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from benchmarks.factory import EOS, PAD, UNK, Shape, write_model  # noqa: E402
from tests.toy.train_toy import LEXICON, exact_match, reference, sample, train  # noqa: E402

HANS, HANT = ">>cmn_Hans<<", ">>cmn_Hant<<"
TARGET_TOKENS = (HANS, HANT)
TRADITIONAL = {"猫": "貓", "鱼": "魚", "鸟": "鳥", "树": "樹", "车": "車", "书": "書", "红": "紅"}
SHAPE = Shape(d_model=64, layers=2, heads=4, ffn=128, max_positions=64)


def to_traditional(zh: str) -> str:
    return "".join(TRADITIONAL.get(ch, ch) for ch in zh)


def pair(rng: random.Random, token: str | None = None) -> tuple[str, str]:
    """One (source, expected target) pair: ``>>cmn_Hans<< three cat.`` → ``三猫。``."""
    token = token or rng.choice(TARGET_TOKENS)
    zh = sample(rng)
    return f"{token} {reference(zh)}", to_traditional(zh) if token == HANT else zh


def train_spm(lines: list[str], vocab_size: int, model_type: str, symbols: tuple[str, ...] = (),
              normalization: str = "nmt_nfkc") -> bytes:
    """A sentencepiece model like ``benchmarks.factory.train_spm``, plus user-defined symbols and a
    choice of normalization (NFKC would turn the full-width ！？；， into ASCII)."""
    import sentencepiece as spm

    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=buf, vocab_size=vocab_size, model_type=model_type,
        character_coverage=1.0, hard_vocab_limit=False, bos_id=-1, eos_id=1, unk_id=0, pad_id=-1,
        user_defined_symbols=list(symbols), normalization_rule_name=normalization, num_threads=1, minloglevel=2)
    return buf.getvalue()


def write_tokenizer(out: Path, rng: random.Random) -> dict[str, int]:
    """source.spm (English words, the target tokens as user-defined symbols), target.spm (characters,
    simplified and traditional), a joint vocab.json (Marian layout) and tokenizer_config.json."""
    import sentencepiece as spm

    out.mkdir(parents=True, exist_ok=True)
    corpus = [pair(rng) for _ in range(4000)]
    words = sorted(LEXICON.values())
    chars = sorted(set(LEXICON) | set(TRADITIONAL.values()) | set("，。！？；"))
    models = {"source.spm": train_spm([s for s, _ in corpus] + words, 70, "unigram", TARGET_TOKENS),
              "target.spm": train_spm([t for _, t in corpus] + chars, 60, "char", normalization="identity")}
    vocab: dict[str, int] = {EOS: 0, UNK: 1}
    for name, data in models.items():
        (out / name).write_bytes(data)
        sp = spm.SentencePieceProcessor(model_proto=data)
        for i in range(sp.get_piece_size()):
            piece = sp.id_to_piece(i)
            if piece not in vocab and not sp.is_control(i) and not sp.is_unknown(i):
                vocab[piece] = len(vocab)
    vocab[PAD] = len(vocab)
    missing = [w for w in ["▁" + w for w in words] + list(TARGET_TOKENS) + chars if w not in vocab]
    assert not missing, f"not single vocabulary entries: {missing}"
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=0), encoding="utf-8")
    (out / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "MarianTokenizer", "source_lang": "en", "target_lang": "zh",
        "model_max_length": 512, "separate_vocabs": False,
    }), encoding="utf-8")
    return vocab


def accuracy(model, tok, rng: random.Random, token: str, n: int = 300) -> float:
    """Greedy exact match on ``n`` fresh random sentences, all with target token ``token``."""
    pairs = [pair(rng, token) for _ in range(n)]
    return exact_match(model, tok, [s for s, _ in pairs], [t for _, t in pairs])


def main(out: Path, steps: int = 3000, seed: int = 0) -> None:
    import torch
    from transformers import MarianTokenizer

    torch.set_num_threads(1)  # reproducible whatever the core count, and fast enough on a busy machine

    rng = random.Random(seed)
    write_tokenizer(out, rng)
    tok = MarianTokenizer.from_pretrained(out)
    model = write_model(out, tok.get_vocab(), SHAPE, seed=seed, num_beams=4)

    def batch(n: int) -> tuple[list[str], list[str]]:
        pairs = [pair(rng) for _ in range(n)]
        return [s for s, _ in pairs], [t for _, t in pairs]

    def evaluate(step: int) -> str:
        return " ".join(f"{t} {accuracy(model, tok, random.Random(step), t):.3f}" for t in TARGET_TOKENS)

    train(model, tok, batch, steps, seed, evaluate)
    model.save_pretrained(out, safe_serialization=True)
    for token in TARGET_TOKENS:
        print(f"final exact-match {token} {accuracy(model, tok, random.Random(12345), token, n=1000):.4f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "toy-en-zh")
