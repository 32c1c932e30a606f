"""HTML to plain text with the standard library: enough for ticket bodies, no heavy parser."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose content is never text a customer wrote.
_SKIP = {"script", "style", "head", "title", "template", "noscript"}
# Elements that end a line in what the customer saw.
_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
          "pre", "table", "ul", "ol", "hr", "section", "article", "header", "footer"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skipping += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def html_to_text(markup: str) -> str:
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = _SPACES.sub(" ", "".join(parser.parts))
    lines = [line.strip() for line in text.split("\n")]
    # Block ends and starts both break lines; webmail writes one <div> per line, so runs of
    # breaks collapse to one rather than leaving blank lines between every line.
    return _BLANK_LINES.sub("\n", "\n".join(lines)).strip()
