"""Model resolution (translate/models/): local folder → HF cache → download, safetensors first,
clear errors; --offline never opens a socket; pickle checkpoints need an explicit --allow-pickle."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from translate.cli import main
from translate.errors import ModelNotFoundError
from translate.models import resolve_model


# Downloading (the conversion pull request of pickle-only repos, refusals, every network fault) is
# tested over HTTP against a fake Hub in tests/test_hub.py.


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
