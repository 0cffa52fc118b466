"""Build MarianMT models offline: real sentencepiece tokenizers, Marian layout, random weights.

Used by the benchmarks (a random model with exactly the opus-mt-zh-en shape) and by the test
suite (tiny random models, the toy model). Importing it changes nothing in the environment and
touches no network; building imports torch, transformers and sentencepiece.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

EOS, UNK, PAD = "</s>", "<unk>", "<pad>"

# English lines to train target-side tokenizers on (the source side trains on the seed article).
ENGLISH = """The customs office reported a record number of inspections this year.
Officials said the new rules would speed up trade across the border.
Trains now run directly from the border town to the capital of Laos.
Staff at the mountain pass work in thin air and bitter cold.
The letter praised their loyalty and encouraged them to serve the people.
Exports of machinery and electronics grew faster than expected.
Inspectors use new technology to check luggage at the airport.
The director promised to improve efficiency and protect national security.""".splitlines()


@dataclass(frozen=True)
class Shape:
    """Architecture of a Marian model (defaults: tiny, for tests)."""

    d_model: int = 32
    layers: int = 1
    heads: int = 2
    ffn: int = 64
    vocab_size: int | None = None  # pad the joint vocab up to this size (opus-mt-zh-en: 65001)
    max_positions: int = 512


OPUS_MT_ZH_EN = Shape(d_model=512, layers=6, heads=8, ffn=2048, vocab_size=65001, max_positions=512)


def train_spm(lines: Iterable[str], prefix: Path, vocab_size: int, model_type: str = "unigram") -> Path:
    """Train a sentencepiece model on ``lines`` and write it to ``prefix.spm``."""
    import sentencepiece as spm

    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(list(lines)),
        model_writer=buf,
        vocab_size=vocab_size,
        model_type=model_type,
        character_coverage=1.0,
        hard_vocab_limit=False,
        bos_id=-1,
        eos_id=1,
        unk_id=0,
        pad_id=-1,
        num_threads=1,
        minloglevel=2,
    )
    path = prefix.with_suffix(".spm")
    path.write_bytes(buf.getvalue())
    return path


def write_tokenizer(folder: Path, source_lines: list[str], target_lines: list[str],
                    src_vocab: int, tgt_vocab: int, src_type: str = "unigram",
                    tgt_type: str = "unigram", pad_to: int | None = None) -> dict[str, int]:
    """Write source.spm, target.spm, a joint vocab.json (Marian layout) and tokenizer_config.json."""
    import sentencepiece as spm

    folder.mkdir(parents=True, exist_ok=True)
    paths = [train_spm(source_lines, folder / "source", src_vocab, src_type),
             train_spm(target_lines, folder / "target", tgt_vocab, tgt_type)]
    vocab: dict[str, int] = {EOS: 0, UNK: 1}
    for path in paths:
        sp = spm.SentencePieceProcessor(model_file=str(path))
        for i in range(sp.get_piece_size()):
            piece = sp.id_to_piece(i)
            if piece not in vocab and not sp.is_control(i) and not sp.is_unknown(i):
                vocab[piece] = len(vocab)
    n = 0
    while pad_to is not None and len(vocab) < pad_to - 1:
        vocab[f"<filler_{n}>"] = len(vocab)
        n += 1
    vocab[PAD] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=0), encoding="utf-8")
    (folder / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "MarianTokenizer", "source_lang": "zh", "target_lang": "en",
        "model_max_length": 512, "separate_vocabs": False,
    }), encoding="utf-8")
    return vocab


def write_model(folder: Path, vocab: dict[str, int], shape: Shape, seed: int = 0,
                num_beams: int = 4, generation: dict | None = None):
    """Write a randomly initialised MarianMTModel (safetensors) with a Marian generation config."""
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel

    torch.manual_seed(seed)
    pad = vocab[PAD]
    config = MarianConfig(
        vocab_size=len(vocab), decoder_vocab_size=len(vocab), d_model=shape.d_model,
        encoder_layers=shape.layers, decoder_layers=shape.layers,
        encoder_attention_heads=shape.heads, decoder_attention_heads=shape.heads,
        encoder_ffn_dim=shape.ffn, decoder_ffn_dim=shape.ffn, activation_function="swish",
        max_position_embeddings=shape.max_positions, scale_embedding=True,
        pad_token_id=pad, decoder_start_token_id=pad, eos_token_id=0, forced_eos_token_id=0,
        dropout=0.1, share_encoder_decoder_embeddings=True, tie_word_embeddings=True,
    )
    model = MarianMTModel(config).eval()
    gen = dict(bad_words_ids=[[pad]], bos_token_id=0, decoder_start_token_id=pad, eos_token_id=0,
               forced_eos_token_id=0, max_length=512, num_beams=num_beams, pad_token_id=pad,
               renormalize_logits=True)
    gen.update(generation or {})
    model.generation_config = GenerationConfig(**gen)
    model.save_pretrained(folder, safe_serialization=True)
    return model


def build_marian(folder: Path, source_lines: list[str], target_lines: list[str], shape: Shape = Shape(),
                 src_vocab: int = 200, tgt_vocab: int = 200, seed: int = 0, **kw) -> Path:
    """Build a complete local Marian model folder, loadable with ``from_pretrained``."""
    folder = Path(folder)
    vocab = write_tokenizer(folder, source_lines, target_lines, src_vocab, tgt_vocab, pad_to=shape.vocab_size)
    write_model(folder, vocab, shape, seed=seed, **kw)
    return folder


def build_bart(folder: Path, lines: list[str], d_model: int = 32, layers: int = 1, window: int = 1024,
               vocab_size: int = 400, seed: int = 0) -> Path:
    """A tiny random BART summarizer with a byte-level BPE tokenizer trained on ``lines``."""
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import BartConfig, BartForConditionalGeneration, BartTokenizer

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(lines, vocab_size=vocab_size, min_frequency=1,
                            special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    bpe.save_model(str(folder))
    tok = BartTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"), model_max_length=window)
    tok.save_pretrained(folder)
    torch.manual_seed(seed)
    config = BartConfig(vocab_size=len(tok), d_model=d_model, encoder_layers=layers, decoder_layers=layers,
                        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=2 * d_model,
                        decoder_ffn_dim=2 * d_model, max_position_embeddings=window, pad_token_id=tok.pad_token_id,
                        bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                        decoder_start_token_id=tok.eos_token_id, forced_eos_token_id=tok.eos_token_id)
    BartForConditionalGeneration(config).eval().save_pretrained(folder, safe_serialization=True)
    return folder
