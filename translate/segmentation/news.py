"""Repairs of pysbd's English sentence cuts for news text (CNN, Daily Mail and wire-copy shapes).

pysbd never cuts between paired quotes or between a pair of ``--``: in news the dateline's
``(CNN) --`` pairs with an aside's dash, and quotations run over several sentences, so whole
paragraphs became one translation unit. Captions and headers without final punctuation glue to
the sentence after them, and the Daily Mail's ``Det . Insp . Smith`` spacing cuts a title from its
name. The repairs here work on pysbd's cuts and stay linear in the text: regex sweeps, checks in
windows of bounded size, and one more pysbd pass (through the caller's windowed ``resplit``) over
a unit that hid a sentence end.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from itertools import islice
from typing import NamedTuple

MAX_UNIT_WORDS = 60  # a longer unit may hide a sentence end in parentheses too
CAPTION_MAX = 300  # characters: a caption or header is short; checks around a cut look no further
_NEAR = 200  # characters looked at on either side of an opener cut when counting words

# what pysbd pairs and hides sentence ends between: double and slanted quotes, quote-like single
# quotes (not an apostrophe inside a word: "don't", "O'Brien") and ``--``
_HIDERS = re.compile(r"--|[\"“”„«»‘]|(?<![A-Za-z0-9])['’]|['’](?![A-Za-z0-9])")
_HIDERS_AND_BRACKETS = re.compile(_HIDERS.pattern + r"|[()\[\]]")
# a sentence end as pysbd would see it without the pairing: terminators, closers, space, a capital
_HIDDEN_END = re.compile(r"(?<![.!?])[.!?]+[\"'”’»)\]]*\s+[\"'“‘«(\[]*[A-Z0-9]")
_CLOSERS = frozenset("\"'”’»)]")
_LEAD_IN = frozenset("\"'“‘«([-—–")  # skipped when looking at how the next unit starts
_WORD = re.compile(r"\S+")

# A capitalised sentence opener right after an unpunctuated word: "...on Monday Police were called".
# Not "It" (a title as often: "Stephen King's It was...") nor "A" ("vitamin A was", "Plan A is").
_OPENER = re.compile(r"(?<=[A-Za-z0-9%])[ \t]+(The|He|She|They|We|His|Her|Their|Its|This|These|Those|There|An|"
                     r"Police|Officers|Detectives|Firefighters|Rescuers|Witnesses|Neighbours|Neighbors)"
                     r"(?=[ \t]+[a-z])")
_NOUN_OPENERS = frozenset("Police Officers Detectives Firefighters Rescuers Witnesses Neighbours Neighbors".split())
# words after which a capitalised "The", "He"... starts a name or a title, not a sentence
_NOT_BEFORE_OPENER = frozenset("""
a an the and or but nor of in on at to for from by with without into onto upon about as than that which who whom
whose what where when while if because though although so then via per against between among under over after
before during since until near like unlike off out up down is was are were be been being am has have had do does
did will would shall should can could may might must not said says say saying told tells tell asked asks ask
according reported reports wrote writes write read reads reading watched watch watching saw see seen called named
titled entitled dubbed film films movie movies book books novel song songs album show shows series magazine
newspaper paper play musical game band group documentary episode column programme program podcast blog website
site station channel newsletter star starring starred hit sequel remake vitamin type grade plan hepatitis
""".split())
_DATE_WORDS = frozenset("""Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May
June July August September October November December""".split())
# what a caption ends with before a noun opener ("...on Monday night Police were called"): after any other
# word a capitalised "Police" is a noun in its sentence ("The mayor praised Police officers")
_WHEN_WORDS = _DATE_WORDS | frozenset("""today yesterday tonight tomorrow morning afternoon evening night overnight
midnight noon weekend""".split())
_WHEN_NUMBER = re.compile(r"(?:19|20)\d\d|\d{1,2}(?:st|nd|rd|th)|\d{1,2}(?:[:.]\d\d)?(?:am|pm|GMT|BST)|\d{1,2}:\d\d")
_DAY_NUMBER = re.compile(r"\d{1,2}")
_CLOCK = re.compile(r"\d{1,2}(?:[:.]\d\d)?")  # before a spaced "pm"

# Headers: "BREAKING NEWS The bridge...", "READ MORE: WHY IT MATTERS The senator..."
_HEADER = re.compile(r"(?:([A-Z][A-Z'’&\- ]{0,40}?):[ \t]+)?([A-Z0-9][A-Z0-9'’&\-]*(?:[ \t]+[A-Z0-9][A-Z0-9'’&\-]*)*)"
                     r"(?=[ \t]+[A-Z][a-z])")
_HEADER_WORDS = frozenset("""BREAKING NEWS NEW UPDATE UPDATED DEVELOPING STORY LIVE WATCH VIDEO VIDEOS PHOTO PHOTOS
GALLERY READ MORE ALERT URGENT EXCLUSIVE ANALYSIS OPINION RELATED SEE ALSO CLICK HERE LATEST JUST IN""".split())

# Daily Mail spacing: "Det . Insp . John Smith" is one name, not three sentences
_TITLE_SPACE_DOT = re.compile(r"(?<![A-Za-z])(?:Mr|Mrs|Ms|Dr|Det|Insp|Supt|Sgt|Cllr|Rev|Prof|Gen|Col|Lt|Capt|Cpl|"
                              r"Sen|Rep|Gov) \.(?=\s+[A-Z])")


def is_news_language(language: str | None) -> bool:
    """The repairs are English rules (words, capitalisation); no language given means English."""
    return language is None or language.split("-")[0].split("_")[0].lower() == "en"


def repair_cuts(text: str, cuts: list[int], resplit: Callable[[str], list[int]]) -> list[int]:
    """pysbd's ``cuts`` of ``text`` repaired for news: sentence ends hidden by quotes or dashes,
    captions and headers glued to the next sentence, titles cut from their names.

    ``resplit(s)`` returns pysbd's cuts in ``s`` (windowed, so linear). It is called once per run
    of consecutive units that hide a sentence end, with their quotes and ``--`` (and, in a unit
    over ``MAX_UNIT_WORDS`` words, brackets) blanked out: the same length, so the same positions."""
    n = len(text)
    cuts = sorted({c for c in cuts if 0 < c < n})
    cuts = _drop_false_cuts(text, cuts)
    cuts = sorted(set(cuts + _unhide(text, cuts, resplit)))
    bounds = [0, *cuts, n]
    found: list[int] = []
    for a, b in zip(bounds, bounds[1:]):
        found += _header_or_caption(text, a, b)
    cuts = sorted(set(cuts + found))
    return sorted(set(cuts + _opener_cuts(text, cuts)))


def _drop_false_cuts(text: str, cuts: list[int]) -> list[int]:
    """Drop pysbd's cuts after a spaced title's period ("Det . Insp . John Smith") and before a
    comma or semicolon ("Sen. John McCain, R-Ariz., said"): no sentence starts there."""
    wrong = {m.end() for m in _TITLE_SPACE_DOT.finditer(text)} if " ." in text else set()
    for c in cuts:
        j = c
        while j < len(text) and j < c + 20 and text[j].isspace():
            j += 1
        if j < len(text) and text[j] in ",;":
            wrong.add(c)
    return [c for c in cuts if c not in wrong] if wrong else cuts


class _Hiding(NamedTuple):
    """A unit ``text[start:end]`` whose marks (quotes, dashes) from ``first`` to ``last`` hide a sentence end."""

    start: int
    end: int
    first: int
    last: int
    marks: re.Pattern[str]


def _hiding(text: str, a: int, b: int) -> _Hiding | None:
    """The unit ``text[a:b]`` as a ``_Hiding`` when a sentence end lies between two of its marks."""
    first = _HIDERS_AND_BRACKETS.search(text, a, b)  # most units have no mark at all: no word count
    if first is None:
        return None
    marks = _HIDERS_AND_BRACKETS if _longer_than(text, a, b, MAX_UNIT_WORDS) else _HIDERS
    if marks is _HIDERS and (first := marks.search(text, first.start(), b)) is None:
        return None
    last = first.start()
    for m in marks.finditer(text, first.end(), b):
        last = m.start()
    if not _HIDDEN_END.search(text, first.end(), last):
        return None
    return _Hiding(a, b, first.start(), last, marks)


def _unhide(text: str, cuts: list[int], resplit: Callable[[str], list[int]]) -> list[int]:
    """Cuts at the sentence ends that pysbd hid between paired quotes or dashes.

    Each run of consecutive such units goes to pysbd again with their marks blanked; a cut it
    finds is kept when it falls between the first and the last mark of its unit (inside the
    quotation or aside, not at an attribution after it: ``"...?" Bob asked``), is moved past the
    closing quotes right after it, and is dropped when the next sentence starts with a small
    letter (``"This is great." she said``)."""
    bounds = [0, *cuts, len(text)]
    hiding = [h for a, b in zip(bounds, bounds[1:]) if (h := _hiding(text, a, b)) is not None]
    out: list[int] = []
    i = 0
    while i < len(hiding):
        j = i + 1
        while j < len(hiding) and hiding[j].start == hiding[j - 1].end:
            j += 1
        run = hiding[i:j]
        masked = "".join(h.marks.sub(lambda m: " " * len(m.group()), text[h.start:h.end]) for h in run)
        starts = [h.start for h in run]
        for c in resplit(masked):
            h = run[bisect_right(starts, run[0].start + c) - 1]
            cut = _settle(text, run[0].start + c, h.end)
            if cut is not None and h.first < cut <= h.last:
                out.append(cut)
        i = j
    return out


def _longer_than(text: str, a: int, b: int, words: int) -> bool:
    """Whether ``text[a:b]`` holds more than ``words`` words (counting no further)."""
    return sum(1 for _ in islice(_WORD.finditer(text, a, b), words + 1)) > words


def _settle(text: str, cut: int, end: int) -> int | None:
    """``cut`` moved past the closing quotes right after it, or None when the text after it goes
    on in small letters (an attribution, "he said", or no sentence end at all)."""
    stop = min(end, cut + 20)
    while cut < stop and text[cut] in _CLOSERS:
        cut += 1
    j, stop = cut, min(end, cut + 20)
    while j < stop and (text[j].isspace() or text[j] in _LEAD_IN):
        j += 1
    if j >= end or text[j].islower():
        return None
    return cut


def _header_or_caption(text: str, a: int, b: int) -> list[int]:
    """A cut after a header ("BREAKING NEWS", "READ MORE: WHY IT MATTERS") or after a caption
    that the next sentence repeats ("Police were called to Police were called to the house...")
    at the start of unit ``text[a:b]``."""
    s = a
    while s < b and text[s].isspace():
        s += 1
    window = min(b, s + CAPTION_MAX)
    m = _HEADER.match(text, s, window)
    if m is not None:
        words = m.group(2).split()
        if (m.group(1) is not None and len(words) >= 2) or all(w in _HEADER_WORDS for w in words):
            return [m.end()]
    key = _WORD.match(text, s, window)
    if key is None or not key.group()[0].isupper():
        return []
    first_words = list(islice(_WORD.finditer(text, s, window), 3))
    if len(first_words) < 3:
        return []
    lead = text[s:first_words[-1].end()]
    p = text.find(lead, first_words[-1].end(), window)
    for _ in range(20):  # a few tries: a caption's repeat comes right after it
        if p < 0:
            break
        caption = text[s:p].rstrip().rstrip(".…").rstrip()
        if text[p - 1].isspace() and text.startswith(caption, p) and p + len(caption) < b:
            return [p]
        p = text.find(lead, p + 1, window)
    return []


def _opener_cuts(text: str, cuts: list[int]) -> list[int]:
    """Cuts before a capitalised sentence opener that follows an unpunctuated word, as when a
    caption or a header lost its full stop: "Police at the scene on Monday Police were called...".
    Both sides need three words (in ``_NEAR`` characters); a name or title is left alone by the
    word before it ("said The Times", "the novel The road") or the capital after it ("The Killers"). A noun
    opener ("Police") starts a sentence only after a caption's date or time: elsewhere it is a capitalised
    noun in its sentence ("The mayor praised Police officers")."""
    out: list[int] = []
    for m in _OPENER.finditer(text):
        cut = m.start()
        i = bisect_right(cuts, cut)
        start = max(cuts[i - 1] if i else 0, out[-1] if out else 0)
        j = bisect_left(cuts, m.end())
        end = cuts[j] if j < len(cuts) else len(text)
        space = text.rfind(" ", max(start, cut - 40), cut)
        prev = text[max(space + 1, start, cut - 40):cut].lstrip("\t")
        if not prev or prev.lower() in _NOT_BEFORE_OPENER:
            continue
        if m.group(1) in _NOUN_OPENERS and (not _is_when(text, max(start, cut - 40), cut - len(prev), prev)
                                            or _introduces(text, start, cut)):
            continue  # "Metropolitan Police said", "praised Police officers": a noun, unless a caption's date ends
        left = _WORD.finditer(text, max(start, cut - _NEAR), cut)
        right = _WORD.finditer(text, m.start(1), min(end, m.start(1) + _NEAR))
        if sum(1 for _ in islice(left, 3)) == 3 and sum(1 for _ in islice(right, 3)) == 3:
            out.append(cut)
    return out


_INTRODUCERS = frozenset("""in at on during after before since by around about shortly early late last this
until from following within""".split())


def _introduces(text: str, start: int, cut: int) -> bool:
    """Whether the words before ``cut`` open the sentence with a time phrase ("In the summer of 2019
    Police arrested…", "Shortly after midnight Police…"): the start of one sentence, not a caption."""
    first = _WORD.search(text, start, cut)
    return first is not None and first.group().lower().strip("\"'“‘(") in _INTRODUCERS


def _is_when(text: str, start: int, at: int, word: str) -> bool:
    """Whether ``word`` (at ``text[at]``) ends a date or time, as a caption does before a noun opener:
    a day, month or time word, a year, "5pm", "10:30", "5th", "5 pm", or a day number after a month ("May 5")."""
    if word in _WHEN_WORDS or word.lower() in _WHEN_WORDS or _WHEN_NUMBER.fullmatch(word):
        return True
    before = text[start:at].rstrip(" \t").rsplit(" ", 1)[-1].lstrip("\t")
    if word.lower() in ("am", "pm", "gmt", "bst"):
        return bool(_CLOCK.fullmatch(before))
    return bool(_DAY_NUMBER.fullmatch(word)) and before in _DATE_WORDS  # not "praised 200 Police officers"
