"""What can be a digest sentence: a unit with real content, not page debris.

News pages carry units that sentence splitting keeps but no reader would quote: source tags
("（投资者报）", "一财网"), datelines ("新华社北京9月1日电（记者 …）", "PUBLISHED: 14:11 EST"), bylines
("By .", "Margot Peppers ."), editor's notes and credits ("责任编辑：…", "原标题：…", "Photo: …"),
link prompts ("点击查看…", "Click here…"), and fragments of split sentences ("详见，").
They still count for position and centrality (they are part of the article), but are never picked.

The patterns are rows of one table, :data:`summarize.debris.DEBRIS`, with their examples; this module
judges whole units with them. The model holds across sites because it looks at form, never at names:

- debris is *removed* first (a dateline or byline prefix, bracketed asides, credit lines),
  and what is left must carry a sentence's worth of content: at least ``MIN_CJK`` CJK
  characters, or ``MIN_WORDS`` words of which at least one is lower-case (a predicate-like
  word: a list of capitalised names is not a sentence);
- content characters (letters, digits, CJK) must be most of the unit (``MIN_CONTENT_RATIO``);
- a unit that only *ends* a clause ("，", "、", "：") or is a short list step ("2、红枣洗净，备用；")
  is a fragment of something longer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from translate.languages import CJK_CHARS

from .debris import row

MIN_CJK = 8             # CJK content characters a sentence needs once debris is removed
MIN_WORDS = 4           # Latin-script words a sentence needs once debris is removed
MIN_CONTENT_RATIO = 0.5  # letters, digits and CJK characters over all non-space characters
SHORT_CLAUSE_CJK = 16   # a CJK unit ending in a clause mark (；) is a fragment below this many characters

_CJK = re.compile(f"[{CJK_CHARS}]")
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
_NUMBER = r"[0-9０-９一二三四五六七八九十〇零]"

# bracketed asides: （记者 张三）, (Reuters), 【…】, [Photo]
_BRACKETS = re.compile(r"（[^（）]*）|\([^()]*\)|【[^【】]*】|\[[^\[\]]*\]|〔[^〔〕]*〕")
# the debris patterns themselves are rows of the one table (debris.DEBRIS), with their examples
_CJK_DATELINE_AGENCY = row("zh_dateline_agency").pattern   # 本报讯, 人民网北京5月6日讯
_CJK_DATELINE_SIMPLE = row("zh_dateline_date").pattern     # 新华社北京9月1日电, 中新网3月5日电
_CJK_LABEL = row("zh_label").pattern                       # 责任编辑：…, 原标题：…, 来源：…, 图/…, 文｜…
_CJK_PROMPT = row("zh_prompt").pattern                     # 点击查看…, 扫描二维码…, 关注公众号…, 长按识别…
_EN_PREFIX = row("en_prefix").pattern                      # bylines, "PUBLISHED: …", "WASHINGTON (Reuters) -"
_EN_LABEL = row("en_label").pattern                        # Photo: …, Editing by …, Read more
_EN_PROMPT = row("en_prompt").pattern                      # Click here…, Media playback is not supported…
_EN_BYLINE = row("en_byline_word").pattern
_EN_DATELINE = row("en_dateline_word").pattern
MAX_PREFIXES = 8  # bylines and datelines stacked before a Latin sentence: more is hostile input, not news
_LIST_STEP = re.compile(rf"^\s*(?:{_NUMBER}{{1,3}}|[a-zA-Z])\s*[、.．)）]")
_CLAUSE_END = tuple("，,、：:；;—-")
_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}\b|\b(?:EST|EDT|GMT|BST|UTC|CET|PST|PDT)\b")


@dataclass(frozen=True)
class Quality:
    """Whether a unit may be a digest sentence, and why not."""

    ok: bool
    reason: str = ""       # "", or what it is: punctuation, fragment, dateline, byline, credit, prompt...


def _content(text: str) -> int:
    return sum(ch.isalnum() for ch in text)


def assess(text: str) -> Quality:
    """Judge one unit (a sentence as segmentation split it)."""
    s = text.strip()
    nonspace = [ch for ch in s if not ch.isspace()]
    if not nonspace or _content(s) == 0:
        return Quality(False, "punctuation")
    if _content(s) / len(nonspace) < MIN_CONTENT_RATIO:
        return Quality(False, "symbols")
    if _CJK.search(s):
        return _assess_cjk(s)
    return _assess_latin(s)


def _assess_cjk(s: str) -> Quality:
    if _CJK_LABEL.match(s):
        return Quality(False, "credit")
    if len(s) < 60 and _CJK_PROMPT.search(s):
        return Quality(False, "prompt")
    dateline = _CJK_DATELINE_SIMPLE.match(s) or _CJK_DATELINE_AGENCY.match(s)
    rest = s[dateline.end():] if dateline else s
    rest = _BRACKETS.sub("", rest)
    cjk = len(_CJK.findall(rest))
    latin = len(_WORD.findall(_CJK.sub(" ", rest)))
    if cjk + 2 * latin < MIN_CJK:
        return Quality(False, "dateline" if dateline else "fragment")
    stripped = s.rstrip()
    if stripped.endswith(_CLAUSE_END) and (len(rest) < SHORT_CLAUSE_CJK or _LIST_STEP.match(s)
                                           or stripped.endswith(("，", ",", "、", "：", ":"))):
        return Quality(False, "fragment")
    if _LIST_STEP.match(s) and len(rest) < SHORT_CLAUSE_CJK:
        return Quality(False, "fragment")
    return Quality(True)


def _assess_latin(s: str) -> Quality:
    if _EN_LABEL.match(s) and len(_WORD.findall(s)) <= 14:
        return Quality(False, "credit")
    if _EN_PROMPT.search(s) and len(_WORD.findall(s)) <= 20:
        return Quality(False, "prompt")
    rest = s
    prefix = _EN_PREFIX.match(rest)
    for _ in range(MAX_PREFIXES):  # bounded: each step copies the rest
        if not prefix or prefix.end() == 0:
            break
        rest = rest[prefix.end():]
        prefix = _EN_PREFIX.match(rest)
    rest = _BRACKETS.sub(" ", rest)
    words = _WORD.findall(rest)
    if len(words) < MIN_WORDS:
        if _EN_BYLINE.match(s):
            return Quality(False, "byline")
        if _TIME.search(s) or _EN_DATELINE.match(s):
            return Quality(False, "dateline")
        return Quality(False, "fragment")
    lower = [w for w in words[1:] if w[0].islower()]
    if not lower:
        return Quality(False, "names")  # no predicate-like word: a byline, a list of names, a heading
    if s.rstrip().endswith(("，", ",", "、", ":", ";")) and len(words) < 8:
        return Quality(False, "fragment")
    return Quality(True)


def is_sentence(text: str) -> bool:
    """Whether ``text`` may be a digest sentence."""
    return assess(text).ok
