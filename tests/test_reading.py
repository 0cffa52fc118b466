"""Reading the input (translate/reading.py): the bad-input corpus (tests/bad_inputs/, expectations
in expected.json) runs through the CLI to a clear result or a one-line error; random bytes and random
Unicode never cause a traceback nor lose a paragraph; a large input is streamed in bounded memory;
streamed decoding is exact across chunk boundaries (CRLF, CR, multibyte characters, no final newline).
Encodings are sniffed on the start, middle and end of a file; Latin text prefers Windows-1252; a
mostly-UTF-8 input with bad bytes names the first and counts them, or (``errors="replace"``) is
decoded with U+FFFD and a warning; joiners that join emoji or Persian/Indic letters are kept."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translate.cli import main

CORPUS = Path(__file__).parent / "bad_inputs"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_bad_input_corpus(key, toy_model, capsys):
    """A key of expected.json is a file name, optionally followed by extra command-line arguments."""
    exp = EXPECTED[key]
    name, *extra = key.split(" ")
    code = main([str(CORPUS / name), "-m", str(toy_model), *extra])
    out, err = capsys.readouterr()
    assert code == exp["exit"], err
    assert "Traceback" not in err
    if code != 0:
        assert len(err.strip().splitlines()) == 1 and re.search(exp["stderr"], err)
        assert out == ""
        return
    if "output" in exp:
        assert out == exp["output"]
    if "output_end" in exp:
        assert out.endswith(exp["output_end"])
    if "paragraphs" in exp:
        assert len([line for line in out.splitlines() if line.strip()]) == exp["paragraphs"]
    if "stderr" in exp:
        assert re.search(exp["stderr"], err)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_fuzz_random_bytes_never_traceback(toy_model, tmp_path, data):
    src = tmp_path / "fuzz.bin"
    src.write_bytes(data)
    code = main([str(src), "-m", str(toy_model), "-q", "-o", str(tmp_path / "out.txt"), "--max-new-tokens", "8"])
    assert code in (0, 1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_fuzz_random_unicode_keeps_every_paragraph(toy_model, tmp_path, text):
    from translate.reading import clean_text
    from translate.segmentation import segment_document

    src = tmp_path / "fuzz.txt"
    src.write_bytes(text.encode("utf-8", "replace"))
    out = tmp_path / "out.jsonl"
    code = main([str(src), "-m", str(toy_model), "-q", "-o", str(out), "-f", "jsonl", "--max-new-tokens", "8"])
    assert code in (0, 1)
    if code == 0 and out.exists() and out.stat().st_size:
        records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()[1:]]
        expected = segment_document(clean_text(src.read_bytes().decode("utf-8")))
        assert len({r["paragraph"] for r in records}) == len(expected.paragraphs)


@pytest.mark.slow
def test_large_input_streams_in_bounded_memory(toy_model, tmp_path):
    """A 12 MB input (above the streaming threshold) of lines with nothing to translate: the CLI
    streams it and its peak memory stays far below the size of the text held as Python objects."""
    line = " ".join(str(10_000 + i) for i in range(20))  # 119 characters, passes through verbatim
    count = 100_000
    src, dst = tmp_path / "big.txt", tmp_path / "out.txt"
    src.write_text((line + "\n") * count, encoding="utf-8")
    assert src.stat().st_size > 8 << 20
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    # Peak RSS is inherited through fork+exec, so a small trampoline runs the CLI and reports it.
    trampoline = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
                  "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    proc = subprocess.run([sys.executable, "-c", trampoline, sys.executable, "-m", "translate", str(src),
                           "-m", str(toy_model), "-o", str(dst), "-q"], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    peak_mb = int(proc.stdout.split()[-1]) / 1024
    with dst.open(encoding="utf-8") as out:
        assert sum(1 for _ in out) == count
    assert peak_mb < 250, f"peak RSS {peak_mb:.0f} MB"


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7])
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "utf-16"])
def test_streamed_decoding_across_chunk_boundaries(monkeypatch, tmp_path, chunk, encoding):
    """CRLF, CR and multibyte characters split between chunks; a last line without newline."""
    import translate.reading as reading

    text = "一山。\r\n二水。\r三猫\r\n\r\n四狗 five\r\n六鸟"
    src = tmp_path / "in.txt"
    src.write_bytes(text.encode(encoding))
    monkeypatch.setattr(reading, "CHUNK_BYTES", chunk)
    pieces = list(reading.iter_text(src, encoding=encoding))
    assert "".join(pieces) == "一山。\n二水。\n三猫\n\n四狗 five\n六鸟"
    assert all(p.endswith("\n") for p in pieces[:-1])


# -- encodings ------------------------------------------------------------------------------------------

WESTERN = ["Señor Muñoz, São Paulo, crème brûlée.",
           "El señor Muñoz llegó a la reunión con información sobre la economía española.",
           "Le ministre a déclaré que la crème brûlée était très appréciée à Noël.",
           "O presidente visitou São Paulo e falou sobre a situação econômica do país.",
           "Die Bundesregierung hat am Montag größere Änderungen für Bürger angekündigt."]
CENTRAL = ["Příliš žluťoučký kůň úpěl ďábelské ódy.", "Zażółć gęślą jaźń. Rząd ogłosił zmiany podatków."]


@pytest.mark.parametrize("language", ["zh", "en", None])
@pytest.mark.parametrize("text,encoding", [(t, "cp1252") for t in WESTERN] + [(t, "cp1250") for t in CENTRAL])
def test_latin_text_decodes_as_written(text, encoding, language):
    """Windows-1252 wins where cp1250 & co. decode Western text as cleanly (they garble ñ ã è û);
    Central-European text in cp1250 still decodes as itself."""
    from translate.reading import detect_encoding

    data = (text + "\n").encode(encoding)
    assert data.decode(detect_encoding(data, language)) == text + "\n"


def write_chunked(monkeypatch, path, data, chunk=64, sample=32):
    """Write ``data`` and shrink the decoding chunk and the sniffing samples, so that a small file
    behaves as a large one does (first chunk, middle, end)."""
    import translate.reading as reading

    path.write_bytes(data)
    monkeypatch.setattr(reading, "CHUNK_BYTES", chunk)
    monkeypatch.setattr(reading, "SAMPLE_BYTES", sample)
    return reading


def test_encoding_is_sniffed_beyond_the_first_chunk(monkeypatch, tmp_path):
    """A GBK file whose first chunk (MiB) is ASCII: the end of the file is sampled too."""
    ascii_part = "2024 GDP 1999\n" * 20
    src = tmp_path / "late.txt"
    reading = write_chunked(monkeypatch, src, ascii_part.encode() + "三猫。二狗！\n".encode("gbk"))
    assert "".join(reading.iter_text(src)) == ascii_part + "三猫。二狗！\n"
    middle = tmp_path / "middle.txt"  # GBK only in the middle: the middle sample finds it
    write_chunked(monkeypatch, middle, (ascii_part + "三猫。二狗！\n" + ascii_part).encode("gbk"))
    assert "".join(reading.iter_text(middle)) == ascii_part + "三猫。二狗！\n" + ascii_part


def test_a_pipe_is_sniffed_on_what_was_read_and_fails_with_the_offset(monkeypatch, tmp_path):
    """A pipe cannot be sampled ahead: a later byte that does not fit is an error naming it."""
    import io

    from translate.errors import InputError

    ascii_part = b"2024 GDP 1999\n" * 20
    reading = write_chunked(monkeypatch, tmp_path / "unused", b"")

    class Pipe(io.BufferedReader):
        def seekable(self):
            return False

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(Pipe(io.BytesIO(ascii_part + "三猫。\n".encode("gbk")))))
    with pytest.raises(InputError, match=rf"^stdin is not valid UTF-8 at byte {len(ascii_part)} \("):
        "".join(reading.iter_text("-"))


def test_mostly_utf8_names_the_first_bad_byte_and_counts_them(monkeypatch, tmp_path):
    from translate.commandline import error_line
    from translate.errors import InputError

    good = "三猫。二狗！\n".encode() * 10
    data = good[:50] + b"\xff" + good[50:] + b"\xfe\xfe" + good
    src = tmp_path / "damaged.txt"
    reading = write_chunked(monkeypatch, src, data)
    with pytest.raises(InputError) as info:
        list(reading.iter_text(src))
    assert str(info.value) == (f"'{src}' is not valid UTF-8 at byte 50 (3 bad bytes in {len(data)} bytes); "
                               "name its encoding, or replace the bad bytes")
    assert error_line(info.value).endswith("(--encoding NAME, or --errors replace)")


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 4096])
def test_bad_byte_offset_is_exact_across_chunk_boundaries(monkeypatch, tmp_path, chunk):
    """Sampled or found while streaming (the samples miss it), strict or replaced: the same offset."""
    from translate.errors import InputError

    good = "一山。二水\n".encode()
    data = good * 3 + "三".encode()[:2] + b"x" + good * 40  # a character cut short at byte 48
    src = tmp_path / "cut.txt"
    reading = write_chunked(monkeypatch, src, data, chunk=chunk, sample=8)
    with pytest.raises(InputError, match=r"at byte 48 \(2 bad bytes in "):
        list(reading.iter_text(src))
    with pytest.warns(reading.DecodingWarning, match=r"replaced 2 bad bytes with U\+FFFD \(the first at byte 48\)"):
        text = "".join(reading.iter_text(src, errors="replace"))
    assert text == (good * 3).decode() + "\ufffdx" + (good * 40).decode()


def test_named_encoding_that_does_not_fit(tmp_path):
    from translate.errors import InputError
    from translate.reading import read_text

    src = tmp_path / "gbk.txt"
    src.write_bytes("三猫。\n".encode())
    with pytest.raises(InputError, match=r"is not valid big5 at byte \d+ \(\d+ bad bytes? in 10 bytes\); "
                                         r"name the right encoding, or replace the bad bytes$"):
        read_text(src, encoding="big5")


def test_errors_must_be_strict_or_replace(tmp_path):
    from translate.errors import UsageError
    from translate.reading import read_text

    (tmp_path / "a.txt").write_text("x\n")
    with pytest.raises(UsageError) as info:
        read_text(tmp_path / "a.txt", errors="ignore")
    assert info.value.option == "errors"


def test_summarize_takes_errors_replace(tmp_path, capsys):
    from summarize.cli import main as summarize_main

    src = tmp_path / "damaged.txt"
    src.write_bytes("三猫。\n".encode() + b"\xff" + "二狗。\n".encode())
    assert summarize_main([str(src), "--to", "source", "-q"]) == 1
    assert "not valid UTF-8 at byte 10 (1 bad byte in " in capsys.readouterr().err
    assert summarize_main([str(src), "--to", "source", "-q", "--errors", "replace"]) == 0
    out, err = capsys.readouterr()
    assert "三猫" in out and "replaced 1 bad byte with U+FFFD (the first at byte 10)" in err


# -- invisible characters ---------------------------------------------------------------------------------

JOINERS = [  # (text, whether its joiners are kept); tests/test_sources_html.py holds web pages to the same
    ("👨\u200d👩\u200d👧\u200d👦", True),  # family
    ("🏳\ufe0f\u200d🌈", True),  # rainbow flag: the joiner follows a variation selector
    ("👩🏽\u200d💻", True),  # after a skin tone
    ("❤\ufe0f\u200d🔥", True),
    ("می\u200cخواهم", True),  # Persian ZWNJ
    ("क्\u200dष", True),  # Devanagari half form
    ("ab\u200dc", False),
    ("ab\u200cc", False),
    ("三\u200c猫", False),
    ("👍\u200d x", False),
]


@pytest.mark.parametrize("text,kept", JOINERS)
def test_joiners_are_kept_only_where_they_join(text, kept):
    from translate.reading import clean_text

    assert clean_text(text) == (text if kept else text.replace("\u200d", "").replace("\u200c", ""))
    assert clean_text("a\u200bb\u2060c\ufeffd\u00ade\u180ef") == "abcdef"
