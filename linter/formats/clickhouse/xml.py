"""ClickHouse XML text to a positioned element tree, safely.

expat (stdlib) does the parsing; our handlers refuse any DOCTYPE, entity
declaration or external entity reference before expat acts on it, so nothing is
expanded and nothing is read (defusedxml semantics, with positions). We feed
expat the UTF-8 encoding of the decoded text and turn its byte offsets into
line and *character* columns ourselves: this holds whatever expat version
counts (2.x counts characters, older ones bytes) and on non-ASCII lines.
Comments are never seen by the tree, so commented-out examples stay silent.
"""

from __future__ import annotations

import re
import xml.parsers.expat as expat
from dataclasses import dataclass, field

from linter.core.model import LineIndex, ParseProblem, Span

_START_TAG = re.compile(rb"<[^\s/>]+(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*(/?)>")
_ATTRIBUTE = re.compile(rb"([^\s=/>]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_WHITESPACE = b" \t\r\n"


@dataclass(slots=True)
class XmlAttribute:
    name: str
    value: str
    name_span: Span
    value_span: Span


@dataclass(slots=True)
class XmlElement:
    """One element: where its start tag is, its attributes, element children
    and direct text (stripped; `text_span` covers it as written)."""

    tag: str
    start: Span
    span: Span
    attributes: dict[str, XmlAttribute] = field(default_factory=dict)
    children: list[XmlElement] = field(default_factory=list)
    text: str = ""
    text_span: Span | None = None

    def child(self, tag: str) -> XmlElement | None:
        for c in self.children:
            if c.tag == tag:
                return c
        return None


class _Refused(Exception):
    def __init__(self, rule_id: str, message: str, offset: int) -> None:
        super().__init__(message)
        self.rule_id = rule_id
        self.offset = offset  # where expat was when we refused (it moves on before we catch it)


@dataclass(frozen=True, slots=True)
class XmlLimits:
    max_depth: int = 200
    max_elements: int = 200_000


_NOT_CONTINUATION = bytes(b for b in range(256) if not 0x80 <= b < 0xC0)
_BLOCK = 256


def _char_count(chunk: bytes) -> int:
    """Characters in UTF-8 bytes: every byte that does not continue a sequence."""
    return len(chunk) - len(chunk.translate(None, _NOT_CONTINUATION))


class _Positions:
    """Byte offset in the UTF-8 buffer -> (line, character column), 1-based.

    The byte offset becomes a character offset from per-block counts (a lookup
    costs at most one block whatever the line length, so a minified one-line
    file stays linear); `LineIndex` then places it."""

    def __init__(self, text: str, data: bytes) -> None:
        self.data = data
        self.lines = LineIndex(text)
        self.ascii = data.isascii()
        self.blocks: list[int] = []  # characters before each block
        if not self.ascii:
            total = 0
            for begin in range(0, len(data), _BLOCK):
                self.blocks.append(total)
                total += _char_count(data[begin : begin + _BLOCK])

    def _chars_before(self, offset: int) -> int:
        if self.ascii:
            return offset
        block = min(offset // _BLOCK, len(self.blocks) - 1)
        return self.blocks[block] + _char_count(self.data[block * _BLOCK : offset])

    def at(self, offset: int) -> tuple[int, int]:
        return self.lines.position(self._chars_before(offset))

    def span(self, path: str, begin: int, end: int) -> Span:
        line, column = self.at(begin)
        end_line, end_column = self.at(max(end, begin + 1))
        return Span(path, line, column, end_line, end_column)


class _TreeBuilder:
    def __init__(self, text: str, data: bytes, path: str, limits: XmlLimits) -> None:
        self.data = data
        self.path = path
        self.limits = limits
        self.positions = _Positions(text, data)
        self.parser = expat.ParserCreate(encoding="UTF-8")
        self.stack: list[tuple[XmlElement, int, list[tuple[int, int, bool]]]] = []  # element, tag end, text regions
        self.root: XmlElement | None = None
        self.count = 0
        self.text_start: int | None = None
        self.in_cdata = False
        p = self.parser
        p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        p.StartDoctypeDeclHandler = self._refuse_doctype
        p.EntityDeclHandler = self._refuse_entity
        p.UnparsedEntityDeclHandler = self._refuse_entity
        p.ExternalEntityRefHandler = self._refuse_external
        p.StartElementHandler = self._start
        p.EndElementHandler = self._end
        p.CharacterDataHandler = self._characters
        p.CommentHandler = self._markup
        p.ProcessingInstructionHandler = self._markup
        p.StartCdataSectionHandler = self._cdata_start
        p.EndCdataSectionHandler = self._cdata_end

    # Refusals: raised before expat acts on the declaration.
    def _refuse_doctype(self, *args: object) -> None:
        message = "DOCTYPE declaration refused: ClickHouse configs need none, and entities are never expanded or fetched"
        raise _Refused("DL005", message, self._here())

    def _refuse_entity(self, *args: object) -> None:
        raise _Refused("DL005", "entity declaration refused: entities are never expanded", self._here())

    def _refuse_external(self, *args: object) -> int:
        raise _Refused("DL005", "external entity reference refused: nothing outside the file is read", self._here())

    def _here(self) -> int:
        return max(self.parser.CurrentByteIndex, 0)

    def _close_text(self) -> None:
        if self.text_start is not None and self.stack:
            end = self.parser.CurrentByteIndex
            self.stack[-1][2].append((self.text_start, end, self.in_cdata))
        self.text_start = None

    def _markup(self, *args: object) -> None:
        self._close_text()

    def _cdata_start(self) -> None:
        self._close_text()
        self.in_cdata = True  # the characters callback then starts at the content

    def _cdata_end(self) -> None:
        self._close_text()
        self.in_cdata = False

    def _characters(self, data: str) -> None:
        if self.text_start is None:
            self.text_start = self.parser.CurrentByteIndex

    def _start(self, tag: str, attrs: dict[str, str]) -> None:
        self._close_text()
        self.count += 1
        if self.count > self.limits.max_elements:
            message = f"more than {self.limits.max_elements:,} elements (max_xml_elements); the file was not checked"
            raise _Refused("DL005", message, self._here())
        if len(self.stack) >= self.limits.max_depth:
            message = f"elements nested deeper than {self.limits.max_depth} levels (max_depth); the file was not checked"
            raise _Refused("DL005", message, self._here())
        begin = self.parser.CurrentByteIndex
        match = _START_TAG.match(self.data, begin)
        tag_end = match.end() if match else begin + len(tag.encode()) + 1
        start = self.positions.span(self.path, begin, tag_end)
        element = XmlElement(tag, start, start)
        if match:
            for attr in _ATTRIBUTE.finditer(self.data, begin + len(tag.encode()) + 1, tag_end):
                name = attr.group(1).decode("utf-8", "replace")
                if name not in attrs:
                    continue
                group = 2 if attr.group(2) is not None else 3
                element.attributes[name] = XmlAttribute(
                    name,
                    attrs[name],
                    self.positions.span(self.path, attr.start(1), attr.end(1)),
                    self.positions.span(self.path, attr.start(group), attr.end(group)),
                )
        if self.stack:
            self.stack[-1][0].children.append(element)
        else:
            self.root = element
        self.stack.append((element, tag_end, []))

    def _end(self, tag: str) -> None:
        self._close_text()
        element, tag_end, regions = self.stack.pop()
        here = self.parser.CurrentByteIndex
        if self.data.startswith(b"</", here):
            close = self.data.find(b">", here)
            end = close + 1 if close >= 0 else here
        else:  # <empty/>: the start tag is the whole element
            end = tag_end
        begin_line, begin_col = element.start.line, element.start.column
        end_line, end_col = self.positions.at(end)
        element.span = Span(self.path, begin_line, begin_col, end_line, end_col)
        self._set_text(element, regions)

    def _set_text(self, element: XmlElement, regions: list[tuple[int, int, bool]]) -> None:
        pieces = [r for r in regions if self.data[r[0]:r[1]].strip(_WHITESPACE)]
        if not pieces:
            return
        first, last = pieces[0][0], pieces[-1][1]
        raw = self.data[first:last]
        lead = len(raw) - len(raw.lstrip(_WHITESPACE))
        trail = len(raw) - len(raw.rstrip(_WHITESPACE))
        element.text_span = self.positions.span(self.path, first + lead, last - trail)
        element.text = self._text_value(pieces)

    def _text_value(self, pieces: list[tuple[int, int, bool]]) -> str:
        # The value as the server reads it: references resolved (not in CDATA),
        # outer whitespace dropped.
        parts = []
        for b, e, cdata in pieces:
            raw = self.data[b:e].decode("utf-8", "replace")
            if not cdata and ("&" in raw or "\r" in raw):
                raw = _unescape(raw)
            parts.append(raw)
        return "".join(parts).strip()


_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def _unescape(raw: str) -> str:
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")

    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        if name.startswith("#x"):
            return chr(int(name[2:], 16))
        if name.startswith("#"):
            return chr(int(name[1:]))
        return _ENTITIES.get(name, m.group(0))

    return re.sub(r"&(#x[0-9A-Fa-f]+|#[0-9]+|\w+);", one, raw)


def parse_xml(text: str, path: str, limits: XmlLimits = XmlLimits()) -> tuple[XmlElement | None, list[ParseProblem]]:
    """The root element (None if unusable) and the problems found."""
    data = text.encode("utf-8", "surrogatepass")
    builder = _TreeBuilder(text, data, path, limits)
    try:
        builder.parser.Parse(data, True)
    except _Refused as exc:
        offset = exc.offset
        doctype = data.find(b"<!DOCTYPE")
        if 0 <= doctype < offset:
            offset = doctype
        line, column = builder.positions.at(offset)
        return None, [ParseProblem(exc.rule_id, str(exc), Span.point(path, line, column), logical=exc.rule_id)]
    except expat.ExpatError as exc:
        offset = max(builder.parser.ErrorByteIndex, 0)
        if offset >= 2 and data.startswith(b"</", offset - 2):
            offset -= 2  # expat points at the name of a wrong end tag; point at "</"
        line, column = builder.positions.at(min(offset, len(data)))
        message = expat.ErrorString(exc.code) if exc.code is not None else str(exc)
        if builder.stack and "mismatched tag" in message:
            opened = builder.stack[-1][0]
            message += f": expected </{opened.tag}> (opened at line {opened.start.line})"
        return None, [ParseProblem("DL001", f"invalid XML: {message}", Span.point(path, line, column), logical="xml")]
    return builder.root, []
