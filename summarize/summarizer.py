"""The summarizer: read → segment (translate's segmentation) → rank once → cut every length →
translate only the picked sentences → digests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from translate import Translator
from translate.document import BODY_KINDS, Document
from translate.errors import UsageError
from translate.languages import base_language as base
from translate.languages import has_cjk, is_cjk, source_language
from translate.reading import clean_text
from translate.segmentation.paragraphs import looks_like_heading

from .clauses import can_open, group_clauses, has_predicate, needs_next
from .compress import choose_clauses
from .cutting import Pick, cut_all, cut_groups
from .digests import METHODS, Digest, Digests, DigestSentence
from .features import Relevance
from .measures import Picks
from .lengths import DEFAULT_LENGTHS, PRESETS, LengthSpec, parse_length
from .quality import is_sentence
from .prior import Kind, is_short, kind_of, weights_for
from .ranking import Candidate, Ranked, Scores, rank_sentences
from .units import sentence_units

if TYPE_CHECKING:
    from .abstractive import AbstractiveModel

SCORE_WEIGHT = 10.0  # a shortened sentence's ranking score against its clauses' content (tuned on lcsts-dev)
HEADLINE = LengthSpec("headline", 1, "sentences")
GROUPS_NOTE = "a short text: its sentences counted as clause groups"


class AbstractiveNeedsEnglish(UsageError):
    """``method="abstractive"`` with ``to="source"`` on non-English input."""


class Summarizer:
    """Digests of an article at several lengths, from one extractive ranking.

    ``to`` is the digests' language: a code (``en``, ``zh``, ``fr``…) translates only the picked
    sentences into it with ``translator`` (by default a
    :class:`~translate.Translator` built from ``translator_options``: ``model``, ``num_beams``,
    ``load=``...); ``to="source"`` needs no model at all. English input is summarized directly.
    """

    def __init__(self, lengths: Sequence[str] = DEFAULT_LENGTHS, *, to: str = "en",
                 method: Literal["extractive", "abstractive"] = "extractive", translator: Translator | None = None,
                 summary_model: str | AbstractiveModel | None = None, layout: str = "auto",
                 **translator_options: Any) -> None:
        if not to or not to.replace("-", "").replace("_", "").isalpha():
            raise UsageError(f"'{to}' is not a language code (en, zh, zh-Hant, fr...) or 'source'",
                             option="target_language")
        if method not in METHODS:
            raise UsageError(f"unknown method '{method}' (choose from {', '.join(METHODS)})", option="method")
        self.lengths = tuple(dict.fromkeys(lengths)) or DEFAULT_LENGTHS  # a length asked twice is one digest
        for spec in self.lengths:
            parse_length(spec, "words")  # a bad length is an error before any work
        self.to = to
        self.method = method
        self.summary_model = summary_model
        self.layout = layout
        self.translator = translator or Translator(layout=layout, **translator_options)
        self._abstractive: AbstractiveModel | None = None

    @property
    def abstractive_model(self) -> AbstractiveModel:
        """The abstractive summarizer (``summary_model`` may be a name, a folder or a model object)."""
        if self._abstractive is None:
            from .abstractive import DEFAULT_SUMMARY_MODEL, HFSummarizer

            if self.summary_model is None or isinstance(self.summary_model, str):
                load = self.translator.load
                self._abstractive = HFSummarizer(self.summary_model or DEFAULT_SUMMARY_MODEL, device=load.device,
                                                 offline=load.offline, allow_pickle=load.allow_pickle)
            else:
                self._abstractive = self.summary_model
        return self._abstractive

    def summarize(self, text: str | Document) -> Digests:
        """All requested digests of ``text`` (or of a document read by ``translate.sources.read_document``:
        a web page or Markdown, with its paragraphs' kinds); deterministic for the same input and options."""
        from translate.sources.reader import segment_text

        doc = text if isinstance(text, Document) else segment_text(clean_text(text), layout=self.layout).document()
        return _Run(self, doc).digests()


def effective_kinds(doc: Document) -> list[str]:
    """Each paragraph's kind as the digest sees it: a body paragraph that reads as a heading
    (one short unit, no final punctuation, Title Case or followed by a longer paragraph) is a
    heading in every format — web pages and Markdown mark many subtitles as plain paragraphs."""
    paragraphs = doc.paragraphs
    kinds: list[str] = []
    for k, p in enumerate(paragraphs):
        kind = p.kind
        if kind == "body" and len(p.sentences) <= 1:
            following = next((q.text for q in paragraphs[k + 1:] if q.text.strip()), None)
            if looks_like_heading(p.text, following):
                kind = "heading"
        kinds.append(kind)
    return kinds


def title_text(doc: Document, kinds: Sequence[str]) -> str:
    """What the digest's scores take as the title: title and subtitle paragraphs, the headings
    before the first body paragraph (a standfirst), or else the source's own title."""
    parts: list[str] = []
    for p, kind in zip(doc.paragraphs, kinds):
        if kind in BODY_KINDS:
            if parts:
                break
            continue
        if kind in ("title", "subtitle", "heading"):
            parts.append(p.text)
    parts += [p.text for p, kind in zip(doc.paragraphs, kinds) if kind in ("title", "subtitle") and p.text not in parts]
    if not parts and doc.metadata.get("title"):
        parts.append(doc.metadata["title"])
    return " ".join(parts)


class _Run:
    """One summarization of one document (keeps the translation memo for that document)."""

    def __init__(self, owner: Summarizer, doc: Document) -> None:
        self.owner = owner
        kinds = effective_kinds(doc)
        body = [(p, s) for p, kind in zip(doc.paragraphs, kinds) if kind in BODY_KINDS for s in p.sentences]
        if not body:  # headings only: they are all there is
            body = [(p, s) for p in doc.paragraphs for s in p.sentences]
        self.units = [u for p, s in body for u in sentence_units(p.index, s.index, s.text, s.index == 0)]
        self.where = [(u.paragraph, u.sentence) for u in self.units]
        self.candidates = [Candidate(k, u.text, u.opens_paragraph) for k, u in enumerate(self.units)]
        self.title = title_text(doc, kinds)
        self.scores = Scores(self.candidates, self.title)
        self.ranked: Ranked = self.ranking("length")
        full = " ".join(c.text for c in self.candidates)
        self.source_cjk = has_cjk(full)
        self.source_lang = _source_language(owner.translator, full, self.source_cjk)
        self.translating = owner.to != "source" and base(owner.to) != base(self.source_lang)
        self.language = owner.to if self.translating else self.source_lang
        self.english_input = not self.translating and base(self.source_lang) == "en"
        self.unit: Literal["words", "characters"] = "characters" if is_cjk(base(self.language)) else "words"
        self.source_unit: Literal["words", "characters"] = "characters" if self.source_cjk else "words"
        self.picks = Picks([c.text for c in self.candidates], translator=owner.translator if self.translating else None,
                           source_unit=self.source_unit, language=self.language)
        self.relevance = Relevance([c.text for c in self.candidates], self.title)
        self.group_cache: tuple[list[tuple[int, tuple[int, ...]]], tuple[int, ...]] | None = None

    def shorten(self, indices: Sequence[int], room: float, spec: LengthSpec) -> Pick | None:
        """The best of ``indices`` within ``room``: a whole sentence that fits, or a sentence's best
        clauses. Value is content (each clause's TF-IDF cosine to the article and its title, times its
        length) plus the sentence's ranking score; chosen on estimates, then measured, and retried on a
        smaller room when a translation comes out longer than estimated. None: nothing can be shortened."""
        # (a real sentence, fits, value, pick): a real sentence first, then what fits, then the most content
        best: tuple[bool, bool, float, Pick] | None = None
        for i in indices:
            clauses = self.picks.clauses(i)
            sizes = [self.picks.estimate_text(c.text, spec) for c in clauses]
            values = [size * self.relevance.of(c.text) for c, size in zip(clauses, sizes)]
            bonus = SCORE_WEIGHT * self.ranking("length").scores[i]
            option: tuple[bool, bool, float, Pick] | None = None
            if self.picks.size(Pick(i), spec) <= room:
                option = (True, True, sum(values) + bonus, Pick(i))
            else:
                kept = self.fit_clauses(i, sizes, values, room, spec)
                if kept:
                    pick = Pick(i, kept)
                    size = self.picks.size(pick, spec)
                    fits = size <= room
                    option = (is_sentence(self.picks.source_of(pick)), fits,
                              sum(values[k] for k in kept) + bonus if fits else -size, pick)
            if option and (best is None or option[:3] > best[:3]):
                best = option
        return best[3] if best else None

    def fit_clauses(self, i: int, sizes: list[float], values: list[float], room: float,
                    spec: LengthSpec) -> tuple[int, ...]:
        """Sentence ``i``'s clauses to keep within ``room`` (() when no group of them can stand alone).
        Chosen on estimates, then measured: a translation longer than estimated shrinks the room."""
        clauses = self.picks.clauses(i)
        if len(clauses) < 2:
            return ()
        main = [has_predicate(c.text) for c in clauses]
        needs = [needs_next(c.text) for c in clauses]
        opens = [can_open(c.text, k == 0) for k, c in enumerate(clauses)]
        if not any(main):  # no clause reads as a predicate (a list, a caption): the sentence is no better whole
            main, needs = [True] * len(clauses), [False] * len(clauses)
        target = room
        chosen: tuple[int, ...] = ()
        poor: tuple[int, ...] = ()  # the first choice too thin to be a sentence: kept only if nothing better fits
        for _ in range(12):
            previous = chosen
            chosen = choose_clauses(sizes, values, main=main, needs_next=needs, opens=opens, room=target)
            if not chosen or chosen == previous:  # nothing can stand alone, or the smallest group is reached
                break
            whole = len(chosen) == len(clauses)
            if not whole and not is_sentence(self.picks.source_of(Pick(i, chosen))):
                # too little to be a sentence ("分产业看。"): its main clauses cannot carry one alone
                poor = poor or chosen
                main = [m and k not in chosen for k, m in enumerate(main)]
                chosen = ()
                if not any(main):
                    break
                continue
            actual = self.picks.size(Pick(i) if whole else Pick(i, chosen), spec)
            if actual <= room:
                return () if whole else chosen
            # longer than estimated: ask again for less than this choice was estimated at
            target = min(target * room / actual * 0.95, sum(sizes[k] for k in chosen) - 1e-6)
        if poor and (not chosen or self.picks.size(Pick(i, poor), spec) <= room):
            return poor
        return () if len(chosen) == len(clauses) else chosen

    def ranking(self, kind: Kind) -> Ranked:
        """The candidates ranked with the lead prior learned for this budget kind and article length."""
        return self.scores.rank(weights_for(kind, len(self.candidates) - len(self.scores.excluded)))

    def order(self, spec: LengthSpec) -> tuple[int, ...]:
        return self.ranking(kind_of(spec)).order

    def in_groups(self, spec: LengthSpec) -> bool:
        """Whether a sentence-count digest counts clause groups: for a short text (a post, a
        one-sentence text: ``prior.is_short``), whatever the count, so that more sentences asked
        never gives less; and only when it has more groups than sentences."""
        n = len(self.order(spec))
        return spec.unit == "sentences" and is_short(n) and len(self.groups()[0]) > n

    def groups(self) -> tuple[list[tuple[int, tuple[int, ...]]], tuple[int, ...]]:
        """The ranked sentences' clause groups (sentence, clause indices), and their ranking."""
        if self.group_cache is None:
            picks = self.picks
            groups = [(i, g) for i in sorted(self.ranking("sentences").order) for g in group_clauses(picks.clauses(i))]
            texts = [picks.source_of(Pick(i, g) if len(g) < len(picks.clauses(i)) else Pick(i)) for i, g in groups]
            ranked = rank_sentences([Candidate(k, t, g[0] == 0) for k, (t, (_, g)) in enumerate(zip(texts, groups))],
                                    self.title, weights_for("sentences", len(groups)))
            self.group_cache = (groups, ranked.order)
        return self.group_cache

    def below(self, spec: LengthSpec) -> LengthSpec | None:
        """The rung a length is cut from: the largest smaller preset of its unit, else the headline."""
        if spec.unit == "sentences":
            return HEADLINE if spec.amount > 1 else None
        if spec.unit == "percent":
            return HEADLINE
        smaller = [p for p in (parse_length(name, self.unit) for name in PRESETS)
                   if p.unit == spec.unit and p.amount < spec.amount]
        return max(smaller, key=lambda p: p.amount) if smaller else HEADLINE

    def kept_spans(self, pick: Pick) -> tuple[tuple[int, int], ...]:
        """The character spans of the source sentence a pick keeps (() = all of it)."""
        return self.units[pick.index].sentence_spans(self.picks.quoted(pick))

    def sentence(self, pick: Pick | int, kind: Kind = "length") -> DigestSentence:
        """A pick as a digest sentence (translated if the digest is), with its score under ``kind``'s ranking."""
        if isinstance(pick, int):
            pick = Pick(pick)
        i = pick.index
        return DigestSentence(i, *self.where[i], round(self.ranking(kind).scores[i], 6), self.picks.source_of(pick),
                              self.picks.output_of(pick) if self.translating else None, self.kept_spans(pick))

    def window(self, engine: AbstractiveModel) -> list[DigestSentence]:
        """The best-ranked sentences (in English) that fit ``engine``'s input window, in document
        order; translated in small batches, best first, until the window is full."""
        order = list(self.ranked.order)
        chosen: list[int] = []
        used = 0
        for k in range(0, len(order), 8):
            self.picks.ensure(order[k:k + 8])
            for i in order[k:k + 8]:
                cost = engine.count_tokens(self.picks.output_text(i) + " ")
                if used + cost > engine.window - 2:
                    return [self.sentence(i) for i in sorted(chosen)]
                chosen.append(i)
                used += cost
        return [self.sentence(i) for i in sorted(chosen)]

    # -- digests -------------------------------------------------------------------------------
    def digests(self) -> Digests:
        owner = self.owner
        specs = [parse_length(name, self.unit) for name in owner.lengths]
        by_groups = [spec for spec in specs if self.in_groups(spec)]
        cuts = cut_all(self.order, [s for s in specs if s not in by_groups], size=self.picks.size,
                       estimate=self.picks.estimate, budget=self.picks.budget, below=self.below, shorten=self.shorten,
                       prefetch=self.picks.prefetch) if self.candidates else {}
        for spec in by_groups:
            groups, order = self.groups()
            cuts[spec] = cut_groups(order, groups, int(spec.amount))
        digests = []
        for spec in specs:
            cut = cuts.get(spec)
            picked = cut.selection if cut else ()
            self.picks.ensure([p.index for p in picked if not p.clauses])
            sentences = tuple(self.sentence(p, kind_of(spec)) for p in picked)
            achieved = cut.achieved if cut else 0
            if spec.unit == "percent":
                achieved = round(100 * achieved / max(self.picks.total_source, 1), 1)
            note = GROUPS_NOTE if spec in by_groups else None
            digests.append(Digest(spec, sentences, achieved, cut.over_budget if cut else False, note=note))
        if owner.method == "abstractive" and self.candidates:
            from .abstractive import abstract_digests

            if self.language != "en":
                raise AbstractiveNeedsEnglish("abstractive digests are written in English: ask for English digests",
                                              option="to")
            engine = owner.abstractive_model
            digests = abstract_digests(engine, self.window(engine), digests, len(self.candidates))
        info = {"method": owner.method, "to": owner.to, "language": self.language, "unit": self.unit,
                "candidates": len(self.candidates), "redundant": len(self.ranked.redundant),
                "not_sentences": len(self.ranked.excluded),
                "translated_sentences": sorted(self.picks.translations)}
        if self.translating and self.picks.translations:
            info["translation"] = owner.translator.info.header()
        if owner.method == "abstractive":
            engine = owner.abstractive_model
            info["summary_model"] = getattr(engine, "model", type(engine).__name__)
        return Digests(tuple(digests), self.language, self.source_lang, info)


def _source_language(translator: Translator, text: str, cjk: bool) -> str:
    """The article's language: as given, else the translation model's source, else detected."""
    given = translator.load.source_language
    if given != "auto":
        return given
    if translator.load.model:
        lang = source_language(translator.load.model)
        if lang and is_cjk(lang) == cjk:
            return lang
    from translate.detect import detect

    return base(detect(text).language)  # the script (zh-Hans, zh-Hant) does not change a digest


def summarize(text: str | Document, lengths: Sequence[str] = DEFAULT_LENGTHS, **options: Any) -> Digests:
    """Digests of ``text`` in one call; ``options`` are those of :class:`Summarizer`."""
    return Summarizer(lengths, **options).summarize(text)
