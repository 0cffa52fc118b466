"""HTML that survives ``translate serve`` (``format=html``): inline markup carried through the
translation around the right words, what must not be translated left as written, and the input's
tag structure in the output — checked with parsers (lxml's tree; html.parser's flat tag sequence,
for depths a tree parser cuts) — whatever the model does with the placeholders, and on hostile input."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator, Sequence
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from tests.serving import TOY_ZH_EN, serving
from translate import Translator
from translate.backends import Backend, Hypothesis
from translate.models import ResolvedModel
from translate.options import DecodingOptions
from translate.server.markup import Fragment, is_plain, lex, mask_markup, parse_fragment
from translate.server.service import Service, TextTranslation
from translate.spans import mask

LEXICON = {"猫": "cat", "狗": "dog", "看": "see", "山": "mountain", "水": "water", "鱼": "fish", "鸟": "bird",
           "花": "flower", "有": "have", "海": "sea", "书": "book", "红": "red", "大": "big", "车": "car"}


# -- helpers ---------------------------------------------------------------------------------------------
class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.seen: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        self.seen.append(("start", tag, tuple(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.seen.append(("empty", tag, tuple(attrs)))

    def handle_endtag(self, tag):
        self.seen.append(("end", tag))

    def handle_comment(self, data):
        self.seen.append(("comment", data))

    def handle_decl(self, decl):
        self.seen.append(("decl", decl))

    def unknown_decl(self, data):
        self.seen.append(("decl", data))

    def handle_pi(self, data):
        self.seen.append(("pi", data))


def tag_sequence(markup: str) -> list[tuple]:
    """Every tag, comment and declaration as html.parser reads them, in order (flat: any depth)."""
    parser = _Tags()
    parser.feed(markup)
    parser.close()
    return parser.seen


def tree(markup: str) -> list[tuple]:
    """The element tree lxml builds (libxml2's HTML parser, as a browser would repair it): each
    element's start and end with its attributes, comments, in document order — no text."""
    from lxml import etree

    root = etree.fromstring(f"<div id=root>{markup}</div>" if "<html" not in markup.lower() else markup,
                            etree.HTMLParser(huge_tree=True))
    if root is None:
        return []
    return [(event, el.tag if isinstance(el.tag, str) else "!comment", dict(el.attrib) if event == "start" else None)
            for event, el in etree.iterwalk(root, events=("start", "end"))]


def same_structure(source: str, translated: str) -> None:
    assert tag_sequence(translated) == tag_sequence(source)
    assert tree(translated) == tree(source)


def identity(fragment: Fragment) -> str:
    """A fragment rendered with each unit "translated" as itself (what the engine gives back for
    text it passes through): checks parsing and rebuilding alone."""
    from translate.document import TranslatedParagraph, TranslatedSentence

    paragraphs = [TranslatedParagraph(p.index, p.kind, p.text, p.text,
                                      tuple(TranslatedSentence(s.index, s.text, s.text, s.start, s.end)
                                            for s in p.sentences))
                  for p in fragment.document().paragraphs]
    return fragment.render(paragraphs)


_toy: list[Translator] = []


def toy() -> Translator:
    """The toy zh→en model, loaded once for this module."""
    if not _toy:
        _toy.append(Translator(str(TOY_ZH_EN), cache=False))
    return _toy[0]


def translate(fragments: Sequence[str], translator: Translator | None = None) -> list[TextTranslation]:
    service = Service(translator or toy())
    try:
        return asyncio.run(service.translate_html(list(fragments), source="zh", target="en"))
    finally:
        service.close()


def html_of(*fragments: str, translator: Translator | None = None) -> list[str]:
    return [done.text for done in translate(fragments, translator)]


class Lexical(Backend):
    """A zh→en backend that knows ``LEXICON`` character by character and treats placeholders as
    ``mode`` says: ``keep`` (copied in place, as a good model does), ``reverse`` (all there, in
    reverse order) or ``drop`` (lost)."""

    name = "lexical"

    def __init__(self, mode: str = "keep") -> None:
        super().__init__(ResolvedModel("Helsinki-NLP/opus-mt-zh-en", Path("/nonexistent"), "lexical"))
        self.mode = mode
        self.seen: list[str] = []

    def count_tokens(self, text: str) -> int:
        return len(text.split()) + len(re.findall(r"[\u4e00-\u9fff]", text))

    def _runtime(self) -> dict[str, str]:
        return {"device": "cpu", "compute_type": "float32"}

    def translate_batch(self, texts: Sequence[str], options: DecodingOptions = DecodingOptions()) -> list[Hypothesis]:
        self.seen += texts
        return [Hypothesis(self.one(t), score=-0.1, scored_tokens=3) for t in texts]

    def one(self, text: str) -> str:
        words: list[str] = []
        marks = re.findall(r"\[\d+\]", text)
        order = iter(reversed(marks)) if self.mode == "reverse" else iter(marks)
        for m in re.finditer(r"\[\d+\]|\S", text):
            piece = m.group()
            if piece.startswith("[") and len(piece) > 1:
                if self.mode != "drop":
                    words.append(next(order))
            elif piece in "。！？" and words:
                words[-1] += "."
            else:
                words.append(LEXICON.get(piece, piece))
        return " ".join(words)


def lexical(mode: str = "keep") -> Translator:
    return Translator("Helsinki-NLP/opus-mt-zh-en", backend=Lexical(mode), cache=False, guard=False)


NESTED = ["<p><b>猫看狗。<i>山有水。</b>鱼。</i></p>",
          "<div>猫。<span>狗。<em>鸟。</span>花。</em></div>",
          "<p>猫<b>看<i>狗</i></b>。<a href='/x'>山<b>有</b>水。</a>鱼看<u>花</u>！</p>",
          "<ul><li><b>猫看<li>狗</b>。</ul><p>花<i>看</p>鸟</i>。",
          "<table><tr><td>猫<b>看<td>狗</b></table>鱼"]


# -- the words inside the right tags ----------------------------------------------------------------------
def test_words_land_inside_their_tags_toy_model():
    out = html_of("<b>猫</b>看狗。", "<p>猫<b>看</b>狗。</p>",
                  '<p>山<a href="https://x.org/猫?a=1&amp;b=2" title="猫">鱼</a>。</p>', "<h1>猫</h1><ul><li>狗<li>鱼</ul>")
    assert out == ["<b>cat</b> see dog.", "<p>cat <b>see</b> dog.</p>",
                   '<p>mountain <a href="https://x.org/猫?a=1&amp;b=2" title="猫">fish</a>.</p>',
                   "<h1>cat</h1><ul><li>dog<li>fish</ul>"]


def test_a_model_that_copies_placeholders_puts_tags_around_the_same_words():
    backend = Lexical("keep")
    out = html_of("<p>猫<b>看</b>狗。</p>", "<p>猫看<a href='/x'>狗</a><br>鱼。</p>",
                  translator=Translator("m", backend=backend, cache=False, guard=False))
    assert out == ["<p>cat <b>see</b> dog.</p>", "<p>cat see <a href='/x'>dog</a> <br> fish.</p>"]
    assert "猫 [901] 看 [902] 狗。" in backend.seen  # the model saw placeholders, not the tags
    assert not any("<" in text or "href" in text for text in backend.seen)


@pytest.mark.parametrize("mode", ["keep", "reverse", "drop"])
def test_tags_across_sentences_stay_balanced_whatever_the_model_does(mode):
    out = html_of(*NESTED, translator=lexical(mode))
    for source, translated in zip(NESTED, out):
        same_structure(source, translated)
        assert not re.search("[\u4e00-\u9fff]", translated)  # every word translated
    assert out[0] == "<p><b>cat see dog. <i>mountain have water.</b> fish.</i></p>"


def test_tags_across_sentences_stay_balanced_toy_model():
    for source, translated in zip(NESTED, html_of(*NESTED)):
        same_structure(source, translated)


def test_tags_stay_balanced_with_a_random_model(tiny_model):
    """A random model copies nothing reliably: placeholders lost, doubled, invented."""
    t = Translator(str(tiny_model), cache=False, max_new_tokens=12)
    for source, translated in zip(NESTED, html_of(*NESTED, translator=t)):
        same_structure(source, translated)


def test_mastodon_links_mentions_and_hashtags_come_through_whole():
    """Mastodon splits a link's text into spans and writes #tags and @mentions as a link around a
    span: what shows is a URL, a tag or a handle, protected as a whole, the spans inside it too."""
    source = ('<p>猫看 <a href="https://example.com/long" class="u-url"><span class="invisible">https://</span>'
              '<span class="ellipsis">example.com/lo</span><span class="invisible">ng</span></a> 狗 '
              '<a href="https://m.social/tags/cats" class="mention hashtag" rel="tag">#<span>cats</span></a> 鱼 '
              '<span class="h-card"><a href="https://m.social/@bob" class="u-url mention">@<span>bob</span></a>'
              '</span>。</p>')
    backend = Lexical("drop")
    out = html_of(source, translator=Translator("m", backend=backend, cache=False, guard=False))[0]
    assert out == source.replace("猫看", "cat see").replace("狗", "dog").replace("鱼", "fish").replace("。", ".")
    assert not any(word in text for text in backend.seen for word in ("example", "cats", "bob"))


# -- left as it is ----------------------------------------------------------------------------------------
def test_what_must_not_be_translated_is_left_exactly():
    kept = ['<script>var s = "</b>猫"; if (a < b && c) {}</script>', "<style>p::after { content: '猫</p>' }</style>",
            "<code>猫 &amp; <b>狗</b></code>", "<pre>\n  猫\n\n  狗  </pre>", "<textarea>猫 &lt;b&gt;</textarea>",
            '<span translate="no">猫 <i>狗</i></span>', '<div translate=NO><p>猫</p></div>',
            '<em class="x notranslate">猫</em>', "<!-- 猫 <b> -->", "<![CDATA[猫]]>", "<kbd>猫</kbd>"]
    source = "<p>猫看狗。" + "鱼".join(kept) + "山。</p>"
    out = html_of(source)[0]
    for piece in kept:
        assert piece in out
    assert out.startswith("<p>cat see dog.") and out.endswith("mountain.</p>")
    same_structure(source, out)


def test_attributes_are_untouched():
    source = '<p title="猫" data-x=\'a "b" &amp; <b>猫</b>\' class=看>猫<a href="/猫?q=狗&amp;x" onclick=\'f("狗")\'>狗</a></p>'
    out = html_of(source)[0]
    assert out == '<p title="猫" data-x=\'a "b" &amp; <b>猫</b>\' class=看>cat <a href="/猫?q=狗&amp;x" ' \
                  'onclick=\'f("狗")\'>dog</a></p>'


def test_untouched_parts_are_copied_byte_for_byte():
    source = ("<!DOCTYPE html>\n<div class=a>\r\n\t<p>&nbsp;</p>\n<p>  &#160;&amp;&#x2014;  </p>"
              "<br/><img src=x alt='猫'><HR></div>\n\n")
    assert html_of(source)[0] == source  # nothing with words to translate: the source, as written
    assert identity(parse_fragment(source)) == source


# -- entities, whitespace, line breaks -------------------------------------------------------------------------
def test_entities_are_decoded_for_the_model_and_escaped_after():
    backend = Lexical("keep")
    out = html_of("<p>&#x732b; &amp; 狗 &lt;鱼&gt; &quot;山&quot;</p>",
                  translator=Translator("m", backend=backend, cache=False, guard=False))
    assert out == ["<p>cat &amp; dog &lt; fish &gt; \" mountain \"</p>"]
    assert backend.seen == ['猫 & 狗 <鱼> "山"']


def test_whitespace_around_and_between_blocks_is_kept():
    source = "<div>\n  <p>\n    猫看狗。\n  </p>\n\n  <p>\t<b>鱼</b>  </p>\n</div>\n"
    assert html_of(source)[0] == "<div>\n  <p>\n    cat see dog.\n  </p>\n\n  <p>\t<b>fish</b>  </p>\n</div>\n"


def test_line_breaks_inside_a_block_do_not_split_sentences():
    """LibreTranslate #636: a newline inside a paragraph cut the sentence in two."""
    backend = Lexical("keep")
    out = html_of("<p>猫看\n狗。</p>", "<p>The cat\n  sees <b>the\ndog</b>.</p>",
                  translator=Translator("m", backend=backend, cache=False, guard=False))
    assert sorted(backend.seen) == ["The cat sees [901] the dog [902] .", "猫看狗。"]
    assert out[0] == "<p>cat see dog.</p>"
    done = translate(["<p>猫看\n狗。</p>"])[0]
    assert done.text == "<p>cat see dog.</p>" and [s["source"] for s in done.sentences] == ["猫看狗。"]


def test_plain_text_comes_back_as_plain_text():
    assert is_plain("猫看狗。\n\n山 & 水 < 鱼") and not is_plain("a &amp; b") and not is_plain("a<br>b")
    assert html_of("猫看狗。\n\n山有水。", "猫 & 狗 < 鱼", translator=lexical()) == \
        ["cat see dog.\n\nmountain have water.", "cat &amp; dog &lt; fish"]  # escaped: it is HTML


def test_sentences_and_scores_name_no_tokens():
    done = translate(["<p><b>猫</b>看<i>狗。</i>山有水。</p>"])[0]
    assert [s["source"] for s in done.sentences] == ["猫看狗。", "山有水。"]
    assert [s["translation"] for s in done.sentences] == ["cat see dog.", "mountain have water."]
    for p in done.document.paragraphs:
        for s in p.sentences:
            assert p.source[s.start:s.end] == s.source
    assert done.score is not None


def test_a_translation_that_lost_or_moved_its_tags_still_renders_every_tag():
    """The engine never lets a unit lose or reorder its tags; should a backend's bug do it anyway,
    the words go inside the tags that led the paragraph and every tag still comes out, in order."""
    from translate.document import TranslatedParagraph, TranslatedSentence

    source = "<p>\n <b>猫<i>看</i>狗</b>。<a href=x>鱼</a>\n</p>"
    fragment = parse_fragment(source)
    (p,) = fragment.document().paragraphs
    for garble in (lambda t: re.sub("[\U000F0000-\U0010FFFF]", "", t), lambda t: t[::-1], lambda t: t + t):
        translated = TranslatedParagraph(p.index, p.kind, p.text, "", tuple(
            TranslatedSentence(s.index, s.text, garble(s.text), s.start, s.end) for s in p.sentences))
        out = fragment.render([translated])
        same_structure(source, out)
        assert out.startswith("<p>\n <b>") and out.endswith("</a>\n</p>")


# -- the masker ---------------------------------------------------------------------------------------------
def test_mask_markup_turns_tokens_into_placeholders_kept_in_order():
    unit = parse_fragment("<p>猫<b>看</b> <i>狗</i> https://x.org/a 鱼 [901]。</p>").runs[0].text
    masked = mask_markup(unit)
    assert masked.text == "猫 [902] 看 [903] 狗 [904] 鱼 [901]。"  # </b> <i> one placeholder; the URL one more
    assert masked.restore("cat [902] see [903] dog [904] fish [901].") is not None
    assert masked.restore("cat [903] see [902] dog [904] fish [901].") is None  # tags out of order
    assert masked.restore("cat [902] see dog [904] fish [901].") is None  # one lost
    assert masked.pieces()[1:3] == [(True, unit[1]), (False, "看")]
    assert mask_markup("猫看狗 https://x.org") == mask("猫看狗 https://x.org")  # no tokens: as any text


# -- hostile input ------------------------------------------------------------------------------------------
HOSTILE = {
    "unclosed": "<p><b>猫<i>看狗。<p>山<a href='x'>水",
    "stray ends": "</b></i>猫</p></div>狗</span>",
    "eof in tag": '<p>猫看</p><a href="x',
    "eof in comment": "<p>猫<!-- 狗 <b>",
    "odd comments": "<p>猫<!-->狗<!--->鱼<!-- a --!>山</p>",
    "bogus markup": "<p>猫</ 狗><?php echo 1 ?><!x>鱼</>山</p>",
    "cdata": "<p>猫<![CDATA[ <b>狗</b> ]]>鱼</p><svg><![CDATA[猫]]></svg>",
    "script with tags": "<p>猫<script>document.write('</b></p><p>狗')</script>鱼</p>",
    "unclosed script": "<p>猫</p><script>狗 </b>",
    "entities": "<p>&amp;猫 &#x4e2d;&#20013; &notanentity; &amp &#0; &#xD800; &lt;/b&gt;</p>",
    "our own characters": "<p>猫\U000F0000狗\U00100001&#983040;<b>\U0010FFFF鱼</b></p>",
    "lone surrogate": "<p>猫\ud800<b>狗</b></p>",
    "nul and controls": "<p>猫\x00\x01<b>狗\x7f</b>\x0c鱼</p>",
    "tag-like text": "<p>猫 < 狗 <3 鱼 <> 山 <<b>>水</b></p>",
    "attribute soup": "<p><a href=x title=>\"y\" z='w' / a=b=c =d>猫</a   x='>'>狗</p>",
    "uppercase": "<P><B>猫</B>看<I>狗</i></p>",
    "whole document": ("<!DOCTYPE html><html lang=zh><head><meta charset=gbk><title>猫看狗</title>"
                       "<style>b{color:red}</style><script>var x='<b>'</script></head>"
                       "<body><h1>猫</h1><p>狗<b>看</b>鱼。</p></body></html>"),
    "translate no everywhere": "<html translate=no><body><p>猫</p></body></html>",
    "sibling closes": "<ul><li translate=no>猫<li>狗</ul><p class=notranslate>鱼<p>山",
    "ancestor closes": "<p>猫<code>x</p><p>狗</p><div><span translate=no><b>鱼</div>山",
    "nested untranslated": "<code><code>猫</code>狗</code>鱼<div translate=no><div>猫</div>狗</div>山",
    "foreign": "<p>猫<svg><title>狗</title><text>鱼</text></svg><math><mi>山</mi></math>水</p>",
    "deep inline": "<p>" + "<b>" * 10000 + "猫看狗。" + "</b>" * 10000 + "</p>",
    "deep blocks": "<div>" * 10000 + "猫" + "</div>" * 10000,
    "deep unclosed": "<span>猫" * 3000,
    "deep mixed": "<div><b>猫<i>" * 1000 + "狗",
    "deep verbatim": "<p translate=no>" + "<b>" * 10000 + "猫",
    "too many tags": "<p>猫" + "<b></b>" * 40000 + "狗</p>",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_fragments_parse_and_rebuild(name):
    source = HOSTILE[name]
    assert "".join(source[lx.start:lx.end] for lx in lex(source)) == source  # the lexer loses nothing
    rebuilt = identity(parse_fragment(source))
    if "\ud800" not in source:
        assert tag_sequence(rebuilt) == tag_sequence(source)


def test_hostile_fragments_translate_with_their_structure():
    names = [n for n in HOSTILE if n not in ("lone surrogate",)]
    out = html_of(*[HOSTILE[n] for n in names], translator=lexical("drop"))
    for name, translated in zip(names, out):
        source = HOSTILE[name]
        if name != "odd comments":  # (html.parser ends "<!-->" at the next "-->"; HTML, at once)
            assert tag_sequence(translated) == tag_sequence(source), name
        if not name.startswith("deep"):  # (libxml2 cuts a tree that deep, both alike)
            assert tree(translated) == tree(source), name


def test_hostile_details():
    out = dict(zip(HOSTILE, html_of(*HOSTILE.values(), translator=lexical())))
    assert out["eof in tag"] == '<p>cat see</p><a href="x'
    assert out["script with tags"] == "<p>cat <script>document.write('</b></p><p>狗')</script> fish</p>"
    assert out["unclosed script"] == "<p>cat</p><script>狗 </b>"
    assert out["whole document"] == ("<!DOCTYPE html><html lang=zh><head><meta charset=gbk><title>cat see dog</title>"
                                     "<style>b{color:red}</style><script>var x='<b>'</script></head>"
                                     "<body><h1>cat</h1><p>dog <b>see</b> fish.</p></body></html>")
    assert out["translate no everywhere"] == HOSTILE["translate no everywhere"]
    assert out["sibling closes"] == "<ul><li translate=no>猫<li>dog</ul><p class=notranslate>鱼<p>mountain"
    assert out["ancestor closes"] == "<p>cat <code>x</p><p>dog</p><div><span translate=no><b>鱼</div>mountain"
    assert out["nested untranslated"] == "<code><code>猫</code>狗</code> fish<div translate=no><div>猫</div>狗</div>mountain"
    assert out["deep verbatim"] == HOSTILE["deep verbatim"]
    assert out["too many tags"] == HOSTILE["too many tags"]  # more tags than a run holds: left as it is
    assert out["tag-like text"] == "<p>cat &lt; dog &lt; 3 fish &lt; &gt; mountain &lt; <b>&gt; water</b></p>"
    assert out["odd comments"] == "<p>cat <!--> dog <!---> fish <!-- a --!> mountain</p>"  # HTML's comments
    assert out["entities"].startswith("<p>&amp; cat")
    assert out["our own characters"].count("\U000F0000") == 2 and "\U0010FFFF" in out["our own characters"]
    assert "\ud800" not in out["lone surrogate"] and out["lone surrogate"].endswith("<b>dog</b></p>")
    assert not re.search("[\x00-\x08\x7f]", out["nul and controls"])
    assert out["deep inline"] == "<p>" + "<b>" * 10000 + "cat see dog." + "</b>" * 10000 + "</p>"


def test_a_huge_attribute_is_copied():
    source = '<p><a title="' + "猫" * 1_000_000 + '">狗</a>看</p>'
    assert html_of(source, translator=lexical()) == ['<p><a title="' + "猫" * 1_000_000 + '">dog</a> see</p>']


# -- through the server -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with serving() as running, httpx.Client(base_url=running.url, timeout=60) as c:
        yield c


def test_libretranslate_format_html(client):
    q = ["<p>猫<b>看</b>狗。</p>", "猫看狗。", "<p><b>猫看狗。<i>山有水。</b>鱼。</i></p>"]
    response = client.post("/translate", json={"q": q, "source": "zh", "target": "en", "format": "html"})
    assert response.status_code == 200, response.text
    assert response.json() == {"translatedText": ["<p>cat <b>see</b> dog.</p>", "cat see dog.",
                                                  "<p><b>cat see dog. <i>mountain have water.</b> fish.</i></p>"]}
    form = client.post("/translate", data={"q": "<i>猫</i>", "source": "zh", "target": "en", "format": "html"})
    assert form.json() == {"translatedText": "<i>cat</i>"}


def test_deepl_tag_handling_html_and_detection(client):
    response = client.post("/v2/translate", data={"text": ["<p>猫<b>看</b>狗。</p>", "<i>鱼</i>"], "target_lang": "EN",
                                                   "tag_handling": "html"})
    assert response.status_code == 200, response.text
    assert [t["text"] for t in response.json()["translations"]] == ["<p>cat <b>see</b> dog.</p>", "<i>fish</i>"]
    auto = client.post("/translate", json={"q": "<p>猫<b>看</b>狗。</p>", "source": "auto", "target": "en",
                                           "format": "html"})
    assert auto.json()["detectedLanguage"]["language"] == "zh"


def test_libretranslate_format_html_hostile_bytes(client):
    bad = client.post("/translate", content=b'{"q": "<p>\xff\xfe<b>\xe7\x8c</b></p>", "target": "en", "format": "html"}',
                      headers={"content-type": "application/json"})
    assert bad.status_code == 400 and "Traceback" not in bad.text
    form = client.post("/translate", content=b"q=%3Cp%3E%FF%E7%8C%AB%3Cb%3E%E7%8B%97%3C%2Fb%3E&target=en&format=html",
                       headers={"content-type": "application/x-www-form-urlencoded"})
    assert form.status_code in (200, 400) and "Traceback" not in form.text
    if form.status_code == 200:
        assert form.json()["translatedText"].endswith("<b>dog</b>")
    lone = client.post("/translate", content=b'{"q": "<p>\\ud800<b>\xe7\x8c\xab</b></p>", "target": "en", "format": "html"}',
                       headers={"content-type": "application/json"})
    assert lone.status_code == 400 and "valid Unicode" in lone.json()["error"]  # as for format=text
