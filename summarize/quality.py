"""What can be a digest sentence: a unit with real content, not page debris.

News pages carry units that sentence splitting keeps but no reader would quote: source tags
("（投资者报）", "一财网"), datelines ("新华社北京9月1日电（记者 …）", "PUBLISHED: 14:11 EST"), bylines
("By .", "Margot Peppers ."), editor's notes and credits ("责任编辑：…", "原标题：…", "Photo: …"),
link prompts ("点击查看…", "Click here…"), and fragments of split sentences ("详见，").
They still count for position and centrality (they are part of the article), but are never picked.

The model holds across sites because it looks at form, never at names:

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

MIN_CJK = 8             # CJK content characters a sentence needs once debris is removed
MIN_WORDS = 4           # Latin-script words a sentence needs once debris is removed
MIN_CONTENT_RATIO = 0.5  # letters, digits and CJK characters over all non-space characters
SHORT_CLAUSE_CJK = 16   # a CJK unit ending in a clause mark (；) is a fragment below this many characters

_CJK = re.compile(f"[{CJK_CHARS}]")
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
_NUMBER = r"[0-9０-９一二三四五六七八九十〇零]"

# bracketed asides: （记者 张三）, (Reuters), 【…】, [Photo]
_BRACKETS = re.compile(r"（[^（）]*）|\([^()]*\)|【[^【】]*】|\[[^\[\]]*\]|〔[^〔〕]*〕")
# a dateline opening a unit: 新华社北京9月1日电, 本报讯, 中新网3月5日电, 人民网北京5月6日讯
_CJK_DATELINE_AGENCY = re.compile(r"^\s*\S{0,10}?(?:本报|本刊|本台|本网)\S{0,12}?(?:讯|电)")
_CJK_DATELINE_SIMPLE = re.compile(rf"^\s*[^，。！？；\s]{{0,16}}?{_NUMBER}{{1,2}}\s*月\s*{_NUMBER}{{1,3}}\s*日\s*(?:电|讯)")
# labels of credits and notes: 责任编辑：…, 原标题：…, 来源：…, 图/…, 文｜…
_CJK_LABEL = re.compile(r"^\s*[（(【\[]?\s*(?:责任编辑|责编|编辑|主编|原标题|原题|标题|来源|本文来源|稿件来源|文章来源|出处|作者|"
                        r"记者|通讯员|实习生|摄影|摄像|摄|图|图片|图片来源|配图|视频|文|文字|校对|审核|审校|监制|制作|"
                        r"出品|策划|统筹|翻译|编译|整理|声明|免责声明|版权声明|注|附|相关阅读|延伸阅读|推荐阅读|相关新闻|"
                        r"更多|关键词|标签|热门|扫码|二维码)\s*[：:｜|／/丨]")
# prompts to act on the page: 点击查看…, 扫描二维码…, 关注公众号…, 长按识别…, 下载…
_CJK_PROMPT = re.compile(r"(?:点击|戳|长按|扫描|扫一扫|扫码)\s*(?:查看|阅读|进入|下载|关注|链接|这里|此处|图片|识别|二维码|收听|观看|播放|"
                         r"订阅|原文|左下角|右上角|下方|上方|“|\")|(?:详见|见)\s*[：:，,]?\s*$|关注\s*(?:我们|微信|公众号)|"
                         r"(?:未经|严禁)\S{0,6}(?:授权|许可)\S{0,6}(?:转载|使用)")
# Latin-script debris at the start of a unit
_EN_PREFIX = re.compile(
    r"^\s*(?:(?:By|Posted by|Written by|Reported by|Words by)(?:\s+(?:[A-Z][\w'’.-]*|and|&|,|de|van|von|da))*\s*(?:[.|]\s*|$)"
    r"|(?:PUBLISHED|UPDATED|Published|Updated|Last updated|Posted|Created|Modified)\s*(?::|\bat\b|\bon\b)[^.]*?(?:\.\s|\.?$)"
    r"|[A-Z][A-Z .,'-]{2,40}\s*(?:\([^)]{1,30}\))?\s*(?:--|—|–|-)\s+|\([A-Z][\w .]{1,20}\)\s*(?:--|—|–|-)?\s*)")
_EN_LABEL = re.compile(r"^\s*(?:Photo|Photos|Picture|Pictures|Image|Images|Video|Graphic|Source|Sources|Credit|Credits|"
                       r"Editing|Edited|Reporting|Additional reporting|Writing|Compiled|Contact|Email|E-mail|Follow|Tags?|"
                       r"Related|Read more|See also|More|Copyright|Image copyright|Image caption|Media caption|Caption|"
                       r"Getty Images|AP Photo|Reuters|AFP)\b\s*(?:by\b)?\s*[:|/-]?")
_EN_PROMPT = re.compile(r"\b(?:click here|click to|scroll down|read more|sign up|subscribe|follow us|share this|"
                        r"watch the video|media playback|is not supported on (?:this|your) device|download the app|"
                        r"all rights reserved|this material may not be published)\b", re.IGNORECASE)
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
    if _CJK_PROMPT.search(s) and len(s) < 60:
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
    while prefix and prefix.end() > 0:
        rest = rest[prefix.end():]
        prefix = _EN_PREFIX.match(rest)
    rest = _BRACKETS.sub(" ", rest)
    words = _WORD.findall(rest)
    if len(words) < MIN_WORDS:
        if re.match(r"^\s*By\b", s):
            return Quality(False, "byline")
        if _TIME.search(s) or re.match(r"^\s*(?:PUBLISHED|UPDATED|Published|Updated|Last updated)", s):
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
