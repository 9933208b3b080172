"""A local check of Telegram's HTML before anything is sent (the staff preview then lets Telegram itself judge)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# https://core.telegram.org/bots/api#html-style: these tags, and only these attributes on them.
TAGS = {"b": (), "strong": (), "i": (), "em": (), "u": (), "ins": (), "s": (), "strike": (), "del": (),
        "tg-spoiler": (), "span": ("class",), "a": ("href",), "code": ("class",), "pre": (), "blockquote": (
            "expandable",), "tg-emoji": ("emoji-id",)}
ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
MAX_VISIBLE = 4096
_BARE_AMP = re.compile(r"&(?!#?\w+;)")


class _Checker(HTMLParser):
    """Collects the first problem and the visible length."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.problem: str | None = None
        self.visible = 0

    def fail(self, problem: str) -> None:
        """Keep the first problem only."""
        self.problem = self.problem or problem

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TAGS:
            self.fail(f"unsupported tag <{tag}>")
        elif any(name not in TAGS[tag] for name, _ in attrs):
            self.fail(f"unsupported attribute in <{tag}>")
        elif tag == "a" and not dict(attrs).get("href"):
            self.fail("a link without href")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.fail(f"</{tag}> does not close the last open tag")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if any(char in data for char in "<>&"):
            self.fail("a bare <, > or & (write &lt;, &gt; or &amp;)")
        self.visible += len(data)

    def handle_entityref(self, name: str) -> None:
        if name not in ENTITIES:
            self.fail(f"unknown entity &{name};")
        self.visible += 1

    def handle_charref(self, name: str) -> None:
        self.visible += 1


def html_problem(text: str) -> str | None:
    """Why Telegram would refuse this HTML, or None when it looks acceptable."""
    if _BARE_AMP.search(text):
        return "a bare & (write &amp;)"
    checker = _Checker()
    checker.feed(text)
    checker.close()
    if checker.rawdata:
        checker.fail("an unfinished tag")
    if checker.stack and not checker.problem:
        checker.fail(f"<{checker.stack[-1]}> is never closed")
    if not checker.problem and checker.visible > MAX_VISIBLE:
        checker.fail(f"longer than {MAX_VISIBLE} characters")
    if not checker.problem and not text.strip():
        checker.fail("empty")
    return checker.problem
