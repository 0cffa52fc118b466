"""Chromium for the page tests (the reading page, translate serve's page, the briefing): Debian's
``chromium`` driven by Playwright for Python (never ``playwright install``). Without either the
tests skip, saying why; under CI (``CI`` set) a missing browser fails them instead."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest


def browser_or_skip() -> tuple[Any, str]:
    """(sync_playwright, chromium path), or skip with the reason; under CI a missing one fails."""
    reason = None
    sync_playwright: Any = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "Playwright for Python is not installed (pip install playwright)"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if reason is None and not chromium:
        reason = "no chromium on PATH (apt-get install chromium)"
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {reason}")
        pytest.skip(reason)
    return sync_playwright, str(chromium)


def launched() -> Iterator[Any]:
    """A headless Chromium for a module's tests (the body of a ``browser`` fixture), closed after."""
    sync_playwright, chromium = browser_or_skip()
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()
