"""Protected spans (translate/spans.py): URLs, e-mail addresses, handles, tags, paths and code come
through verbatim on every path — kept by the model as placeholders, or translated around."""

from __future__ import annotations

import pytest

from tests.test_guard import Scripted
from translate import Translator
from translate.backends import Hypothesis
from translate.options import DecodingOptions
from translate.spans import mask, protected_spans

SPANS = ["https://www.customs.gov.cn/a/b.html?x=1&y=2", "press@customs.gov.cn", "@CustomsChina", "#GDP2024",
         "/etc/translate/config.toml", "~/news/today.txt", r"C:\Users\news\a.txt", "`pip install x`"]


@pytest.mark.parametrize("span", SPANS)
def test_each_kind_of_span_is_found_whole_inside_chinese(span):
    text = f"请查看{span}了解详情。"
    [(start, end)] = protected_spans(text)
    assert text[start:end] == span


def test_mask_and_restore_round_trip_with_a_colliding_placeholder():
    unit = "见[901]和www.x.com，联系a@b.cn。"
    masked = mask(unit)
    assert masked.spans == ("www.x.com", "a@b.cn") and "www.x.com" not in masked.text
    assert "[901]" in masked.text and masked.numbers == (902, 903)  # the source's own [901] is left alone
    assert masked.restore("See [901] and [902], contact [903].") == "See [901] and www.x.com, contact a@b.cn."
    assert masked.restore("See [901] and [902].") is None  # a lost placeholder
    assert masked.restore("See [902] [902] [903].") is None  # a doubled one


class Copying(Scripted):
    """Translates every CJK character to 'word' and keeps placeholders (and any Latin) as they are;
    ``drop=True`` loses the placeholders instead. Records what the model was shown."""

    def __init__(self, drop=False):
        super().__init__()
        self.drop, self.seen = drop, []

    def translate_batch(self, texts, options=DecodingOptions()):
        self.seen.extend(texts)
        out = []
        for text in texts:
            words = []
            for token in text.replace("。", " .").split():
                if token.startswith("[") and token.endswith("]"):
                    if not self.drop:
                        words.append(token)
                elif any("\u4e00" <= ch <= "\u9fff" for ch in token):
                    words.append("word")
                else:
                    words.append(token)
            out.append(Hypothesis(" ".join(words).replace(" .", ".")))
        return out


@pytest.mark.parametrize("drop", [False, True], ids=["model keeps placeholders", "model loses them"])
@pytest.mark.parametrize("span", SPANS)
def test_spans_come_through_verbatim_and_never_reach_the_model(span, drop):
    backend = Copying(drop)
    t = Translator("scripted", backend=backend)
    [p] = t.translate(f"请看 {span} 了解。").paragraphs
    assert span in p.translation and p.sentences[0].status == "ok"
    assert not any(span in seen for seen in backend.seen)  # masked, or translated around: never model input


def test_toy_model_translates_around_spans_it_cannot_copy(toy_model):
    t = Translator(str(toy_model), device="cpu")
    assert t.translate("三猫 https://x.com/a 四狗。").text == "three cat https://x.com/a four dog."
    assert t.translate("三猫看 press@x.com。").text == "three cat see press@x.com."
