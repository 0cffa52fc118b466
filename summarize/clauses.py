"""Clauses of a sentence, and whether a group of them still reads as a sentence.

A digest whose budget is below its best sentence keeps that sentence's best clauses instead of a
whole sentence over budget (``compress.py``); a sentence longer than a digest may quote is split
into clause groups. Clauses end at ，；： (and , ; : -- — in Latin script, not inside 1,000, 10:30
or a URL), never inside paired quotation marks, brackets or 《》 (a quotation that ends the sentence
splits inside and stays quoted). A kept group must hold a main predicate (a verb: jieba's tagger for
Chinese, a verb-like word outside a subordinate clause for English), so a digest is never a bare
time or place phrase ("2014年，", "On Monday,"); a clause that only introduces the next one (no verb,
"在…中，", or "…表示，" / "…said:" before what was said) is kept only with the clause after it; and a
group never opens with a bare verb ("made landfall…"), a subordinator ("which…") or a conjunction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from translate.languages import CJK_CHARS, chinese_pos_tags
from translate.segmentation.sentences import spans_between

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
# "…表示，" / "…said:": a clause that announces what follows needs it
_CJK_SPEECH = re.compile(r"(?:表示|说|称|指出|认为|透露|获悉|显示|介绍|强调|坦言|报道|宣布|声称|提到|写道|"
                         r"问道|回应|证实|预计|预测|发现|告诉记者|据悉|据了解|据介绍|据报道|分析认为|指)\s*[，,：:]\s*$")
_EN_SPEECH = re.compile(r"\b(?:said|says|say|told|added|adds|warned|stated|announced|insisted|explained|wrote|"
                        r"according to|including|such as)\s*[,:]\s*$", re.IGNORECASE)
# what may open a kept group that is not the sentence's first clause
_EN_SUBJECTS = frozenset("""i you he she it we they this that these those there the a an his her its our their my
your some many most all both each several few no one officials police""".split())
# an adverbial of time or place ("在…中，", "随着…，", "习近平在回信中，"): it frames the clause after it
_CJK_ADVERBIAL = re.compile(r"^(?:在|于|当|随着|对于|关于|为了|根据|按照|通过|经过|由于|因为|如果|虽然|尽管|除了|针对|"
                            r"截至|截止)"
                            r"|(?:在|于|当|自|从)[^，,；;：:]*(?:中|上|下|里|时|后|前|期间|之际|以来|之后|之前|之时|当中)\s*[，,：:]?\s*$")
_CONJUNCTIONS = frozenset("and but or nor so yet then also".split())
_CJK_CONTINUATIONS = ("并", "而", "且", "但", "和", "及", "以及", "或", "则", "即", "从而", "进而")

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
    """The clauses of one sentence, covering all of it in order (whitespace trimmed). An ASCII , ; :
    ends a clause only before a space, the end or a CJK character (never inside 10:30, 1,000 or a
    URL); an unbalanced quotation mark or bracket protects nothing."""
    cjk = bool(_CJK.search(text))
    ends = _CJK_ENDS if cjk else _LATIN_ENDS
    protective = _balanced_pairs(text)
    cuts: list[int] = []
    depth = 0
    quote_open = False
    outer = _outer_quote(text)  # a sentence that is one quotation splits inside it
    for i, ch in enumerate(text):
        if i in outer or ch not in ends and ch not in protective:
            continue
        if ch == '"':
            quote_open = not quote_open
        elif ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and not quote_open:
            if ch in _LATIN_ENDS and i + 1 < len(text) and not (text[i + 1].isspace() or _CJK.match(text, i + 1)):
                continue  # 10:30, 1,000, http://, a,b
            cuts.append(i + 1)
    if not cjk:
        cuts += [m.end() - 1 for m in _DASH.finditer(text)]
    clauses: list[Clause] = []
    for start, end in spans_between(text, cuts):
        if any(ch.isalnum() for ch in text[start:end]) or not clauses:
            clauses.append(Clause(start, end, text[start:end]))
        else:  # punctuation alone joins the clause before it
            last = clauses[-1]
            clauses[-1] = Clause(last.start, end, text[last.start:end])
    return clauses


_PAIRS = {"“": "”", "「": "」", "『": "』", "‘": "’", '"': '"'}


def _balanced_pairs(text: str) -> frozenset[str]:
    """The quotation marks and brackets that come in pairs in ``text`` (an unclosed “ or ( must not
    keep the rest of a long sentence from being split)."""
    marks: set[str] = set()
    for opener, closer in zip(_OPEN, "”’」』》）)】]〕\""):
        if (text.count(opener) % 2 == 0) if opener == closer else (text.count(opener) == text.count(closer)):
            marks.update((opener, closer))
    return frozenset(marks)


def _outer_quote(text: str) -> tuple[int, ...]:
    """The positions of a quotation mark pair that runs to the end of the sentence (after it only
    its final punctuation) and opens it or follows its first colon ("他说：“…”"), or ()."""
    end = len(text.rstrip()) - 1
    while end > 0 and text[end] in "。！？!?.…":
        end -= 1
    if end <= 0:
        return ()
    starts = [len(text) - len(text.lstrip())]
    colon = min((i for i in (text.find("："), text.find(":")) if i >= 0), default=-1)
    if colon >= 0:
        starts.append(colon + 1 + len(text[colon + 1:]) - len(text[colon + 1:].lstrip()))
    for start in starts:
        if start < end and text[start] in _PAIRS and text[end] == _PAIRS[text[start]] and \
                text.count(text[start], start, end + 1) == (2 if text[end] == text[start] else 1):
            return (start, end)
    return ()


def _balanced(out: str) -> tuple[str, int]:
    """Quotation marks closed (or opened) when the kept clauses took only one of a pair; and how
    many characters were put in front."""
    front = 0
    for opener, closer in _PAIRS.items():
        if opener == closer:
            if out.count(opener) % 2:
                if out.startswith(opener):
                    out += closer
                else:
                    out, front = opener + out, front + 1
        elif out.count(opener) > out.count(closer):
            out += closer
        elif out.count(closer) > out.count(opener):
            out, front = opener + out, front + 1
    return out, front


VERB_SCAN = 400  # characters of a clause searched for a verb (a longer clause has one early, or is not prose)


def _verb_like(word: str, position: int) -> bool:
    """An English word that reads as a verb: an auxiliary or common verb, or an -ed/-ing form."""
    return word in _EN_VERBS or (len(word) > 4 and word.endswith("ed")) or \
        (len(word) > 5 and word.endswith("ing") and position > 0)


def has_verb(text: str) -> bool:
    """Whether a clause holds a verb-like word (jieba's verb or adjective tags for Chinese; for
    English an auxiliary, a common verb, an -ed/-ing form, or an -s form after a name or a
    pronoun: "Biden hosts"). Only the first ``VERB_SCAN`` characters are searched."""
    return _has_verb(text[:VERB_SCAN])


@lru_cache(maxsize=4096)
def _has_verb(text: str) -> bool:
    if _CJK.search(text):
        return any(tag in _VERB_TAGS or tag.startswith("v") for _, tag in chinese_pos_tags(text))
    words = _WORD.findall(text)
    for k, word in enumerate(words):
        lower = word.lower()
        if _verb_like(lower, k):
            return True
        if k and word.islower() and len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")) \
                and (words[k - 1][0].isupper() and k > 1 or words[k - 1].lower() in ("he", "she", "it")):
            return True
    return False


def has_predicate(text: str) -> bool:
    """Whether a clause can carry a sentence: a verb, and not a subordinate clause ("who was…",
    "adding that…", "在回信中，"), which leans on a main clause."""
    if _CJK.search(text):
        if _CJK_ADVERBIAL.search(text.strip().lstrip("“\"'‘（(")):
            return False
    else:
        words = _WORD.findall(text)
        if words and words[0].lower() in _SUBORDINATE:
            return False
    return has_verb(text)


def join_clauses(text: str, clauses: Sequence[Clause]) -> str:
    """The kept clauses as one sentence (see :func:`aligned`)."""
    return aligned(text, clauses)[0]


def aligned(text: str, clauses: Sequence[Clause]) -> tuple[str, tuple[tuple[int, int, int], ...]]:
    """The kept clauses as one sentence, and where each piece of it comes from: ``(start in the
    result, start in text, length)``. Each clause keeps its own closing mark except the last, which
    ends as the source sentence ends (。 or .); English starts with a capital letter (not a word
    like "iPhone", already capitalised inside)."""
    cjk = bool(_CJK.search(text))
    core = text.rstrip().rstrip(_CLOSERS)
    final = core[-1] if core and core[-1] in _TERMINATORS and core[-1] != "…" else ("。" if cjk else ".")
    sep = "" if cjk else " "
    parts = [c.text for c in clauses]
    trimmed = parts[-1].rstrip(_CJK_ENDS + _LATIN_ENDS + " -—–")
    parts[-1] = trimmed
    segments, cursor = [], 0
    for clause, part in zip(clauses, parts):
        if part:
            segments.append((cursor, clause.start, len(part)))
        cursor += len(part) + len(sep)
    out = sep.join(parts)
    if not trimmed.rstrip(_CLOSERS).endswith(_TERMINATORS):
        out += final
    first = _WORD.match(out)
    if not cjk and out[:1].islower() and len(out[0].upper()) == 1 and \
            not (first and any(ch.isupper() for ch in first.group()[1:])):  # not "iPhone", not "ß" → "SS"
        out = out[0].upper() + out[1:]
    out, front = _balanced(out)
    outer = _outer_quote(text)
    if outer and outer[0] == len(text) - len(text.lstrip()):  # a part of a quoted sentence is still quoted
        opener, closer = text[outer[0]], text[outer[1]]
        if not out.startswith(opener):
            out, front = opener + out, front + 1
        if not out.endswith(closer):
            out += closer
    return out, tuple((start + front, source, length) for start, source, length in segments)


def needs_next(text: str) -> bool:
    """Whether a clause only introduces the one after it: no verb at all (a time, a place, a
    subject), or a speech verb announcing what follows ("…表示，", "…said:")."""
    if _CJK.search(text):
        return not has_verb(text) or bool(_CJK_SPEECH.search(text) or _CJK_ADVERBIAL.search(text.strip()))
    return not has_verb(text) or bool(_EN_SPEECH.search(text))


def can_open(text: str, first: bool) -> bool:
    """Whether a kept group may start with this clause: the sentence's first clause always; another
    one when it does not continue the one before ("并…", "and…") and, in English, opens with a
    subject (a pronoun, a determiner, a name), not a bare verb ("made landfall…")."""
    if first:
        return True
    stripped = text.lstrip("“\"'‘（( ")
    if not stripped:
        return False
    if _CJK.search(stripped):
        return not stripped.startswith(_CJK_CONTINUATIONS)
    words = _WORD.findall(stripped)
    if not words:
        return False
    word = words[0].lower()
    if word in _EN_SUBJECTS:
        return True
    return word not in _SUBORDINATE | _CONJUNCTIONS and not _verb_like(word, 0)


def group_clauses(clauses: Sequence[Clause]) -> list[tuple[int, ...]]:
    """The clauses (indices) in groups that each can stand as a sentence: a group ends after a
    clause only where it holds a main predicate, that clause does not need the next one (a time, a
    place, "…表示，") and the next can open a sentence ("which…", "并…" continue the group before).
    Linear: each clause is judged once."""
    groups: list[tuple[int, ...]] = []
    current: list[int] = []
    main = False
    for k, clause in enumerate(clauses):
        if current and main and not needs_next(clauses[k - 1].text) and can_open(clause.text, False):
            groups.append(tuple(current))
            current, main = [], False
        current.append(k)
        main = main or has_predicate(clause.text)
    if current:
        if groups and not main:  # a tail without a main predicate ("…, In Paris and Rome.") is no sentence
            groups[-1] = groups[-1] + tuple(current)
        else:
            groups.append(tuple(current))
    return groups
