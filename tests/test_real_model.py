"""Smoke test with the real Helsinki-NLP/opus-mt-zh-en — only where it is already in the local cache."""

from __future__ import annotations

import pytest

from tests.conftest import REAL_HF_HUB_CACHE


def cached_snapshot():
    snapshots = REAL_HF_HUB_CACHE / "models--Helsinki-NLP--opus-mt-zh-en" / "snapshots"
    for folder in sorted(snapshots.glob("*")) if snapshots.exists() else []:
        if (folder / "config.json").exists() and any((folder / w).exists() for w in
                                                     ("model.safetensors", "pytorch_model.bin")):
            return folder
    return None


@pytest.mark.real_model
@pytest.mark.skipif(cached_snapshot() is None, reason="Helsinki-NLP/opus-mt-zh-en is not in the local HF cache")
def test_first_body_paragraph_mentions_customs(seed_text):
    from translate import Translator

    doc = Translator(str(cached_snapshot())).translate(seed_text)
    assert len(doc.paragraphs) == 23
    body = doc.paragraphs[2]
    assert body.kind == "body"
    assert "customs" in body.translation.lower()
    assert "\u2047" not in doc.text  # no ⁇: decoded with the target sentencepiece model
