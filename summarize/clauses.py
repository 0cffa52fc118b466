"""Clauses of a sentence, and whether a group of them still reads as a sentence.

A digest whose budget is below its best sentence keeps that sentence's best clauses instead of a
whole sentence over budget (``compress.py``); a sentence longer than a digest may quote is split
into clause groups. Clauses end at ，；： (and , ; : -- — in Latin script, not inside numbers
such as 1,000), never inside quotation marks, brackets or 《》. A kept group must hold a predicate
(a verb: jieba's tagger for Chinese, a verb-like word for English), so a digest is never a bare
time or place phrase ("2014年，", "On Monday,").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from translate.languages import CJK_CHARS, chinese_pos_tags

_CJK = re.compile(f"[{CJK_CHARS}]")
_OPEN = "“‘「『《（(【[〔\""
_CLOSE = "”’」』》）)】]〕"
_CJK_ENDS = "，；：,;:"
_LATIN_ENDS = ",;:"
_DASH = re.compile(r"\s(?:--|—|–)\s")
_TERMINATORS = tuple("。！？!?….")
_CLOSERS = "\"'”’」』）)"
_SUBORDINATE = frozenset("""who whom whose which that where when while although though because if unless as after before
since until saying adding according including despite""".split())
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
MAX_CLAUSES = 14  # a sentence with more clauses is compressed over contiguous runs of them only

# Verb-like English words: auxiliaries, modals and the verbs news leans on (a clause without one of
# these or an -ed/-ing form rarely carries a predicate: "On Monday,", "the president of France,").
_EN_VERBS = frozenset("""am is are was were be been being has have had do does did will would can could shall should
may might must said says say told tell tells asked asks added adds warned warns called calls announced announces
made makes make took takes take gave gives give went goes go came comes come got gets get found finds find saw
sees see knew knows know thought thinks think showed shows show won wins win lost loses lose left leaves leave
hit hits kill kills killed die dies died ran runs run put puts set sets cut cuts let lets hold holds held keep
keeps kept become becomes became seems seem seemed remains remain want wants need needs needed plans plan
expects expect believes believe rose rises rise fell falls fall grew grows grow began begins begin
brought brings bring built builds build bought buys buy caught catches chose choose drew draws drove drives
ate eats fought fights fled flees flew flies forgot gave grew hung heard hears hid hurt kept led leads lent
meant means met meets paid pays quit rang rode sent sends shot shoots shut sold sells sought spent spends
spoke speaks stood stands stole struck swore swept taught teaches tore threw throws understood woke wore
wrote writes won sank sang sat slept spread stuck swam""".split())
_VERB_TAGS = frozenset({"a", "ad", "ag"})  # jieba: verbs are v vd vn vi vg…; adjectives are predicates too ("很高")


@dataclass(frozen=True)
class Clause:
    """One clause of a sentence: its span in the sentence's text (the closing mark included)."""

    start: int
    end: int
    text: str


def split_clauses(text: str) -> list[Clause]:
    """The clauses of one sentence, covering all of it in order (whitespace trimmed)."""
    cjk = bool(_CJK.search(text))
    ends = _CJK_ENDS if cjk else _LATIN_ENDS
    cuts: list[int] = []
    depth = 0
    quote_open = False
    for i, ch in enumerate(text):
        if ch == '"':
            quote_open = not quote_open
            continue
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch in ends and depth == 0 and not quote_open:
            if ch == "," and 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit():
                continue  # 1,000
            cuts.append(i + 1)
    if not cjk:
        cuts += [m.end() - 1 for m in _DASH.finditer(text)]
    clauses: list[Clause] = []
    prev = 0
    for cut in sorted(set(cuts + [len(text)])):
        start, end = prev, cut
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start and any(ch.isalnum() for ch in text[start:end]):
            clauses.append(Clause(start, end, text[start:end]))
        elif end > start and clauses:  # punctuation alone joins the clause before it
            last = clauses[-1]
            clauses[-1] = Clause(last.start, end, text[last.start:end])
        prev = cut
    return clauses


@lru_cache(maxsize=4096)
def has_predicate(text: str) -> bool:
    """Whether a clause (or a group of them) holds a verb-like word, so it can stand as a sentence;
    an English clause opening with a subordinator ("who was…", "adding that…") does not count."""
    if _CJK.search(text):
        return any(tag in _VERB_TAGS or tag.startswith("v") for _, tag in chinese_pos_tags(text))
    words = [w.lower() for w in _WORD.findall(text)]
    if words and words[0] in _SUBORDINATE:
        return False
    return any(w in _EN_VERBS or (len(w) > 4 and w.endswith("ed")) or (len(w) > 5 and w.endswith("ing") and k > 0)
               for k, w in enumerate(words))


def join_clauses(text: str, clauses: Sequence[Clause]) -> str:
    """The kept clauses as one sentence: each keeps its own closing mark, the last ends the sentence
    as the source sentence ends (。 or .), and English starts with a capital letter."""
    cjk = bool(_CJK.search(text))
    core = text.rstrip().rstrip(_CLOSERS)
    final = core[-1] if core and core[-1] in _TERMINATORS and core[-1] != "…" else ("。" if cjk else ".")
    parts = [c.text for c in clauses]
    last = parts[-1].rstrip(_CJK_ENDS + _LATIN_ENDS + " -—–")
    if not last.rstrip(_CLOSERS).endswith(_TERMINATORS):
        last += final
    parts[-1] = last
    out = ("" if cjk else " ").join(parts)
    if not cjk and out[:1].islower():
        out = out[0].upper() + out[1:]
    return out


def group_clauses(clauses: Sequence[Clause]) -> list[tuple[int, ...]]:
    """The clauses (indices) in groups that each hold a predicate: a clause without one (a time, a
    place, a subject before a comma) joins the clause after it, or the group before it at the end —
    what a digest can quote as a sentence of its own when a whole sentence is too much."""
    groups: list[tuple[int, ...]] = []
    pending: list[int] = []
    for k in range(len(clauses)):
        pending.append(k)
        if has_predicate(" ".join(clauses[j].text for j in pending)):
            groups.append(tuple(pending))
            pending = []
    if pending:
        if groups:
            groups[-1] = groups[-1] + tuple(pending)
        else:
            groups.append(tuple(pending))
    return groups
