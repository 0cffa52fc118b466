"""On a CUDA machine (marker ``cuda``; skipped elsewhere, with the reason): both backends give the
toy model's exact translations on the GPU, in every compute type CTranslate2 uses there, and the
output header says where it ran. Run alone with ``python -m pytest -m cuda``."""

from __future__ import annotations

import json

import pytest

from tests.cli_helpers import run_cli
from tests.toydoc import toy_document

pytestmark = pytest.mark.cuda


def _torch_cuda() -> bool:
    try:
        import torch
    except ImportError:  # pragma: no cover
        return False
    return torch.cuda.is_available()


def _ct2_cuda() -> bool:
    try:
        import ctranslate2
    except ImportError:  # pragma: no cover
        return False
    return ctranslate2.get_cuda_device_count() > 0


needs_torch_cuda = pytest.mark.skipif(not _torch_cuda(), reason="no CUDA device visible to torch")
needs_ct2_cuda = pytest.mark.skipif(not _ct2_cuda(), reason="no CUDA device visible to CTranslate2")


@needs_torch_cuda
def test_transformers_on_cuda_is_exact(toy_model):
    from translate import Translator

    doc = toy_document(20, seed=5)
    t = Translator(str(toy_model), backend="transformers", device="cuda", batch_size=8)
    assert [p.translation for p in t.translate(doc.text).paragraphs] == doc.expected
    assert t.info["device"] == "cuda"


@needs_ct2_cuda
@pytest.mark.parametrize("compute_type", ["float16", "int8_float16", "float32"])
def test_ctranslate2_on_cuda_is_exact(toy_model, compute_type):
    from translate import Translator

    doc = toy_document(20, seed=6)
    t = Translator(str(toy_model), backend="ctranslate2", device="cuda", compute_type=compute_type, batch_size=8)
    assert [p.translation for p in t.translate(doc.text).paragraphs] == doc.expected
    assert (t.info["device"], t.info["compute_type"]) == ("cuda", compute_type)


@needs_ct2_cuda
def test_cli_defaults_to_the_gpu_with_int8_float16(toy_model, tmp_path, capsys):
    src = tmp_path / "a.txt"
    src.write_text("三猫。四狗。\n", encoding="utf-8")
    code, out, err = run_cli([str(src), "-m", str(toy_model), "-f", "jsonl", "-q", "--no-cache"], capsys)
    assert code == 0, err
    header, *records = map(json.loads, out.splitlines())
    assert (header["device"], header["compute_type"]) == ("cuda", "int8_float16")
    assert [r["translation"] for r in records] == ["three cat.", "four dog."]
