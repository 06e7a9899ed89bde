"""What the db returns: documents with attribute and item access, and pages of them."""

from __future__ import annotations

from typing import Any

__all__ = ["Document", "Page"]


class Document(dict[str, Any]):
    """A stored document: a ``dict`` (JSON-serialisable as is) whose keys also read as attributes.

    ``task.id`` and ``task["id"]`` are the same value. Missing attributes raise ``AttributeError``.
    """

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def id(self) -> str:
        """The document's id, assigned at creation."""
        return str(self["id"])


class Page(list[Document]):
    """One page of :meth:`Collection.find` results; a ``list`` with the cursor of the next page.

    Attributes:
        next_cursor: Pass as ``cursor=`` to get the next page; ``None`` on the last page.
    """

    def __init__(self, documents: list[Document], next_cursor: str | None) -> None:
        super().__init__(documents)
        self.next_cursor = next_cursor
