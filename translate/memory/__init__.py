"""Translation memory: a persistent cache of sentence translations (SQLite, stdlib only).

>>> from translate.memory import TranslationMemory
>>> with TranslationMemory() as memory:                                    # doctest: +SKIP
...     hits = memory.get_many(context, sources)        # {original source: (translation, status)}
...     memory.put_many(context, [(source, translation, "ok")])
"""

from __future__ import annotations

from .store import (CacheWarning, Memory, NullMemory, TranslationMemory, context_key, default_memory_path,
                     canonical_source)

__all__ = ["CacheWarning", "Memory", "NullMemory", "TranslationMemory", "context_key", "default_memory_path",
           "canonical_source"]
