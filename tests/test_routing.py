"""Routing by language (translate/routing.py and the routed translator): the pair table, target
tokens, pivots, clear errors — and mixed documents, English→Chinese and pivots with the toy models."""

from __future__ import annotations

import json

import pytest

from tests.cli_helpers import run_cli
from tests.conftest import ROOT
from translate import Translator, UsageError
from translate.errors import ModelNotFoundError
from translate.routing import candidates, plan, target_token, user_routes

TOY_ZH_EN = ROOT / "tests" / "toy" / "toy-zh-en"
TOY_EN_ZH = ROOT / "tests" / "toy" / "toy-en-zh"


def models(source, target, routes=None):
    return [[leg.model for leg in legs] for legs in candidates(source, target, routes or {})]


def test_direct_models_follow_opus_mt_names_and_known_exceptions():
    assert models("zh-Hans", "en")[0] == ["Helsinki-NLP/opus-mt-zh-en"]
    assert models("zh-Hant", "en")[0] == ["Helsinki-NLP/opus-mt-zh-en"]
    assert models("en", "zh-Hant")[0] == ["Helsinki-NLP/opus-mt-en-zh"]
    assert models("en", "ja")[0] == ["Helsinki-NLP/opus-mt-en-jap"]
    assert ["Helsinki-NLP/opus-mt-mul-en"] in models("sw", "en")
    assert ["Helsinki-NLP/opus-mt-en-mul"] in models("en", "sw")


def test_user_routes_come_first_and_may_pivot(tmp_path, monkeypatch):
    file = tmp_path / "routes.json"
    file.write_text(json.dumps({"ja-zh": ["m/ja-en", "m/en-zh"], "ko-en": "m/ko-en"}), encoding="utf-8")
    routes = user_routes(file)
    assert models("ja", "zh", routes)[0] == ["m/ja-en", "m/en-zh"]
    assert [leg.target for leg in candidates("ja", "zh", routes)[0]] == ["en", "zh"]
    monkeypatch.setenv("TRANSLATE_ROUTES", str(file))
    assert user_routes() == routes
    with pytest.raises(UsageError) as caught:
        user_routes(tmp_path / "missing.json")
    assert caught.value.option == "routes"


def test_plan_prefers_direct_then_pivots_then_says_what_to_try():
    have = {"Helsinki-NLP/opus-mt-ja-en", "Helsinki-NLP/opus-mt-en-zh"}
    route = plan("ja", "zh", have.__contains__, {})
    assert route.pivot and [leg.model for leg in route.legs] == ["Helsinki-NLP/opus-mt-ja-en",
                                                                  "Helsinki-NLP/opus-mt-en-zh"]
    assert route.describe() == "ja→en→zh (Helsinki-NLP/opus-mt-ja-en, Helsinki-NLP/opus-mt-en-zh)"
    assert not plan("ja", "zh", (have | {"Helsinki-NLP/opus-mt-ja-zh"}).__contains__, {}).pivot
    with pytest.raises(ModelNotFoundError) as caught:
        plan("xx", "yy", lambda model: False, {})
    message = str(caught.value)
    assert "xx to yy" in message and "opus-mt-xx-yy" in message and "--" not in message


def test_target_tokens_are_read_from_the_models_vocabulary(tmp_path):
    (tmp_path / "vocab.json").write_text(json.dumps({">>cmn_Hans<<": 0, ">>cmn_Hant<<": 1, ">>yue_Hant<<": 2,
                                                     "▁a": 3}), encoding="utf-8")
    assert target_token(tmp_path, "zh") == ">>cmn_Hans<<"
    assert target_token(tmp_path, "zh-Hant") == ">>cmn_Hant<<"
    with pytest.raises(UsageError) as caught:
        target_token(tmp_path, "fr")
    assert ">>cmn_Hans<<" in str(caught.value) and caught.value.option == "target_language"
    assert target_token(TOY_ZH_EN, "en") is None  # a single-target model needs none


def test_no_model_means_routing(monkeypatch):
    routed, single = Translator(), Translator(str(TOY_ZH_EN))
    assert routed.routed and not single.routed  # routing is composed inside one facade, not a subclass
    assert type(routed) is Translator and type(single) is Translator


@pytest.fixture()
def routes(tmp_path):
    file = tmp_path / "routes.json"
    table = {"zh-en": str(TOY_ZH_EN)}
    if TOY_EN_ZH.exists():
        table.update({"en-zh": str(TOY_EN_ZH), "ja-en": str(TOY_ZH_EN)})  # the zh-en toy stands in for ja-en
    file.write_text(json.dumps(table), encoding="utf-8")
    return file


def test_mixed_document_comes_out_in_the_target_language(routes, tmp_path, capsys):
    src = tmp_path / "mixed.txt"
    src.write_text("三猫看山。五狗看海。\nThe cat looks at the mountain.\n大海有鱼。\n", encoding="utf-8")
    code, out, err = run_cli([str(src), "--routes", str(routes), "-f", "jsonl", "-q", "--no-cache"], capsys)
    assert code == 0, err
    header, *records = map(json.loads, out.splitlines())
    assert header["routes"] == {"zh-Hans": f"zh-Hans→en ({TOY_ZH_EN})"}
    assert [(r["paragraph"], r["translation"], r["status"], r.get("source_language")) for r in records] == [
        (0, "three cat see mountain.", "ok", "zh-Hans"), (0, "five dog see sea.", "ok", "zh-Hans"),
        (1, "The cat looks at the mountain.", "passthrough", "en"), (2, "big sea have fish.", "ok", "zh-Hans")]
    assert records[2]["reason"] == "already in target language"
    assert records[0]["model"] == str(TOY_ZH_EN)


needs_en_zh = pytest.mark.skipif(not TOY_EN_ZH.exists(), reason="the en→zh toy model is not built")


@needs_en_zh
@pytest.mark.parametrize("target, expected", [("zh", "三猫看山。\n五狗有书。\n"), ("zh-Hant", None)])
def test_english_to_chinese_with_the_target_token(routes, tmp_path, capsys, target, expected):
    src = tmp_path / "english.txt"
    src.write_text("three cat see mountain.\nfive dog have book.\n", encoding="utf-8")
    code, out, err = run_cli([str(src), "--to", target, "--routes", str(routes), "-q", "--no-cache"], capsys)
    assert code == 0, err
    if expected:
        assert out == expected
    else:
        assert out != "三猫看山。\n五狗有书。\n" and "书" not in out  # traditional characters: 書


@needs_en_zh
def test_pivot_through_english_is_said(routes, tmp_path, capsys):
    src = tmp_path / "japanese.txt"
    src.write_text("三猫看山。\n", encoding="utf-8")
    code, out, err = run_cli([str(src), "--from", "ja", "--to", "zh", "--routes", str(routes), "--no-cache"], capsys)
    assert code == 0, err
    assert out == "三猫看山。\n"  # ja→en ("three cat see mountain.") → zh
    assert "through English" in err


@needs_en_zh
def test_summarize_english_into_chinese(routes, tmp_path, capsys):
    from summarize.cli import main as summarize

    src = tmp_path / "english.txt"
    src.write_text("three cat see mountain. five dog have book.\nbig sea have fish.\n", encoding="utf-8")
    code = summarize([str(src), "--to", "zh", "--routes", str(routes), "-l", "2", "-q", "--no-cache"])
    out = capsys.readouterr().out
    assert code == 0 and "三猫看山。" in out


def test_unknown_pair_is_one_line(tmp_path, capsys):
    src = tmp_path / "a.txt"
    src.write_text("三猫看山。\n", encoding="utf-8")
    code, out, err = run_cli([str(src), "--to", "fr", "-q"], capsys)  # offline, nothing cached
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1
