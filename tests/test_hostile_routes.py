"""Hostile routes files and what the JSONL output says ran (translate/routing.py, guard.py, pipeline.py).

A routes file that is not a JSON object of ``"src-tgt"`` to a model (or two, through English) is
one line naming the file and the bad entry, exit 2 — whatever it is: a folder, a FIFO, 10 MB,
binary, deeply nested. A route to a model of the wrong direction is refused; a translation that is
not in the target language is marked suspect. The header says what ran, per route; sentence
records say their source language and model, with or without routing."""

from __future__ import annotations

import json
import os
import shutil
import threading
import warnings
from pathlib import Path

import pytest

from tests.cli_helpers import run_cli
from tests.conftest import ROOT
from translate.errors import ModelNotFoundError, UsageError
from translate.guard import REASONS, problem
from translate.routing import RouteWarning, plan, user_routes

TOY_ZH_EN = ROOT / "tests" / "toy" / "toy-zh-en"
TOY_EN_ZH = ROOT / "tests" / "toy" / "toy-en-zh"
CHINESE = "三猫看山。五狗看海。\n大海有鱼。\n"


@pytest.fixture(autouse=True)
def no_user_routes(tmp_path, monkeypatch):
    """Neither the user's ``$TRANSLATE_ROUTES`` nor their ``~/.config/translate/routes.json``."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("TRANSLATE_ROUTES", raising=False)


def routes_file(tmp_path: Path, content: str | bytes | dict, name: str = "routes.json") -> Path:
    file = tmp_path / name
    file.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, dict):
        content = json.dumps(content)
    file.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return file


def chinese_file(tmp_path: Path) -> Path:
    src = tmp_path / "zh.txt"
    src.write_text(CHINESE, encoding="utf-8")
    return src


def one_line_error(code: int, out: str, err: str, expected_code: int) -> str:
    assert (code, out) == (expected_code, ""), err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith("translate: error: "), err
    return err


def refused(file: Path) -> UsageError:
    with pytest.raises(UsageError) as caught:
        user_routes(file)
    message = str(caught.value)
    assert caught.value.option == "routes" and len(message.splitlines()) == 1, message
    assert str(file) in message and "--" not in message, message
    return caught.value


BAD = {  # content → what the one line must name
    "number": ('{"zh-en": 5}', '"zh-en"'),
    "null value": ('{"zh-en": null}', '"zh-en"'),
    "empty list": ('{"zh-en": []}', '"zh-en"'),
    "list of numbers": ('{"zh-en": [1, 2]}', '"zh-en"'),
    "nested list": ('{"zh-en": [["m"]]}', '"zh-en"'),
    "empty name": ('{"zh-en": ""}', '"zh-en"'),
    "spaces around a name": ('{"zh-en": " tests/toy/toy-zh-en "}', '"zh-en"'),
    "newline in a name": ('{"zh-en": "a\\nb"}', '"zh-en"'),
    "top-level list": ("[]", "object"),
    "top-level null": ("null", "object"),
    "top-level string": ('"zh-en"', "object"),
    "invalid JSON": ('{"zh-en": "m",', "JSON"),
    "one language": ('{"zh": "m"}', '"zh"'),
    "three languages": ('{"zh-en-fr": "m"}', '"zh-en-fr"'),
    "empty key": ('{"": "m"}', '""'),
    "lower-case script": ('{"zh-hans-en": "m"}', '"zh-hans-en"'),
    "same language": ('{"en-en": "m"}', '"en-en"'),
    "duplicate key": ('{"zh-en": "a", "zh-en": "b"}', 'the route "zh-en" twice'),
    "repeated model": ('{"ja-zh": ["m", "m"]}', '"ja-zh"'),
    "pivot back through English": ('{"en-zh": ["a", "b"]}', '"en-zh"'),
    "three models": ('{"ja-zh": ["a", "b", "c"]}', '"ja-zh"'),
    "binary": (b"\xff\xfe\x00\x01\x80binary", "UTF-8"),
    "deeply nested": ("[" * 100_000 + "]" * 100_000, "nested"),
    "10 MB": (" " * (10 << 20) + "{}", "large"),
}


@pytest.mark.parametrize("content, named", BAD.values(), ids=BAD.keys())
def test_bad_routes_file_is_one_line_naming_file_and_entry(tmp_path, content, named):
    assert named in str(refused(routes_file(tmp_path, content)))


@pytest.mark.parametrize("case", ["number", "empty list", "top-level list", "three languages", "deeply nested"])
def test_bad_routes_file_on_the_command_line_exits_2(tmp_path, capsys, case):
    file = routes_file(tmp_path, BAD[case][0])
    err = one_line_error(*run_cli([str(chinese_file(tmp_path)), "--routes", str(file), "-q", "--no-cache"], capsys), 2)
    assert str(file) in err and "--routes" in err


def test_routes_file_that_is_a_folder(tmp_path, capsys):
    err = one_line_error(*run_cli([str(chinese_file(tmp_path)), "--routes", str(tmp_path), "-q"], capsys), 2)
    assert "folder" in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_routes_file_that_is_a_fifo_does_not_hang(tmp_path):
    fifo = tmp_path / "routes.fifo"
    os.mkfifo(fifo)
    got: list[BaseException] = []
    reader = threading.Thread(target=lambda: got.append(pytest.raises(UsageError, user_routes, fifo).value),
                              daemon=True)
    reader.start()
    reader.join(60)  # returns as soon as the read is refused; only a regression (a blocking open) waits it out
    assert got and "not a regular file" in str(got[0]) and str(fifo) in str(got[0])


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_routes_file(tmp_path):
    file = routes_file(tmp_path, "{}")
    file.chmod(0)
    assert "cannot be read" in str(refused(file))


def test_environment_variable_naming_nothing_is_an_error(tmp_path, monkeypatch, capsys):
    missing = tmp_path / "nowhere.json"
    monkeypatch.setenv("TRANSLATE_ROUTES", str(missing))
    with pytest.raises(UsageError) as caught:
        user_routes()
    assert "$TRANSLATE_ROUTES" in str(caught.value) and str(missing) in str(caught.value)
    err = one_line_error(*run_cli([str(chinese_file(tmp_path)), "-q", "--no-cache"], capsys), 2)
    assert str(missing) in err


def test_config_folder_routes_file_is_checked_and_optional(tmp_path):
    assert user_routes() == {}  # none there: no routes
    file = routes_file(tmp_path / "config" / "translate", '{"zh-en": 5}')
    assert '"zh-en"' in str(refused(file))
    with pytest.raises(UsageError) as caught:
        user_routes()
    assert str(file) in str(caught.value)


def test_well_formed_routes_file_is_read_as_before(tmp_path):
    file = routes_file(tmp_path, '\ufeff{"zh-Hant-en": "m/zh-en", "ja-zh": ["m/ja-en", "m/en-zh"], "en-pt-BR": "m/p"}')
    assert user_routes(file) == {"zh-Hant-en": ["m/zh-en"], "ja-zh": ["m/ja-en", "m/en-zh"], "en-pt-BR": ["m/p"]}


# -- routes to models of the wrong direction ----------------------------------------------------------

def test_route_to_a_model_of_the_wrong_direction_is_one_line(tmp_path, capsys):
    file = routes_file(tmp_path, {"zh-en": str(TOY_EN_ZH)})
    err = one_line_error(*run_cli([str(chinese_file(tmp_path)), "--routes", str(file), "-q", "--no-cache"], capsys),
                         2)
    assert '"zh-en"' in err and str(TOY_EN_ZH) in err and "en→zh" in err and str(file) in err


@pytest.mark.parametrize("model, metadata", [
    ("Helsinki-NLP/opus-mt-en-zh", None),                                          # its name says
    ("folder", {"tokenizer_config.json": '{"source_lang": "eng", "target_lang": "zho"}'}),  # ISO 639-3 codes
    ("folder", {"README.md": "### eng-zho\n- src_alpha2: en\n- tgt_alpha2: zh\n"}),  # an OPUS-MT model card
    ("folder", {"README.md": "* source languages: en\n* target languages: zh\n"}),
])
def test_direction_is_read_from_name_tokenizer_or_readme(tmp_path, model, metadata):
    if metadata:
        model = str(tmp_path / model)
        routes_file(Path(model), "{}", "config.json")
        for name, text in metadata.items():
            (Path(model) / name).write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        plan("zh", "en", lambda m: True, user_routes(routes_file(tmp_path, {"zh-en": model})))
    assert caught.value.option == "routes" and "en→zh" in str(caught.value) and model in str(caught.value)


@pytest.mark.parametrize("metadata", ['{"source_lang": "mul", "target_lang": "en"}', '{"source_lang": "gem"}', "{}",
                                      '{"source_lang": 5, "target_lang": ["en"]}'])
def test_unknowable_direction_is_no_error(tmp_path, metadata):
    folder = tmp_path / "m"
    routes_file(folder, metadata, "tokenizer_config.json")
    route = plan("de", "en", lambda m: True, user_routes(routes_file(tmp_path, {"de-en": str(folder)})))
    assert [leg.model for leg in route.legs] == [str(folder)]


def test_model_for_another_source_language_is_a_warning(tmp_path):
    routes = user_routes(routes_file(tmp_path, {"ja-en": str(TOY_ZH_EN)}))
    with pytest.warns(RouteWarning, match="zh→en"):
        assert plan("ja", "en", lambda m: True, routes).legs[0].model == str(TOY_ZH_EN)


def test_pivot_leg_of_the_wrong_direction_is_refused(tmp_path):
    routes = user_routes(routes_file(tmp_path, {"ja-zh": ["Helsinki-NLP/opus-mt-ja-en", "Helsinki-NLP/opus-mt-en-de"]}))
    with pytest.raises(UsageError, match="en→de"):
        plan("ja", "zh", lambda m: True, routes)


# -- routes to models that are not there ---------------------------------------------------------------

@pytest.mark.parametrize("table, args", [
    ({"zh-en": "/nonexistent/toy"}, []),                                    # a local folder that is not there
    ({"zh-fr": [str(TOY_ZH_EN), "/nonexistent/en-fr"]}, ["--to", "fr"]),     # a pivot's second leg
    ({"zh-en": "Helsinki-NLP/opus-mt-zh-en with spaces"}, []),              # not a model id
])
def test_route_to_a_missing_model_is_one_line_naming_the_route(tmp_path, capsys, table, args):
    file = routes_file(tmp_path, table)
    err = one_line_error(*run_cli([str(chinese_file(tmp_path)), "--routes", str(file), "-q", "--no-cache", *args],
                                  capsys), 1)
    assert str(file) in err and next(iter(table)) in err


def test_missing_route_model_is_an_error_not_a_silent_fallback(tmp_path):
    routes = user_routes(routes_file(tmp_path, {"zh-en": "/nonexistent/toy"}))
    with pytest.raises(ModelNotFoundError, match="/nonexistent/toy"):
        plan("zh", "en", lambda m: m != "/nonexistent/toy", routes)


def test_route_through_a_folder_with_spaces_in_its_name_works(tmp_path, capsys):
    spaced = tmp_path / "my models" / "toy zh en"
    spaced.parent.mkdir()
    spaced.symlink_to(TOY_ZH_EN, target_is_directory=True)
    file = routes_file(tmp_path, {"zh-en": str(spaced)})
    code, out, err = run_cli([str(chinese_file(tmp_path)), "--routes", str(file), "-q", "--no-cache"], capsys)
    assert code == 0 and out == "three cat see mountain. five dog see sea.\nbig sea have fish.\n", err


# -- the guard: output not in the target language -----------------------------------------------------

GERMAN = "Die Regierung hat am Dienstagabend einen neuen Haushalt für das nächste Jahr vorgestellt."
ENGLISH = "The government presented a new budget for next year on Tuesday evening."


GUARD_CASES = {  # id: (source, output, target language, expected problem)
    "German for English": ("政府周二晚间公布了明年的新预算。", GERMAN, "en", "wrong language"),
    "still English for Chinese": (ENGLISH, ENGLISH, "zh", "wrong language"),
    "still English for zh-Hant": (ENGLISH, ENGLISH, "zh-Hant", "wrong language"),
    "Chinese for English": ("Президент выступил с речью.", "政府周二晚间公布了明年的新预算。", "en", "wrong language"),
    "the toy's simple English": ("三猫看山。", "three cat see mountain.", "en", None),
    "longer toy English": ("五狗有书。大海有鱼。", "five dog have book. big sea have fish.", "en", None),
    "too short to tell": ("你好世界", "Hallo Welt", "en", None),
    "Chinese for Chinese": (ENGLISH, "政府周二晚间公布了明年的新预算。", "zh", None),
    "traditional for zh-Hant": (ENGLISH, "政府週二晚間公布了明年的新預算。", "zh-Hant", None),
    "Chinese for Cantonese": (ENGLISH, "政府周二晚间公布了明年的新预算，官员们表示这将有助于经济增长和就业。", "yue", None),
    "English for eng": ("政府周二晚间公布了明年的新预算。", ENGLISH, "eng", None),
    "English for a group code": ("政府周二晚间公布了明年的新预算。", ENGLISH, "gem", None),
    "no target known": ("政府周二晚间公布了明年的新预算。", GERMAN, None, None),
    "many targets": ("政府周二晚间公布了明年的新预算。", GERMAN, "mul", None),
}


@pytest.mark.parametrize("source, output, target, expected", GUARD_CASES.values(), ids=GUARD_CASES.keys())
def test_guard_marks_output_not_in_the_target_language(source, output, target, expected):
    assert problem(source, output, True, target_language=target) == expected
    if expected:
        assert REASONS[expected] == "not in target language"


def test_route_with_unknown_direction_is_caught_by_the_guard(tmp_path, capsys):
    anonymous = tmp_path / "anonymous"  # the zh→en toy without the metadata that says so, routed en→zh
    shutil.copytree(TOY_ZH_EN, anonymous)
    (anonymous / "tokenizer_config.json").write_text('{"tokenizer_class": "MarianTokenizer"}', encoding="utf-8")
    src = tmp_path / "en.txt"
    src.write_text(ENGLISH + "\n", encoding="utf-8")
    file = routes_file(tmp_path, {"en-zh": str(anonymous)})
    code, out, err = run_cli([str(src), "--routes", str(file), "--to", "zh", "-f", "jsonl", "--no-cache",
                              "--backend", "transformers"], capsys)
    assert code == 0, err
    [record] = [json.loads(line) for line in out.splitlines()[1:]]
    assert (record["status"], record["reason"]) == ("suspect", "not in target language")
    assert "suspect" in err


# -- what the JSONL header and records say ran ----------------------------------------------------------

def jsonl(args, capsys) -> tuple[dict, list[dict]]:
    code, out, err = run_cli([*args, "-f", "jsonl", "-q", "--no-cache"], capsys)
    assert code == 0, err
    header, *records = map(json.loads, out.splitlines())
    return header, records


def test_routed_header_says_what_ran_per_route(tmp_path, capsys):
    file = routes_file(tmp_path, {"zh-en": str(TOY_ZH_EN)})
    header, records = jsonl([str(chinese_file(tmp_path)), "--routes", str(file)], capsys)
    assert header["routes"] == {"zh-Hans": f"zh-Hans→en ({TOY_ZH_EN})"}  # as before
    [leg] = header["legs"]["zh-Hans"]
    assert (leg["model"], leg["source_language"], leg["target_language"]) == (str(TOY_ZH_EN), "zh-Hans", "en")
    assert leg["backend"] in ("ctranslate2", "transformers") and leg["device"] == "cpu" and leg["compute_type"]
    assert leg["num_beams"] == 4 and leg["identity"].startswith("local-") and leg["max_sentence_tokens"] > 0
    for key in ("model", "backend", "device", "compute_type", "num_beams", "identity"):  # one model: it is the run's
        assert header[key] == leg[key], key
    assert all(r["model"] == str(TOY_ZH_EN) for r in records)


@pytest.mark.skipif(not TOY_EN_ZH.exists(), reason="the en→zh toy model is not built")
def test_pivot_header_lists_both_legs(tmp_path, capsys):
    file = routes_file(tmp_path, {"ja-en": str(TOY_ZH_EN), "en-zh": str(TOY_EN_ZH)})
    src = tmp_path / "ja.txt"
    src.write_text("三猫看山。\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RouteWarning)  # the zh→en toy stands in for ja→en
        header, [record] = jsonl([str(src), "--routes", str(file), "--from", "ja", "--to", "zh"], capsys)
    first, second = header["legs"]["ja"]
    assert (first["model"], first["source_language"], first["target_language"]) == (str(TOY_ZH_EN), "ja", "en")
    assert (second["model"], second["target_language"], second["target_token"]) == (str(TOY_EN_ZH), "zh",
                                                                                    ">>cmn_Hans<<")
    assert header["model"] is None and header["backend"] == first["backend"]  # two models; one backend
    assert record["translation"] == "三猫看山。" and record["model"] == f"{TOY_ZH_EN} → {TOY_EN_ZH}"


def test_model_option_records_carry_source_language_and_model(tmp_path, capsys, toy_model):
    header, records = jsonl([str(chinese_file(tmp_path)), "-m", str(toy_model)], capsys)
    assert header["model"] == str(toy_model) and header["source_language"] == "zh"
    assert [(r["source_language"], r["model"]) for r in records] == [("zh", str(toy_model))] * 3
