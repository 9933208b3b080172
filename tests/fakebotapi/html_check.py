"""Telegram-flavoured HTML parser: validates like the Bot API and returns plain text plus entities.

It follows tdlib's ``parse_html`` (td/telegram/MessageEntity.cpp), so the error texts are
Telegram's. One deliberate extra: in ``strict`` mode a bare ``&`` or ``>`` is refused. The Bot
API docs say both must be escaped, but Telegram itself renders them literally; strict mode
catches bots that forget to escape user or model text before it contains a ``<``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SUPPORTED_TAGS = frozenset("a b strong i em s strike del u ins tg-spoiler tg-emoji span pre code blockquote".split())
_SIMPLE_KINDS = {"bold": "b strong", "italic": "i em", "underline": "u ins", "strikethrough": "s strike del"}
_SIMPLE_TYPES = {tag: kind for kind, tags in _SIMPLE_KINDS.items() for tag in tags.split()} | {"tg-spoiler": "spoiler"}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACE = " \t\n\r\f\v"
_USER_LINK = re.compile(r"tg://user\?id=(\d+)$", re.IGNORECASE)


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; str(err) is the part after "can't parse entities: "."""


@dataclass
class ParsedText:
    """Plain text and Bot API entity dicts, as Telegram stores the message."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)

    @property
    def length(self) -> int:
        """Length in UTF-16 code units, the unit Telegram's limits use."""
        return utf16_len(self.text)


def utf16_len(text: str) -> int:
    """Count UTF-16 code units (astral characters such as most emoji count twice)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _decode_entity(s: str, pos: int) -> tuple[str | None, int]:
    """Decode an HTML entity at s[pos] == '&' the way tdlib does; (None, pos) if it is not one."""
    end = pos + 1
    if s.startswith("&#", pos):
        end += 1
        hexa = s.startswith("x", end)
        end += hexa
        digits = "0123456789abcdefABCDEF" if hexa else "0123456789"
        start = end
        while end < len(s) and s[end] in digits:
            end += 1
        code = int(s[start:end], 16 if hexa else 10) if end > start else 0
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None, pos
        char = chr(code)
    else:
        while end < len(s) and s[end].isascii() and s[end].isalpha():
            end += 1
        if s[pos + 1 : end] not in _NAMED:
            return None, pos
        char = _NAMED[s[pos + 1 : end]]
    return char, end + 1 if s.startswith(";", end) else end


class _Parser:
    """One-shot parser state; see parse_html."""

    def __init__(self, src: str, strict: bool) -> None:
        self.s, self.n, self.strict = src, len(src), strict
        self.i = 0
        self.out: list[str] = []
        self.u16 = 0
        self.stack: list[tuple[str, str, int, int]] = []  # tag, argument, utf16 start, out index
        self.entities: list[dict[str, Any]] = []

    def byte_offset(self, index: int) -> int:
        # Telegram reports UTF-8 byte offsets into the original text.
        return len(self.s[:index].encode("utf-8", "surrogatepass"))

    def emit(self, chunk: str) -> None:
        self.out.append(chunk)
        self.u16 += utf16_len(chunk)

    def run(self) -> ParsedText:
        s = self.s
        while self.i < self.n:
            c = s[self.i]
            if c == "&":
                char, end = _decode_entity(s, self.i)
                if char is not None:
                    self.emit(char)
                    self.i = end
                    continue
                self._strict_check("&")
            elif c == ">":
                self._strict_check(">")
            if c != "<":
                self.emit(c)
                self.i += 1
                continue
            if self.i + 1 < self.n and s[self.i + 1] == "/":
                self._end_tag()
            else:
                self._start_tag()
        if self.stack:
            raise HtmlParseError(f"Can't find end tag corresponding to start tag {self.stack[-1][0]}")
        text = "".join(self.out)
        if re.search("[\ud800-\udfff]", text):
            raise HtmlParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return ParsedText(text, self.entities)

    def _strict_check(self, char: str) -> None:
        if self.strict:
            escaped = "&amp;" if char == "&" else "&gt;"
            raise HtmlParseError(
                f'Unescaped "{char}" at byte offset {self.byte_offset(self.i)}; '
                f"escape it as {escaped} (strict check of the fake Bot API)"
            )

    def _read_until_space_or_gt(self) -> None:
        while self.i < self.n and self.s[self.i] not in _SPACE and self.s[self.i] != ">":
            self.i += 1

    def _skip_spaces(self) -> None:
        while self.i < self.n and self.s[self.i] in _SPACE:
            self.i += 1

    def _start_tag(self) -> None:
        s, begin = self.s, self.i
        self.i += 1
        self._read_until_space_or_gt()
        at = self.byte_offset(begin)
        if self.i >= self.n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {at}")
        tag = s[begin + 1 : self.i].lower()
        if tag not in SUPPORTED_TAGS:
            raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {at}')
        argument = ""
        while True:
            self._skip_spaces()
            if self.i >= self.n:
                raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {at}')
            if s[self.i] == ">":
                break
            name, value = self._attribute(tag, at)
            argument = _tag_argument(tag, name, value, argument)
        self.i += 1  # the '>'
        if tag == "span" and argument != "spoiler":
            raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {at}')
        self.stack.append((tag, argument, self.u16, len(self.out)))

    def _attribute(self, tag: str, at: int) -> tuple[str, str]:
        s, start = self.s, self.i
        while self.i < self.n and s[self.i] not in _SPACE and s[self.i] not in "=>":
            self.i += 1
        name = s[start : self.i]
        if not name:
            raise HtmlParseError(f'Empty attribute name in the tag "{tag}" at byte offset {at}')
        self._skip_spaces()
        if self.i >= self.n or s[self.i] != "=":
            if tag == "blockquote" and name.lower() == "expandable":
                return name, ""  # Bot API 7.3: the only attribute allowed without a value
            raise HtmlParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" at byte offset {at}'
            )
        self.i += 1
        self._skip_spaces()
        if self.i >= self.n:
            raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {at}')
        if s[self.i] not in "'\"":
            token_start = self.i
            while self.i < self.n and (s[self.i].isalnum() or s[self.i] in ".-"):
                self.i += 1
            if self.i >= self.n or (s[self.i] not in _SPACE and s[self.i] != ">"):
                raise HtmlParseError(f"Unexpected end of name token at byte offset {self.byte_offset(token_start)}")
            return name, s[token_start : self.i].lower()
        quote = s[self.i]
        self.i += 1
        value: list[str] = []
        while self.i < self.n and s[self.i] != quote:
            if s[self.i] == "&":
                char, end = _decode_entity(s, self.i)
                if char is not None:
                    value.append(char)
                    self.i = end
                    continue
            value.append(s[self.i])
            self.i += 1
        if self.i >= self.n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {at}")
        self.i += 1
        return name, "".join(value)

    def _end_tag(self) -> None:
        s, begin = self.s, self.i
        at = self.byte_offset(begin)
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {at}")
        self.i += 2
        self._read_until_space_or_gt()
        name = s[begin + 2 : self.i].lower()
        self._skip_spaces()
        if self.i >= self.n or s[self.i] != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {at}")
        self.i += 1
        tag, argument, start, out_index = self.stack.pop()
        if name and name != tag:
            raise HtmlParseError(f'Unmatched end tag at byte offset {at}, expected "</{tag}>", found "</{name}>"')
        if self.u16 > start:
            self._add_entity(tag, argument, start, "".join(self.out[out_index:]))

    def _add_entity(self, tag: str, argument: str, start: int, inner: str) -> None:
        entity: dict[str, Any] = {"offset": start, "length": self.u16 - start}
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and (last["offset"], last["length"]) == (start, entity["length"])
        if tag in _SIMPLE_TYPES or tag == "span":
            entity["type"] = _SIMPLE_TYPES.get(tag, "spoiler")
        elif tag == "tg-emoji":
            if not argument.isdigit() or int(argument) == 0:
                raise HtmlParseError("Invalid custom emoji identifier specified")
            entity.update(type="custom_emoji", custom_emoji_id=argument)
        elif tag == "a":
            link = _link_entity(argument or inner)
            if link is None:
                return  # Telegram silently drops links it cannot use
            entity.update(link)
        elif tag == "code":
            entity.update(type="code", language=argument) if argument else entity.update(type="code")
        elif tag == "pre":
            if same_span and last is not None and last["type"] == "code":
                self.entities.pop()  # <pre><code class="language-x"> becomes one pre entity
                if last.get("language"):
                    entity["language"] = last["language"]
            entity["type"] = "pre"
        else:
            entity["type"] = "expandable_blockquote" if argument == "expandable" else "blockquote"
        self.entities.append({"type": entity.pop("type"), **entity})

    def finish_code(self) -> None:
        for entity in self.entities:
            if entity["type"] == "code":
                entity.pop("language", None)  # only <pre> keeps a language


def _tag_argument(tag: str, name: str, value: str, current: str) -> str:
    """Which attribute value tdlib keeps as the tag's argument."""
    name = name.lower()
    if tag == "a" and name == "href":
        return value
    if tag == "code" and name == "class" and value.startswith("language-"):
        return value[len("language-") :]
    if tag == "span" and name == "class" and value.startswith("tg-"):
        return value[len("tg-") :]
    if tag == "tg-emoji" and name == "emoji-id":
        return value
    if tag == "blockquote" and name == "expandable":
        return "expandable"
    return current


def _link_entity(url: str) -> dict[str, Any] | None:
    """Map an href to text_mention / text_link, or None when Telegram would drop it."""
    url = url.strip()
    user = _USER_LINK.match(url)
    if user:
        return {"type": "text_mention", "user": {"id": int(user.group(1)), "is_bot": False, "first_name": ""}}
    if re.match(r"((https?|tg|ton|ftp)://|mailto:)\S+$", url, re.IGNORECASE):
        return {"type": "text_link", "url": url}
    if re.match(r"[\w-]+(\.[\w-]+)+(/\S*)?$", url):
        return {"type": "text_link", "url": f"http://{url}"}
    return None


def parse_html(source: str, *, strict: bool = True) -> ParsedText:
    """Parse Telegram HTML; raise HtmlParseError with Telegram's reason when it would be refused."""
    parser = _Parser(source, strict)
    parsed = parser.run()
    parser.finish_code()
    return parsed
