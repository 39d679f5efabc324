"""A small HTML reader on the standard library's html.parser: the elements of a page with
their attributes, ancestors and text, and the text nodes, as a browser would split them.
The security and accessibility sweeps check pages through it instead of searching the raw
markup."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = frozenset(
    [
        *("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"),
        *("param", "source", "track", "wbr"),
    ]
)
#: Attributes whose value a browser follows as a URL.
URL_ATTRIBUTES = frozenset(
    [
        *("href", "src", "action", "formaction", "data", "poster", "background", "cite"),
        *("longdesc", "srcset", "xlink:href"),
    ]
)


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    parents: tuple[Element, ...]
    line: int
    text_parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """All the text inside the element, whitespace collapsed."""
        return " ".join("".join(self.text_parts).split())

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def inside(self, tag: str) -> Element | None:
        return next((p for p in reversed(self.parents) if p.tag == tag), None)

    def __repr__(self) -> str:
        shown = " ".join(f'{k}="{v}"' for k, v in self.attrs.items())
        return f"<{self.tag} {shown}> (line {self.line})"


class Page(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        #: Text nodes in document order, with the element they sit in (None: top level).
        self.texts: list[tuple[str, Element | None]] = []
        self.doctype = ""
        self._open: list[Element] = []
        self.feed(html)
        self.close()

    # ---------------------------------------------------------------- parsing

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, tuple(self._open), self.getpos()[0])
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(
            Element(tag, {k: v or "" for k, v in attrs}, tuple(self._open), self.getpos()[0])
        )

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                return

    def handle_data(self, data: str) -> None:
        self.texts.append((data, self._open[-1] if self._open else None))
        for element in self._open:
            element.text_parts.append(data)

    # ---------------------------------------------------------------- reading

    def all(self, *tags: str) -> list[Element]:
        return [e for e in self.elements if e.tag in tags]

    def by_id(self) -> dict[str, Element]:
        return {e.attrs["id"]: e for e in self.elements if e.attrs.get("id")}

    def strings(self) -> list[str]:
        """Every string a browser would hold as data: text nodes (outside scripts) and
        attribute values."""
        out = [text for text, parent in self.texts if parent is None or parent.tag != "script"]
        out.extend(v for e in self.elements for v in e.attrs.values())
        return out

    def url_values(self) -> list[tuple[Element, str, str]]:
        return [
            (e, name, value)
            for e in self.elements
            for name, value in e.attrs.items()
            if name in URL_ATTRIBUTES
        ]


def scheme_of(url: str) -> str:
    """The scheme a browser would read from an attribute value: it ignores leading
    whitespace and control characters and tabs/newlines anywhere in the URL."""
    cleaned = "".join(c for c in url.lstrip("\x00\t\n\f\r ") if c not in "\t\n\r")
    head, sep, _ = cleaned.partition(":")
    return head.lower() if sep and "/" not in head else ""


def active_content(page: Page) -> list[str]:
    """What could run script on this page, beyond the application's own static scripts."""
    problems: list[str] = []
    for element in page.all("script"):
        src = element.get("src") or ""
        if not src.startswith("/static/") or element.text.strip():
            problems.append(f"script element {element!r}: {element.text[:80]!r}")
    for element in page.elements:
        for name in element.attrs:
            if name.startswith("on"):
                problems.append(f"event-handler attribute {name} on {element!r}")
            if name == "srcdoc":
                problems.append(f"srcdoc on {element!r}")
        if element.tag in ("object", "embed", "base"):
            problems.append(f"{element.tag} element {element!r}")
        if element.tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            problems.append(f"meta refresh {element!r}")
    for element, name, value in page.url_values():
        if scheme_of(value) in ("javascript", "vbscript", "data"):
            problems.append(f"{name}={value!r} on {element!r}")
    return problems
