"""The SQLite translation memory (translate/memory/): keys, normalisation, persistence, corruption,
degradation, concurrency, and cache folders (memory and CTranslate2 conversions) private to the user."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
import unicodedata
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translate import Translator
from translate.memory import (CacheWarning, NullMemory, TranslationMemory, canonical_source, context_key,
                               default_memory_path)

ROOT = Path(__file__).resolve().parent.parent
CONTEXT = {"model": "Helsinki-NLP/opus-mt-zh-en", "revision": "abc123", "backend": "transformers",
           "num_beams": 4, "max_new_tokens": None}


@pytest.fixture
def memory(tmp_path):
    with TranslationMemory(tmp_path / "cache" / "memory.sqlite3") as mem:
        yield mem


def test_roundtrip_keyed_by_original_sources(memory):
    memory.put_many(CONTEXT, [("海关 今天", "Customs today", "ok"), ("出口增长", "Exports grew", "truncated")])
    hits = memory.get_many(CONTEXT, ["海关 今天", "出口增长", "没有", "  海关   今天 "])
    assert hits == {"海关 今天": ("Customs today", "ok"), "出口增长": ("Exports grew", "truncated"),
                    "  海关   今天 ": ("Customs today", "ok")}


def test_put_replaces_and_empty_sources_are_ignored(memory):
    memory.put_many(CONTEXT, [("a", "1", "ok"), ("   ", "blank", "ok")])
    memory.put_many(CONTEXT, iter([("a", "2", "ok")]))
    assert memory.get_many(CONTEXT, ["a", "   ", ""]) == {"a": ("2", "ok")}
    assert memory.stats()["entries"] == 1


@pytest.mark.parametrize("field, value", [("model", "Helsinki-NLP/opus-mt-zh-de"), ("revision", "def456"),
                                          ("backend", "ctranslate2"), ("num_beams", 1), ("max_new_tokens", 64)])
def test_any_context_change_misses(memory, field, value):
    memory.put_many(CONTEXT, [("海关", "customs", "ok")])
    assert memory.get_many({**CONTEXT, field: value}, ["海关"]) == {}
    assert memory.get_many(dict(reversed(list(CONTEXT.items()))), ["海关"]) == {"海关": ("customs", "ok")}


def test_context_key_is_canonical():
    assert context_key({"a": 1, "b": "é"}) == context_key({"b": "é", "a": 1})
    assert context_key({"a": 1}) != context_key({"a": "1"})
    assert len(context_key({})) == 64


def test_normalisation_hits_same_entry(memory):
    decomposed, composed = "Cafe\u0301  du\tmonde\n", "Café du monde"
    assert unicodedata.normalize("NFC", decomposed) != decomposed
    memory.put_many(CONTEXT, [(decomposed, "coffee", "ok")])
    assert memory.get_many(CONTEXT, [composed, " Café\u3000du monde "]) == {
        composed: ("coffee", "ok"), " Café\u3000du monde ": ("coffee", "ok")}
    assert memory.stats()["entries"] == 1


@settings(max_examples=60, deadline=None)
@given(st.text())
def test_normalise_is_idempotent_and_tidy(text):
    once = canonical_source(text)
    assert canonical_source(once) == once
    assert once == once.strip() and "  " not in once


def test_stats_and_clear(memory):
    other = {**CONTEXT, "num_beams": 1}
    memory.put_many(CONTEXT, [(f"s{i}", f"t{i}", "ok") for i in range(5)])
    memory.put_many(other, [(f"s{i}", f"u{i}", "ok") for i in range(3)])
    stats = memory.stats()
    assert stats["entries"] == 8 and stats["contexts"] == 2 and stats["size_bytes"] > 0
    assert stats["path"] == str(memory.path) and stats["enabled"]
    assert memory.clear(other) == 3
    assert memory.get_many(other, ["s0"]) == {} and memory.get_many(CONTEXT, ["s0"]) == {"s0": ("t0", "ok")}
    assert memory.clear() == 5
    assert memory.stats()["entries"] == 0 and memory.stats()["contexts"] == 0
    assert memory.clear() == 0


def test_persists_across_instances_and_reopens_after_close(tmp_path):
    path = tmp_path / "m.sqlite3"
    with TranslationMemory(path) as first:
        first.put_many(CONTEXT, [("一", "one", "ok")])
    with TranslationMemory(path) as second:
        assert second.get_many(CONTEXT, ["一"]) == {"一": ("one", "ok")}
        second.close()
        assert second.get_many(CONTEXT, ["一"]) == {"一": ("one", "ok")}  # reopened lazily
        assert second._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_many_sources_in_chunks(memory):
    memory.put_many(CONTEXT, [(f"s{i}", f"t{i}", "ok") for i in range(1200)])
    hits = memory.get_many(CONTEXT, [f"s{i}" for i in range(1300)])
    assert len(hits) == 1200 and hits["s1199"] == ("t1199", "ok")


def test_lazy_open_and_permissions(tmp_path):
    path = tmp_path / "new" / "cache" / "memory.sqlite3"
    mem = TranslationMemory(path)
    assert not path.parent.exists()
    mem.put_many(CONTEXT, [("a", "b", "ok")])
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        assert stat.S_IMODE(wal.stat().st_mode) == 0o600
    mem.close()


def test_default_path(monkeypatch, tmp_path):
    monkeypatch.setenv("TRANSLATE_CACHE_DIR", str(tmp_path / "tc"))
    assert default_memory_path() == tmp_path / "tc" / "memory.sqlite3"
    monkeypatch.delenv("TRANSLATE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert TranslationMemory().path == tmp_path / "xdg" / "translate" / "memory.sqlite3"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_memory_path() == tmp_path / "home" / ".cache" / "translate" / "memory.sqlite3"


def _aside(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".corrupt-*"))


def test_not_a_database_is_moved_aside_and_rebuilt(tmp_path):
    path = tmp_path / "memory.sqlite3"
    path.write_bytes(b"this is certainly not a SQLite database\n" * 50)
    with pytest.warns(CacheWarning, match="corrupt"):
        with TranslationMemory(path) as mem:
            assert mem.get_many(CONTEXT, ["a"]) == {}
            mem.put_many(CONTEXT, [("a", "b", "ok")])
            assert mem.get_many(CONTEXT, ["a"]) == {"a": ("b", "ok")}
    moved = _aside(path)
    assert len(moved) == 1 and moved[0].read_bytes().startswith(b"this is certainly")
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        with TranslationMemory(path) as again:
            assert again.get_many(CONTEXT, ["a"]) == {"a": ("b", "ok")}


def test_malformed_database_found_mid_use_is_rebuilt(tmp_path):
    path = tmp_path / "memory.sqlite3"
    with TranslationMemory(path) as mem:
        mem.put_many(CONTEXT, [(f"sentence {i}", "x" * 200, "ok") for i in range(300)])
        mem._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 3 * page
    data[page:len(data)] = os.urandom(len(data) - page)  # keep the header, smash every other page
    path.write_bytes(bytes(data))
    with pytest.warns(CacheWarning, match="corrupt"):
        with TranslationMemory(path) as mem:
            assert mem.get_many(CONTEXT, ["sentence 1"]) == {}
            mem.put_many(CONTEXT, [("a", "b", "ok")])
            assert mem.stats()["entries"] == 1
    assert len(_aside(path)) == 1


def test_path_under_a_file_degrades_to_no_op(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    mem = TranslationMemory(blocker / "memory.sqlite3")  # constructing never fails
    with pytest.warns(CacheWarning, match="disabled"):
        assert mem.get_many(CONTEXT, ["a"]) == {}
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)  # warns only once
        mem.put_many(CONTEXT, [("a", "b", "ok")])
        assert mem.get_many(CONTEXT, ["a"]) == {}
        assert mem.clear() == 0
        assert mem.stats()["entries"] == 0 and not mem.stats()["enabled"]
    mem.close()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores chmod")
def test_read_only_folder_degrades_to_no_op(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        mem = TranslationMemory(folder / "memory.sqlite3")
        with pytest.warns(CacheWarning, match="disabled"):
            mem.put_many(CONTEXT, [("a", "b", "ok")])
        assert mem.get_many(CONTEXT, ["a"]) == {}
    finally:
        folder.chmod(0o700)


def test_null_memory():
    with NullMemory() as mem:
        mem.put_many(CONTEXT, [("a", "b", "ok")])
        assert mem.get_many(CONTEXT, ["a"]) == {}
        assert mem.clear() == 0 and mem.stats()["entries"] == 0


WRITER = textwrap.dedent("""
    import sys, time, warnings
    from pathlib import Path
    from translate.memory import CacheWarning, TranslationMemory
    warnings.simplefilter("error", CacheWarning)
    path, tag, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    context = {"model": "m", "revision": "r", "backend": "b", "num_beams": 4, "max_new_tokens": 64}
    Path(f"{go}.{tag}").touch()  # ready
    while not go.exists():
        time.sleep(0.005)
    with TranslationMemory(path) as mem:
        for batch in range(100):
            items = [(f"{tag} sentence {batch * 3 + i}", f"{tag} translation {batch * 3 + i}", "ok")
                     for i in range(3)]
            mem.put_many(context, items)
            assert len(mem.get_many(context, [s for s, _, _ in items])) == 3
""")


def test_two_writer_processes(tmp_path):
    path, go = tmp_path / "shared" / "memory.sqlite3", tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), tag, str(go)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for tag in ("A", "B")]
    while not all(Path(f"{go}.{tag}").exists() for tag in "AB"):  # both started: let them write at once
        assert all(proc.poll() is None for proc in procs)
        time.sleep(0.005)
    go.touch()
    for proc in procs:
        out, err = proc.communicate()
        assert proc.returncode == 0, err
    context = {"model": "m", "revision": "r", "backend": "b", "num_beams": 4, "max_new_tokens": 64}
    with TranslationMemory(path) as mem:
        hits = mem.get_many(context, [f"{tag} sentence {i}" for tag in "AB" for i in range(300)])
        assert len(hits) == 600 and hits["B sentence 299"] == ("B translation 299", "ok")
        assert mem.stats()["entries"] == 600
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_cache_folders_are_private(toy_model, tmp_path):
    from translate.memory import TranslationMemory

    memory = TranslationMemory(tmp_path / "private" / "memory.sqlite3")
    Translator(str(toy_model), cache=memory).translate("三猫。")
    assert (tmp_path / "private").stat().st_mode & 0o777 == 0o700
    ct2 = Path(os.environ["TRANSLATE_CT2_CACHE"])
    assert all(p.stat().st_mode & 0o077 == 0 for p in ct2.iterdir() if p.is_dir())
