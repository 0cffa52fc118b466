"""The feed state store (translate/feeds/state.py): validators and bodies by URL, item records by scope
and key, in one SQLite file that several processes share; a file that is not a state store is refused
in one line and left as it was; 50,000 records go in at once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from translate.errors import InputError, OutputError
from translate.feeds import state as state_module
from translate.feeds.state import FILE_NAME, StateStore, default_state_path

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def store(tmp_path):
    with StateStore(tmp_path / "state.sqlite") as opened:
        yield opened


def refusal(path: Path) -> str:
    with pytest.raises(InputError) as info:
        StateStore(path)
    message = str(info.value)
    assert len(message.splitlines()) == 1 and info.value.option == "state", message
    assert str(path) in message and message.endswith("remove it or give another state file"), message
    return message


# --- feeds


def test_validators_and_the_body_come_back(store):
    assert store.validators("http://x/feed") == (None, None) and store.last_body("http://x/feed") is None
    body = "<rss>新闻</rss>".encode() * 1000
    store.remember_fetch("http://x/feed", etag='"v1"', last_modified="Sat, 05 Dec 2026 06:00:00 GMT", body=body)
    assert store.validators("http://x/feed") == ('"v1"', "Sat, 05 Dec 2026 06:00:00 GMT")
    assert store.last_body("http://x/feed") == body
    store.remember_fetch("http://x/feed", etag=None, last_modified=None, body=b"")
    assert store.validators("http://x/feed") == (None, None) and store.last_body("http://x/feed") == b""


def test_a_body_too_large_to_keep_drops_its_validators(store, monkeypatch):
    monkeypatch.setattr(state_module, "MAX_BODY", 100)
    store.remember_fetch("http://x/feed", etag='"v1"', last_modified=None, body=b"x" * 50)
    store.remember_fetch("http://x/feed", etag='"v2"', last_modified=None, body=b"x" * 101)
    assert store.validators("http://x/feed") == (None, None)  # else a 304 would come with nothing to show
    assert store.last_body("http://x/feed") is None


def test_a_damaged_body_reads_as_none(store):
    store.remember_fetch("http://x/feed", etag='"v1"', last_modified=None, body=b"feed")
    with sqlite3.connect(store.path) as conn:
        conn.execute("UPDATE fetches SET body = ?", (b"not zlib",))
    assert store.last_body("http://x/feed") is None


# --- records


def test_records_round_trip_by_scope(store):
    record = {"title": "标题 \u2028 <script>", "paragraphs": [{"source": "一句。", "translation": "One."}], "n": 1.5}
    store.put("s1", "feed|id|fp", record)
    assert store.get("s1", "feed|id|fp") == record
    assert store.get("s2", "feed|id|fp") is None and store.get("s1", "other") is None
    store.put("s1", "feed|id|fp", {"title": "newer"})
    assert store.get("s1", "feed|id|fp") == {"title": "newer"}


def test_a_lone_surrogate_is_stored(store):
    store.put("s", "k\udc80", {"title": "broken \ud800 text"})
    assert store.get("s", "k\udc80") == {"title": "broken \ud800 text"}
    assert store.seen("s", ["k\udc80", "k\udc81"]) == {"k\udc80"}
    with pytest.raises(TypeError):
        store.put("s", 1, {})


def test_seen_asks_in_batches(store):
    store.put_many("s", ((f"key-{i}", {"i": i}) for i in range(0, 3000, 2)))
    asked = [f"key-{i}" for i in range(3000)] * 2 + ["", "key-x"]
    assert store.seen("s", asked) == {f"key-{i}" for i in range(0, 3000, 2)}
    assert store.seen("other", asked) == set() and store.seen("s", []) == set()


def test_forget_a_scope(store):
    store.put_many("s1", [("a", {}), ("b", {})])
    store.put("s2", "a", {})
    assert store.forget("s1") == 2
    assert store.seen("s1", ["a", "b"]) == set() and store.seen("s2", ["a"]) == {"a"}


def test_what_is_not_a_record_is_refused_before_writing(store):
    with pytest.raises(TypeError):
        store.put_many("s", [("a", {}), ("b", ["not", "a", "dict"])])
    assert store.seen("s", ["a"]) == set()  # nothing of the batch was written


def test_a_record_that_is_not_an_object_reads_as_none(store):
    store.put("s", "a", {"x": 1})
    store.put("s", "b", {"x": 1})
    with sqlite3.connect(store.path) as conn:
        conn.execute("UPDATE records SET record = '{broken' WHERE key = 'a'")
        conn.execute("UPDATE records SET record = '[1, 2]' WHERE key = 'b'")
    assert store.get("s", "a") is None and store.get("s", "b") is None


def test_50000_records_at_once(store):
    records = [(f"https://example.com/feed|item-{i}|{i:040x}",
                {"title": "新闻标题" * 5, "link": f"https://example.com/{i}",
                 "paragraphs": [{"source": "一句话。" * 10, "translation": "One sentence. " * 10}]})
               for i in range(50_000)]
    started = time.perf_counter()
    store.put_many("scope", records)
    assert len(store.seen("scope", (key for key, _ in records))) == 50_000
    assert time.perf_counter() - started < 15  # about 1 s here; generous for a loaded machine
    assert store.get("scope", records[-1][0]) == records[-1][1]


# --- the file


def test_it_persists_and_a_closed_store_reopens(tmp_path):
    path = tmp_path / "state.sqlite"
    with StateStore(path) as first:
        first.put("s", "a", {"v": 1})
    assert first.get("s", "a") == {"v": 1}  # reopened on use
    first.close()
    with StateStore(path) as second:
        assert second.get("s", "a") == {"v": 1}


def test_missing_folders_are_made(tmp_path):
    path = tmp_path / "a" / "b" / "state.sqlite"
    with StateStore(path) as store:
        store.put("s", "a", {})
    assert path.is_file()


def test_the_default_is_in_the_cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSLATE_CACHE_DIR", str(tmp_path / "cache"))
    assert default_state_path() == tmp_path / "cache" / FILE_NAME
    with StateStore() as store:
        assert store.path == tmp_path / "cache" / FILE_NAME and store.path.is_file()


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"my notes, not a database\n" * 200)
    assert "file is not a database" in refusal(path)
    assert path.read_bytes() == b"my notes, not a database\n" * 200


def test_another_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "memory.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE translations (source TEXT)")
    assert "it holds other data" in refusal(path)


def test_another_schema_is_refused(tmp_path):
    path = tmp_path / "state.sqlite"
    StateStore(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE name = 'schema'")
    assert "schema 99" in refusal(path)


def test_a_damaged_database_is_refused(tmp_path):
    path = tmp_path / "state.sqlite"
    with StateStore(path) as store:
        store.put_many("s", [(f"k{i}", {"i": i}) for i in range(100)])
    with open(path, "r+b") as file:  # the schema's page, past the 100-byte header
        file.seek(100)
        file.write(b"\xff" * 3000)
    refusal(path)


def test_a_folder_or_an_unwritable_place_is_one_line(tmp_path):
    with pytest.raises(InputError, match="is a folder, not a file"):
        StateStore(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match=r"cannot be created or written") as info:
        StateStore(blocker / "state.sqlite")
    assert len(str(info.value).splitlines()) == 1 and info.value.option == "state"


# --- sharing


def test_threads_share_one_store(store):
    def work(n: int) -> None:
        for i in range(50):
            store.put("s", f"{n}-{i}", {"n": n})
            assert store.get("s", f"{n}-{i}") == {"n": n}

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(store.seen("s", [f"{n}-{i}" for n in range(4) for i in range(50)])) == 200


WRITER = textwrap.dedent("""
    import sys
    from translate.feeds.state import StateStore
    path, name = sys.argv[1], sys.argv[2]
    with StateStore(path) as store:
        for batch in range(20):
            store.put_many("s", [(f"{name}-{batch}-{i}", {"by": name}) for i in range(100)])
            store.remember_fetch(f"http://x/{name}", etag=f'"{batch}"', last_modified=None, body=b"feed" * 100)
            assert store.seen("s", [f"{name}-{batch}-0"]) == {f"{name}-{batch}-0"}
""")


def test_two_processes_write_at_once(tmp_path):
    path = tmp_path / "shared" / "state.sqlite"
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), name], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE) for name in ("a", "b")]
    try:
        for writer in writers:
            _, err = writer.communicate(timeout=60)
            assert writer.returncode == 0, err.decode()
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
                writer.wait()
    keys = [f"{name}-{batch}-{i}" for name in "ab" for batch in range(20) for i in range(100)]
    with StateStore(path) as store:
        assert len(store.seen("s", keys)) == 4000
        assert store.validators("http://x/a") == ('"19"', None) and store.validators("http://x/b") == ('"19"', None)


def test_another_sqlite_database_is_left_exactly_as_it_was(tmp_path):
    """Refused before anything is written to it: not even WAL mode, which SQLite keeps in the file."""
    path = tmp_path / "mine.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    before = path.read_bytes()
    refusal(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert path.read_bytes() == before
