"""The README's screenshot of the reading page: the seed article translated with the toy model,
rendered with ``translate.output.page`` and photographed by headless Chromium at 1280×900.

    python benchmarks/screenshot.py [--out docs/reading-page.png] [--html /tmp/seed.html]
    python benchmarks/screenshot.py --page briefing.html --out docs/briefing-page.png   # any page as is

Needs the Debian ``chromium`` package (or ``--chromium PATH``), a CJK font (``fonts-wqy-microhei``
or ``fonts-noto-cjk``, else the Chinese column shows boxes) and, for the hovered pair, Playwright
for Python (``pip install playwright``; never ``playwright install``: the system browser is used).
Without Playwright it falls back to ``chromium --headless --screenshot``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "customs-reply-zh.txt"
TOY_MODEL = ROOT / "tests" / "toy" / "toy-zh-en"
WIDTH, HEIGHT = 1280, 900

# The seed is plain text: what a web page's metadata would say about it, for the header.
SEED_METADATA = {
    "title": "为强国建设、民族复兴积极贡献力量",
    "sitename": "seeds/customs-reply-zh.txt",
}


def build_page(out_html: Path) -> None:
    """Translate the seed with the toy model through the library and write the page."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from translate import Translator
    from translate.output.page import render_page

    os.chdir(ROOT)  # so that the header shows the model as tests/toy/toy-zh-en, not an absolute path
    doc = Translator(str(TOY_MODEL.relative_to(ROOT)), device="cpu").translate(SEED.read_text(encoding="utf-8"))
    with out_html.open("w", encoding="utf-8") as f:
        for chunk in render_page(doc.paragraphs, doc.info, doc.layout, {**SEED_METADATA, **doc.metadata}):
            f.write(chunk)


def screenshot(html: Path, png: Path, chromium: str) -> None:
    png.parent.mkdir(parents=True, exist_ok=True)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--window-size={WIDTH},{HEIGHT}", f"--screenshot={png}", html.as_uri()],
                       check=True, capture_output=True)
        return
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT}, color_scheme="light")
        page.goto(html.as_uri())
        # Show the alignment: hover the second sentence of the fourth paragraph (one of its
        # counterparts is suspect), so the screenshot has a highlighted pair.
        target = page.locator('.src [data-s="p3-s0"]')
        if target.count():
            target.first.hover()
        page.screenshot(path=str(png), type="png")
        browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "reading-page.png")
    parser.add_argument("--html", type=Path, help="keep the page here (default: a temporary file)")
    parser.add_argument("--page", type=Path, help="photograph this HTML page (e.g. a briefing from summarize FEED "
                        "-f html) instead of translating the seed")
    parser.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser"))
    args = parser.parse_args(argv)
    if not args.chromium:
        print("screenshot.py: no chromium found (apt-get install chromium, or --chromium PATH)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        html = (args.page or args.html or Path(tmp) / "seed.html").resolve()
        args.out = args.out.resolve()
        if args.page is None:
            build_page(html)
        screenshot(html, args.out, args.chromium)
    size = args.out.stat().st_size // 1024
    print(f"{args.out} ({size} KB)")
    if size >= 300:
        print("screenshot.py: over 300 KB, too big for the README", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
