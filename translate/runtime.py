"""Where models run: devices and CPU threads, chosen the same way for every torch model.

Thread policy (measured in ``benchmarks/threads.py``): PyTorch's OpenMP workers spin-wait
between parallel regions, which is fast on idle cores and ruinous when the cores are shared with
other busy processes. ``OMP_WAIT_POLICY=PASSIVE`` makes them sleep instead; it is set (unless the
user set it) before torch is first imported, since OpenMP reads it only once.
"""

from __future__ import annotations

import os
import sys

DEVICES = ("auto", "cpu", "cuda")


def default_threads() -> int:
    """CPU threads this process may use (respects affinity masks and containers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def import_torch(threads: int | None = None):
    """``import torch`` with the thread policy above; ``threads`` caps its intra-op threads."""
    if "torch" not in sys.modules:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch

    if threads:
        torch.set_num_threads(threads)
    return torch


def check_device(device: str) -> str:
    """Validate a device name (``auto``, ``cpu``, ``cuda`` or ``cuda:N``) without importing anything."""
    from .errors import UsageError

    kind, _, index = device.partition(":")
    if kind not in DEVICES or (index and (kind != "cuda" or not index.isdigit())):
        raise UsageError(f"unknown device '{device}' (choose from {', '.join(DEVICES)}, or cuda:N)", option="device")
    return device


def pick_device(device: str) -> str:
    """``auto`` → ``cuda`` when torch sees a CUDA device, else ``cpu``; ``cuda`` without one is an error."""
    from .errors import UsageError

    check_device(device)
    torch = import_torch()
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise UsageError("CUDA was requested but no CUDA device is available", option="device")
    return device
