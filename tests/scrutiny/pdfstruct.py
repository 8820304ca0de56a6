"""A tagged PDF's structure tree read back with pypdf, with the text of each element taken from the page content
its marked-content ids (MCIDs) point at: what a screen reader reads, in the order it reads it.

WeasyPrint writes each structure element's content as integer MCIDs in /K with the page in /Pg; marked-content
references (/Type /MCR) are read too, object references (/OBJR, a link's annotation) carry no text."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

# The hyphen WeasyPrint prints where it breaks a word at a hyphenation point, and the soft hyphen.
BREAK_HYPHENS = re.compile(r"[\u2010\u00ad]\s+")


def flat(text: str) -> str:
    """Text as printed, read as one line: words broken at a hyphenation point joined again, spaces collapsed."""
    return " ".join(BREAK_HYPHENS.sub("", text).split())


@dataclass
class Element:
    """One structure element: its role (``TH``, ``Table``…), attributes, and kids in order, each another element
    or a ``(page index, mcid)`` pair of marked content."""

    role: str
    attributes: dict[str, object] = field(default_factory=dict)
    id: str | None = None
    alt: str | None = None
    actual_text: str | None = None
    kids: list[Element | tuple[int, int]] = field(default_factory=list)

    @property
    def children(self) -> list[Element]:
        return [kid for kid in self.kids if isinstance(kid, Element)]

    def walk(self) -> Iterator[Element]:
        """This element and every element under it, in document (reading) order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def find(self, role: str) -> list[Element]:
        return [element for element in self.walk() if element.role == role]

    def marked_content(self) -> Iterator[tuple[int, int]]:
        for kid in self.kids:
            if isinstance(kid, Element):
                yield from kid.marked_content()
            else:
                yield kid


def _python(value: Any) -> object:
    value = value.get_object() if isinstance(value, IndirectObject) else value
    if isinstance(value, ArrayObject):
        return [_python(item) for item in value]
    if isinstance(value, DictionaryObject):
        return {str(key): _python(item) for key, item in value.items()}
    return str(value) if not isinstance(value, int | float) else value


class StructTree:
    """The document's structure tree (``root`` is its /Document element) and the text behind each MCID."""

    def __init__(self, content: bytes):
        self.reader = PdfReader(io.BytesIO(content))
        self._page_index: dict[int, int] = {}
        for number, page in enumerate(self.reader.pages):
            assert page.indirect_reference is not None
            self._page_index[page.indirect_reference.idnum] = number
        self._texts: dict[int, dict[int, str]] = {}
        catalog: Any = self.reader.trailer["/Root"]
        tree_root: Any = catalog["/StructTreeRoot"].get_object()
        kids: Any = tree_root["/K"].get_object()
        documents = [item.get_object() for item in kids] if isinstance(kids, ArrayObject) else [kids]
        self.root = Element("StructTreeRoot", kids=[self._element(doc, None) for doc in documents])

    def _element(self, node: Any, page: int | None) -> Element:
        if "/Pg" in node:
            page = self._page_index[node.raw_get("/Pg").idnum]
        attributes: dict[str, object] = {}
        owners: Any = node.get("/A")
        if owners is not None:
            owners = owners.get_object()
            for owner in owners if isinstance(owners, ArrayObject) else [owners]:
                owner = owner.get_object()
                if isinstance(owner, DictionaryObject):
                    attributes.update({str(key): _python(value) for key, value in owner.items()})
        element = Element(
            role=str(node["/S"]).lstrip("/"),
            attributes=attributes,
            id=str(node["/ID"]) if "/ID" in node else None,
            alt=str(node["/Alt"]) if "/Alt" in node else None,
            actual_text=str(node["/ActualText"]) if "/ActualText" in node else None,
        )
        kids: Any = node.get("/K")
        if kids is None:
            return element
        kids = kids.get_object()
        for item in kids if isinstance(kids, ArrayObject) else [kids]:
            kid: Any = item.get_object()
            if isinstance(kid, int):
                assert page is not None, "marked content without a page"
                element.kids.append((page, int(kid)))
            elif isinstance(kid, DictionaryObject) and kid.get("/Type") == "/MCR":
                kid_page = self._page_index[kid.raw_get("/Pg").idnum] if "/Pg" in kid else page
                assert kid_page is not None, "marked content without a page"
                mcid: Any = kid["/MCID"]
                element.kids.append((kid_page, int(mcid)))
            elif isinstance(kid, DictionaryObject) and "/S" in kid:
                element.kids.append(self._element(kid, page))
            # An /OBJR (a link's annotation) holds no text.
        return element

    def page_texts(self, page: int) -> dict[int, str]:
        """Each MCID of a page and the text painted inside it, from the page's content stream in order."""
        if page not in self._texts:
            texts: dict[int, str] = {}
            open_mcids: list[int | None] = []

            def before(operator, operands, cm, tm):
                if operator == b"BDC":
                    properties = operands[1] if len(operands) > 1 else None
                    mcid = properties.get("/MCID") if isinstance(properties, DictionaryObject) else None
                    open_mcids.append(int(mcid) if mcid is not None else None)
                elif operator == b"BMC":
                    open_mcids.append(None)
                elif operator == b"EMC" and open_mcids:
                    open_mcids.pop()

            def text(value, cm, tm, font, size):
                marked = next((mcid for mcid in reversed(open_mcids) if mcid is not None), None)
                if marked is not None and value:
                    texts[marked] = texts.get(marked, "") + value

            self.reader.pages[page].extract_text(visitor_operand_before=before, visitor_text=text)
            self._texts[page] = texts
        return self._texts[page]

    def text(self, element: Element) -> str:
        """The element's text in reading order (its /ActualText where it has one), on one line."""
        if element.actual_text is not None:
            return flat(element.actual_text)
        parts = [self.page_texts(page).get(mcid, "") for page, mcid in element.marked_content()]
        return flat(" ".join(parts))
