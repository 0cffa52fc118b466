"""The page's elements indexed for finding where each extracted block came from (its line, its
container), in time linear in the page's size."""

from __future__ import annotations

from typing import Any

from .text import key as _key

EXACT_LOOKAHEAD = 400  # elements searched for one whose text is exactly a block's, before containment
LOCATE_WINDOW = 2000  # subtrees searched past the last block's element for the next block's text


class Dom:
    """The page's elements in document order and their whitespace-free text, for locating the
    extracted blocks in the page. The text is one string (``doc``); an element's is the slice
    ``doc[start[i]:stop[i]]``, so memory stays linear however deep the page nests."""

    def __init__(self, root: Any) -> None:
        from lxml import etree

        self.root = root
        body = root.find("body") if root is not None else None
        body = body if body is not None else root
        self.elements: list[Any] = []
        self.start: list[int] = []
        self.stop: list[int] = []
        self.end: list[int] = []  # pre-order index of each element's last descendant
        pieces: list[str] = []
        length = 0
        open_: list[int] = []
        for event, el in etree.iterwalk(body, events=("start", "end")) if body is not None else ():
            if not isinstance(el.tag, str):
                continue
            if event == "start":
                open_.append(len(self.elements))
                self.elements.append(el)
                self.start.append(length)
                self.stop.append(length)
                self.end.append(0)
                piece = _key(el.text or "")
            else:
                i = open_.pop()
                self.stop[i], self.end[i] = length, len(self.elements) - 1
                piece = _key(el.tail or "") if el is not body else ""
            pieces.append(piece)
            length += len(piece)
        self.doc = "".join(pieces)
        self.index = {el: i for i, el in enumerate(self.elements)}
        self.cursor = 0

    def key(self, i: int) -> str:
        return self.doc[self.start[i]:self.stop[i]]

    def holds(self, i: int, key: str) -> bool:
        return self.doc.find(key, self.start[i], self.stop[i]) >= 0

    def locate(self, text: str) -> Any:
        """The deepest element from the cursor on whose text contains ``text`` (its first 40
        non-space characters), or None; the cursor moves to it. Subtrees without the text are
        skipped whole, and at most :data:`LOCATE_WINDOW` are tried, so the search stays linear."""
        whole = _key(text)
        key = whole[:40]
        if not key:
            return None
        for i in range(self.cursor, min(len(self.elements), self.cursor + EXACT_LOOKAHEAD)):
            if self.stop[i] - self.start[i] == len(whole) and self.doc.startswith(whole, self.start[i]):
                while i + 1 <= self.end[i] and self.start[i + 1] == self.start[i] and \
                        self.stop[i + 1] == self.stop[i]:  # a short block (a table cell) is best found whole
                    i += 1
                self.cursor = i
                return self.elements[i]
        found, i, tries = None, self.cursor, 0
        while i < len(self.elements) and (found is None or i <= self.end[found]) and tries < LOCATE_WINDOW:
            tries += found is None
            if self.holds(i, key):
                found, i = i, i + 1  # look deeper, in its children
            else:
                i = self.end[i] + 1  # nothing inside holds it either
        if found is None:
            return None
        self.cursor = found
        return self.elements[found]

    def find_heading(self, title: str) -> Any:
        key = _key(title)
        for el in self.elements:
            if el.tag in ("h1", "h2") and key and (_key(el.text_content()) == key or key in _key(el.text_content())):
                return el
        for el in self.elements:
            if el.tag == "h1":
                return el
        return None
