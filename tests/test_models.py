"""Model resolution (translate/models/): local folder → HF cache → download, safetensors first,
clear errors; --offline never opens a socket; pickle checkpoints need an explicit --allow-pickle."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from translate.cli import main
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
    assert caught.value.option == "allow_pickle"  # the CLI names --allow-pickle (tested below)


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


def fake_hub_model(hf_home: Path, toy_model: Path, repo: str = "toy-org/toy-zh-en") -> None:
    """Lay the toy model out as a Hugging Face cache entry for ``repo``."""
    import shutil

    base = hf_home / "hub" / f"models--{repo.replace('/', '--')}"
    snapshot = base / "snapshots" / ("0" * 40)
    shutil.copytree(toy_model, snapshot)
    (base / "refs").mkdir(parents=True, exist_ok=True)
    (base / "refs" / "main").write_text("0" * 40)


def test_offline_never_opens_a_socket(toy_model, tmp_path, monkeypatch, capsys):
    import socket

    from huggingface_hub import constants

    fake_hub_model(Path(constants.HF_HOME), toy_model)
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network disabled by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    src = tmp_path / "a.txt"
    src.write_text("三猫。", encoding="utf-8")
    assert main([str(src), "-m", "toy-org/toy-zh-en", "--offline", "-q"]) == 0
    assert capsys.readouterr().out == "three cat.\n"
    assert main([str(src), "-m", "toy-org/not-cached", "--offline"]) == 1
    assert "offline" in capsys.readouterr().err
    assert attempts == []


def test_pickle_checkpoints_need_an_explicit_opt_in(toy_model, tmp_path, capsys):
    import shutil

    import torch
    from safetensors.torch import load_file

    folder = tmp_path / "pickled"
    shutil.copytree(toy_model, folder)
    torch.save(load_file(folder / "model.safetensors"), folder / "pytorch_model.bin")
    (folder / "model.safetensors").unlink()
    src = tmp_path / "a.txt"
    src.write_text("三猫。", encoding="utf-8")
    assert main([str(src), "-m", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "pickle" in err and "--allow-pickle" in err and len(err.strip().splitlines()) == 1
    assert main([str(src), "-m", str(folder), "--allow-pickle", "-q", "--backend", "transformers"]) == 0
    assert capsys.readouterr().out == "three cat.\n"
