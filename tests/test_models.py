"""Model resolution: local folder → HF cache → download, safetensors first, clear errors."""

from __future__ import annotations

import json
import shutil

import pytest

from translate.errors import ModelNotFoundError
from translate.models import resolve, resolve_model


def fake_folder(path, weights):
    path.mkdir(parents=True)
    (path / "config.json").write_text(json.dumps({"model_type": "marian"}))
    (path / weights).write_bytes(b"weights")
    return path


def test_pickle_only_repo_uses_the_hub_bots_safetensors_pull_request(tmp_path, monkeypatch):
    """Control flow only (no network here): main has only pytorch_model.bin, the conversion PR
    has model.safetensors; the PR's snapshot is what resolves."""
    from huggingface_hub.errors import LocalEntryNotFoundError

    main = fake_folder(tmp_path / "main" / ("a" * 40), "pytorch_model.bin")
    pr = fake_folder(tmp_path / "pr" / ("b" * 40), "model.safetensors")
    calls = []

    def snapshot(name, revision, patterns, local_only):
        calls.append((revision, local_only))
        if local_only:
            raise LocalEntryNotFoundError("not cached")
        folder = pr if revision == "refs/pr/7" else main
        return resolve.ResolvedModel(name, folder, folder.name)

    monkeypatch.setattr(resolve, "_snapshot", snapshot)
    monkeypatch.setattr(resolve, "_safetensors_pr", lambda name: "refs/pr/7")
    model = resolve_model("Helsinki-NLP/opus-mt-xx-yy", offline=False)
    assert model.path == pr and model.revision == "b" * 40
    assert calls == [(None, True), (None, False), ("refs/pr/7", False)]


def test_pickle_only_repo_without_conversion_is_refused(tmp_path, monkeypatch):
    from huggingface_hub.errors import LocalEntryNotFoundError

    main = fake_folder(tmp_path / ("a" * 40), "pytorch_model.bin")

    def snapshot(name, revision, patterns, local_only):
        if local_only:
            raise LocalEntryNotFoundError("not cached")
        return resolve.ResolvedModel(name, main, main.name)

    monkeypatch.setattr(resolve, "_snapshot", snapshot)
    monkeypatch.setattr(resolve, "_safetensors_pr", lambda name: None)
    with pytest.raises(ModelNotFoundError, match="pickle") as caught:
        resolve_model("Helsinki-NLP/opus-mt-xx-yy", offline=False)
    assert caught.value.option == "allow_pickle"  # the CLI names --allow-pickle (tests/test_robustness.py)


def test_local_folder_identity_changes_with_its_files(toy_model, tmp_path):
    folder = tmp_path / "m"
    shutil.copytree(toy_model, folder)
    before = resolve_model(str(folder)).identity
    cfg = json.loads((folder / "generation_config.json").read_text())
    cfg["num_beams"] = 2
    (folder / "generation_config.json").write_text(json.dumps(cfg))
    assert resolve_model(str(folder)).identity != before
    assert resolve_model(str(folder)).revision is None


def test_invalid_hub_id(capsys):
    with pytest.raises(ModelNotFoundError, match="neither a model folder nor a valid"):
        resolve_model("not a valid id!!", offline=True)
