"""Train the toy zh→en MarianMT model used by the end-to-end tests.

The toy model has really learned a small, checkable word-for-word mapping
(Chinese characters → English words, 。！？， → . ! ? ,), so tests can assert
exact English output. It is tiny (≈0.5 MB of safetensors) and committed under
``tests/toy/toy-zh-en``; rerun this script to rebuild it (about a minute on 2 CPU cores):

    python tests/toy/train_toy.py [OUTPUT_DIR]
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from benchmarks.factory import Shape, write_model, write_tokenizer  # noqa: E402

LEXICON = {
    "一": "one", "二": "two", "三": "three", "四": "four", "五": "five", "六": "six",
    "七": "seven", "八": "eight", "九": "nine", "十": "ten", "猫": "cat", "狗": "dog",
    "鱼": "fish", "鸟": "bird", "山": "mountain", "水": "water", "花": "flower", "树": "tree",
    "车": "car", "书": "book", "红": "red", "大": "big", "小": "small", "看": "see",
    "有": "have", "海": "sea",
}
PUNCT = {"。": ".", "！": "!", "？": "?", "；": ";"}
SHAPE = Shape(d_model=64, layers=2, heads=4, ffn=128, max_positions=64)
MAX_WORDS = 8


def reference(zh: str) -> str:
    """The mapping the toy model learns: the exact expected English for a toy sentence."""
    words, out = [], ""
    for ch in zh:
        if ch in LEXICON:
            words.append(LEXICON[ch])
        elif ch == "，":
            words[-1] += ","
        elif ch in PUNCT:
            out = PUNCT[ch]
    return " ".join(words) + out


def sample(rng: random.Random) -> str:
    """One random toy sentence: 1–8 words, optional comma, usually an end mark."""
    n = rng.randint(1, MAX_WORDS)
    chars = [rng.choice(list(LEXICON)) for _ in range(n)]
    if n > 2 and rng.random() < 0.3:
        chars.insert(rng.randint(1, n - 1), "，")
    end = rng.choice(["。", "。", "！", "？", "；", ""])
    return "".join(chars) + end


def main(out: Path, steps: int = 6000, seed: int = 0) -> None:
    from transformers import MarianTokenizer

    rng = random.Random(seed)
    corpus = [sample(rng) for _ in range(4000)]
    write_tokenizer(out, corpus + list(LEXICON) + list(PUNCT) + ["，"], [reference(s) for s in corpus],
                    src_vocab=40, tgt_vocab=60, src_type="char", tgt_type="unigram")

    tok = MarianTokenizer.from_pretrained(out)
    vocab = tok.get_vocab()
    model = write_model(out, vocab, SHAPE, seed=seed, num_beams=4)

    def batch(n: int) -> tuple[list[str], list[str]]:
        src = [sample(rng) for _ in range(n)]
        return src, [reference(s) for s in src]

    train(model, tok, batch, steps, seed,
          evaluate=lambda step: f"exact {accuracy(model, tok, random.Random(step)):.3f}")
    model.save_pretrained(out, safe_serialization=True)
    print(f"final exact-match {accuracy(model, tok, random.Random(12345), n=1000):.4f}")


def train(model, tok, batch, steps: int, seed: int, evaluate, lr: float = 3e-3, batch_size: int = 64) -> None:
    """The toy models' training loop (shared with ``train_toy_en_zh.py``): AdamW with a one-cycle
    schedule on ``batch(batch_size)`` → (sources, targets) pairs; every 500 steps prints the loss and
    ``evaluate(step)`` (a short text). Leaves the model in eval mode."""
    import torch

    model.train()
    torch.manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.1)
    t0 = time.time()
    for step in range(1, steps + 1):
        src, tgt = batch(batch_size)
        enc = tok(src, text_target=tgt, return_tensors="pt", padding=True)
        enc["labels"][enc["labels"] == tok.pad_token_id] = -100
        loss = model(**enc).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        if step % 500 == 0:
            print(f"step {step} loss {loss.item():.4f} {evaluate(step)} {time.time() - t0:.0f}s", flush=True)
    model.eval()


def accuracy(model, tok, rng: random.Random, n: int = 300) -> float:
    """Exact-match rate of greedy decoding on fresh random toy sentences."""
    src = [sample(rng) for _ in range(n)]
    return exact_match(model, tok, src, [reference(s) for s in src])


def exact_match(model, tok, sources: list[str], references: list[str]) -> float:
    """Exact-match rate of greedy decoding of ``sources`` against ``references``."""
    import torch

    was_training = model.training
    model.eval()
    with torch.inference_mode():
        enc = tok(sources, return_tensors="pt", padding=True)
        out = model.generate(**enc, num_beams=1, max_new_tokens=32)
    hyp = tok.batch_decode(out, skip_special_tokens=True, use_source_tokenizer=False)
    model.train(was_training)
    return sum(h == r for h, r in zip(hyp, references)) / len(sources)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "toy-zh-en")
