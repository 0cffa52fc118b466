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

from .cutting import cut_all
from .digests import METHODS, Digest, Digests, DigestSentence
from .lengths import DEFAULT_LENGTHS, LengthSpec, measure, parse_length
from .ranking import Candidate, Ranked, rank_sentences

if TYPE_CHECKING:
    from .abstractive import AbstractiveModel

WORDS_PER_CJK_CHAR = 0.6   # initial guess for English words per Chinese character, refined as we translate
CHARS_PER_WORD = 6.0


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
        self.where = [(p.index, s.index) for p, s in body]
        self.candidates = [Candidate(k, s.text, s.index == 0) for k, (p, s) in enumerate(body)]
        self.ranked: Ranked = rank_sentences(self.candidates, title_text(doc, kinds))
        full = " ".join(c.text for c in self.candidates)
        self.source_cjk = has_cjk(full)
        self.source_lang = _source_language(owner.translator, full, self.source_cjk)
        self.translating = owner.to != "source" and base(owner.to) != base(self.source_lang)
        self.language = owner.to if self.translating else self.source_lang
        self.english_input = not self.translating and base(self.source_lang) == "en"
        self.unit: Literal["words", "characters"] = "characters" if is_cjk(base(self.language)) else "words"
        self.source_unit: Literal["words", "characters"] = "characters" if self.source_cjk else "words"
        self.total_source = sum(measure(c.text, self.source_unit) for c in self.candidates)
        self.translations: dict[int, str] = {}

    # -- translation, only of what is picked --------------------------------------------------
    def ensure(self, indices: Sequence[int]) -> None:
        missing = sorted({i for i in indices if i not in self.translations})
        if self.translating and missing:
            out = self.owner.translator.translate_sentences([self.candidates[i].text for i in missing])
            self.translations.update(zip(missing, out))

    def prefetch(self, likely: list[int], spec: LengthSpec) -> None:
        """Translate in one batch what a word or character budget will probably pick."""
        if spec.unit in ("words", "characters"):
            self.ensure(likely)

    def output_text(self, i: int) -> str:
        if not self.translating:
            return self.candidates[i].text
        self.ensure([i])
        return self.translations[i]

    # -- measures ------------------------------------------------------------------------------
    def size(self, i: int, spec: LengthSpec) -> float:
        if spec.unit == "sentences":
            return 1
        if spec.unit == "percent":
            return measure(self.candidates[i].text, self.source_unit)
        return measure(self.output_text(i), spec.unit)

    def ratio(self) -> float:
        """English words per source unit, observed on what was translated so far."""
        if not self.translations:
            return WORDS_PER_CJK_CHAR if self.source_cjk else 1.0
        src = sum(measure(self.candidates[i].text, self.source_unit) for i in self.translations)
        tgt = sum(measure(t, "words") for t in self.translations.values())
        return tgt / max(src, 1)

    def estimate(self, i: int, spec: LengthSpec) -> float:
        if not self.translating or spec.unit in ("sentences", "percent") or i in self.translations:
            return self.size(i, spec)
        words = measure(self.candidates[i].text, self.source_unit) * self.ratio()
        return words if spec.unit == "words" else words * CHARS_PER_WORD

    def budget(self, spec: LengthSpec) -> float:
        return spec.amount / 100 * self.total_source if spec.unit == "percent" else spec.amount

    def capacity(self, spec: LengthSpec) -> float:
        """Roughly how many sentences a budget holds (to cut the smallest first)."""
        n = max(len(self.candidates), 1)
        if spec.unit == "sentences":
            return spec.amount
        if spec.unit == "percent":
            return spec.amount / 100 * n
        avg = sum(self.estimate(i, spec) for i in range(len(self.candidates))) / n
        return spec.amount / max(avg, 1e-9)

    def sentence(self, i: int) -> DigestSentence:
        """Candidate ``i`` as a digest sentence (translated if the digest is)."""
        return DigestSentence(i, *self.where[i], round(self.ranked.scores[i], 6), self.candidates[i].text,
                              self.output_text(i) if self.translating else None)

    def window(self, engine: AbstractiveModel) -> list[DigestSentence]:
        """The best-ranked sentences (in English) that fit ``engine``'s input window, in document
        order; translated in small batches, best first, until the window is full."""
        order = list(self.ranked.order)
        chosen: list[int] = []
        used = 0
        for k in range(0, len(order), 8):
            self.ensure(order[k:k + 8])
            for i in order[k:k + 8]:
                cost = engine.count_tokens(self.output_text(i) + " ")
                if used + cost > engine.window - 2:
                    return [self.sentence(i) for i in sorted(chosen)]
                chosen.append(i)
                used += cost
        return [self.sentence(i) for i in sorted(chosen)]

    # -- digests -------------------------------------------------------------------------------
    def digests(self) -> Digests:
        owner = self.owner
        specs = [parse_length(name, self.unit) for name in owner.lengths]
        cuts = cut_all(self.ranked.order, specs, size=self.size, estimate=self.estimate, budget=self.budget,
                       capacity=self.capacity, prefetch=self.prefetch) \
            if self.candidates else {}
        digests = []
        for spec in specs:
            cut = cuts.get(spec)
            picked = cut.selection if cut else ()
            self.ensure(picked)
            sentences = tuple(self.sentence(i) for i in picked)
            achieved = cut.achieved if cut else 0
            if spec.unit == "percent":
                achieved = round(100 * achieved / max(self.total_source, 1), 1)
            digests.append(Digest(spec, sentences, achieved, cut.over_budget if cut else False))
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
                "translated_sentences": sorted(self.translations)}
        if self.translating and self.translations:
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
