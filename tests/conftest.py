"""Test fixtures. No test touches the network: the Hugging Face cache is a fresh temporary
folder and offline mode is on for the whole session (set before anything imports the hub)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# Where a real opus-mt-zh-en may already be cached (for the one real-model smoke test).
REAL_HF_HUB_CACHE = Path(os.environ.get("HF_HUB_CACHE") or
                         Path(os.environ.get("HF_HOME", Path.home() / ".cache" / "huggingface")) / "hub")
_HF_HOME = tempfile.mkdtemp(prefix="translate-tests-hf-")
os.environ["HF_HOME"] = _HF_HOME
os.environ.pop("HF_HUB_CACHE", None)
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["TRANSLATE_CACHE_DIR"] = tempfile.mkdtemp(prefix="translate-tests-memory-")  # never the user's memory
os.environ["TRANSLATE_CT2_CACHE"] = tempfile.mkdtemp(prefix="translate-tests-ct2-")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
# OpenMP workers that spin-wait make torch crawl on a busy machine; the product sets this before it
# imports torch (translate/runtime.py), the tests must too, since they import torch themselves.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import pytest  # noqa: E402

from benchmarks.factory import ENGLISH  # noqa: E402  (the tests import it from here)

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "customs-reply-zh.txt"
TOY_MODEL = ROOT / "tests" / "toy" / "toy-zh-en"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def toy_model() -> Path:
    """The committed toy zh→en model that has learned a word-for-word mapping."""
    return TOY_MODEL


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory, seed_text) -> Path:
    """A tiny random MarianMT model with real sentencepiece tokenizers trained on the seed + English."""
    from benchmarks.factory import build_marian

    source = [line.strip() for line in seed_text.splitlines() if line.strip()]
    return build_marian(tmp_path_factory.mktemp("tiny-zh-en"), source, ENGLISH * 3,
                        src_vocab=800, tgt_vocab=150, num_beams=3)
