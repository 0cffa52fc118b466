"""Which clauses of a sentence to keep when the whole sentence is over a digest's budget.

The kept clauses (in order) must read as a sentence: one of them carries a main predicate
(``main``), the first one may open a sentence (``opens``), and a clause that only introduces the
next one (``needs_next``: no verb, or "…表示，") is kept only with the clause after it.
Among the groups that fit the room, the one with the most value wins: every subset for a sentence
of up to ``MAX_SUBSET_CLAUSES`` clauses, contiguous runs (linear, two pointers) for longer ones.
When no group fits, the smallest valid run is kept: over budget by that one clause group at most.
"""

from __future__ import annotations

from collections.abc import Sequence

MAX_SUBSET_CLAUSES = 12  # 4,096 subsets; a sentence with more clauses keeps a contiguous run of them


def choose_clauses(sizes: Sequence[float], values: Sequence[float], *, main: Sequence[bool],
                   needs_next: Sequence[bool], opens: Sequence[bool], room: float) -> tuple[int, ...]:
    """The clause indices to keep (ascending), or () when no group of them can stand as a sentence."""
    n = len(sizes)
    if not n or not any(main):
        return ()
    best = _subsets(sizes, values, main, needs_next, opens, room) if n <= MAX_SUBSET_CLAUSES else \
        _runs(sizes, values, main, needs_next, opens, room)
    return best if best else _smallest_run(sizes, values, main, needs_next, opens)


def _subsets(sizes: Sequence[float], values: Sequence[float], main: Sequence[bool], needs_next: Sequence[bool],
             opens: Sequence[bool], room: float) -> tuple[int, ...]:
    n = len(sizes)
    need = sum(1 << k for k in range(n) if needs_next[k])
    mains = sum(1 << k for k in range(n) if main[k])
    total_size = [0.0] * (1 << n)
    total_value = [0.0] * (1 << n)
    best_mask, best_value = 0, -1.0
    for mask in range(1, 1 << n):
        low = (mask & -mask).bit_length() - 1
        rest = mask & (mask - 1)
        total_size[mask] = total_size[rest] + sizes[low]
        total_value[mask] = total_value[rest] + values[low]
        if total_size[mask] > room + 1e-9 or not opens[low] or not mask & mains or ((mask & need) << 1) & ~mask:
            continue
        if total_value[mask] > best_value + 1e-12:  # ties: the earlier mask (earlier, fewer clauses)
            best_mask, best_value = mask, total_value[mask]
    return tuple(k for k in range(n) if best_mask >> k & 1)


def _runs(sizes: Sequence[float], values: Sequence[float], main: Sequence[bool], needs_next: Sequence[bool],
          opens: Sequence[bool], room: float) -> tuple[int, ...]:
    """The best contiguous run within ``room`` (values are never negative, so the longest valid end wins)."""
    n = len(sizes)
    next_main = _next(main)
    last_end = [-1] * n  # the last index <= k that may end a run
    for k in range(n):
        last_end[k] = k if not needs_next[k] else (last_end[k - 1] if k else -1)
    prefix_size, prefix_value = [0.0], [0.0]
    for s, v in zip(sizes, values):
        prefix_size.append(prefix_size[-1] + s)
        prefix_value.append(prefix_value[-1] + v)
    best: tuple[float, int, int] | None = None
    end = 0
    for start in range(n):
        end = max(end, start)
        while end < n and prefix_size[end + 1] - prefix_size[start] <= room + 1e-9:
            end += 1
        if not opens[start] or end == start:
            continue
        stop = last_end[end - 1]
        if stop < start or next_main[start] > stop:
            continue
        value = prefix_value[stop + 1] - prefix_value[start]
        if best is None or value > best[0] + 1e-12:
            best = (value, start, stop)
    return tuple(range(best[1], best[2] + 1)) if best else ()


def _smallest_run(sizes: Sequence[float], values: Sequence[float], main: Sequence[bool], needs_next: Sequence[bool],
                  opens: Sequence[bool]) -> tuple[int, ...]:
    """The smallest contiguous run that can stand as a sentence (nothing fits: the least overshoot)."""
    n = len(sizes)
    next_end = _next([not need for need in needs_next])  # the first index >= k that may end a run
    next_main = _next(main)
    prefix, prefix_value = [0.0], [0.0]
    for s, v in zip(sizes, values):
        prefix.append(prefix[-1] + s)
        prefix_value.append(prefix_value[-1] + v)
    best: tuple[float, float, int, int] | None = None
    for start in range(n):
        if not opens[start] or next_main[start] >= n:
            continue
        stop = next_end[next_main[start]]
        if stop >= n:
            continue
        candidate = (prefix[stop + 1] - prefix[start], prefix_value[start] - prefix_value[stop + 1], start, stop)
        if best is None or candidate < best:
            best = candidate
    return tuple(range(best[2], best[3] + 1)) if best else ()


def _next(flags: Sequence[bool]) -> list[int]:
    """For each index, the first index at or after it whose flag is set (``len(flags)`` if none)."""
    n = len(flags)
    out = [n] * (n + 1)
    for k in range(n - 1, -1, -1):
        out[k] = k if flags[k] else out[k + 1]
    return out
