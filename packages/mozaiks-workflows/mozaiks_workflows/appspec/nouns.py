"""Finding the things a message wants stored: explicit noun lists, curated aliases, and field hints.

``"…with customers, invoices and payments"`` yields the nouns of the list after a trigger word (``with``,
``track``, ``manage``…); each noun resolves to a curated blueprint, a field hint (``due dates``), nothing (``React``,
``notifications``) or, when it is a plural noun the vocabulary does not know, a generic entity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import ValidationError

from .blueprint import Blueprint, date, enum, integer, number, string, text, url
from .models import FieldSpec
from .naming import pascal_words, pluralize, singularize
from .vocabulary import CATALOG, CATEGORY, COURSE, MEMBER, PAYMENT_RECORD

__all__ = ["FIELD_HINTS", "NounFinding", "curated_mentions", "find_nouns", "generic_blueprint", "is_usable"]

_TRIGGER = re.compile(
    r"(?:(?<![a-z])(?:with|track(?:s|ing)?|manag(?:e|es|ing)|stor(?:e|es|ing)|organi[sz](?:e|es|ing)|includ(?:e|es|ing)"
    r"|contain(?:s|ing)?|keep(?:s|ing)? track of|list(?:s|ing)? of|catalog(?:ue)?(?:s|ing)? of|log(?:s|ging)?"
    r"|record(?:s|ing)?|handl(?:e|es|ing)|ha(?:s|ve|ving)|plus|entities|models|collections|for tracking"
    r"|for managing|schedul(?:e|es|ing)|plan(?:s|ning)?|sell(?:s|ing)?|add(?:s|ing)?|creat(?:e|es|ing))"
    r"(?![a-z])|:)[\s:]+([^.;!?\n]{1,240})"
)
_SPLIT = re.compile(r",|:|\band\b|\bor\b|&|/|\+|\bplus\b|\bas well as\b|\bincluding\b|\bwith\b|\bhaving\b")
_CUT = re.compile(
    r"\b(?:for|of|in|on|by|from|at|to|so|that|which|who|where|when|using|built|into|per|across|via|like|such|but"
    r"|because|then|while|can|should|will|would|must|is|are|be|was|were)\b"
)
_WORD = re.compile(r"[a-z][a-z'-]*[a-z]|[a-z]")

#: Words before a noun that never make a compound name (``my tasks``, ``daily expenses``).
_MODIFIER_STOP = frozenset(
    {"a", "an", "the", "my", "our", "your", "their", "his", "her", "its", "all", "some", "many", "multiple",
     "different", "various", "simple", "basic", "new", "old", "daily", "weekly", "monthly", "yearly", "upcoming",
     "recent", "own", "custom", "personal", "private", "public", "shared", "other", "more", "few", "several", "each",
     "every", "any", "important", "favorite", "favourite", "also", "just", "only", "lots", "plenty", "optional",
     "nice", "good", "great", "cool", "small", "big", "large", "main", "both", "them", "these", "those", "this",
     "that", "user", "customer", "team", "real", "smart", "automatic", "automated", "easy", "quick", "fast",
     "live", "online", "digital", "full", "complete", "detailed", "one", "two", "three", "four", "five",
     "even", "then", "not", "no", "up", "out", "email", "push", "ai", "web", "mobile", "invite", "add", "manage",
     "track", "create", "edit", "delete", "remove", "view", "see", "share", "assign", "send", "book", "schedule",
     "log", "record", "store", "organize", "organise", "list", "sell", "buy", "rate", "upload", "download",
     "follow", "find", "search", "browse", "save", "keep", "get", "make", "plan", "approve", "invoice", "pay",
     "order", "reserve", "register", "submit", "write", "read", "publish", "post", "message", "notify", "remind",
     "export", "import", "print", "scan", "compare", "monitor", "handle", "run", "join", "leave"}
)  # fmt: skip
#: Plural nouns that name a feature of the app rather than something it stores.
_NON_ENTITY = frozenset(
    {"app", "application", "website", "site", "page", "screen", "dashboard", "login", "signup", "sign-up", "auth",
     "authentication", "account", "setting", "feature", "function", "functionality", "notification", "reminder",
     "alert", "email", "e-mail", "chatbot", "bot", "assistant", "report", "chart", "graph", "analytic", "analytics",
     "stat", "statistic", "insight", "search", "filter", "export", "import", "upload", "integration", "api",
     "backend", "frontend", "ui", "ux", "design", "theme", "mode", "role", "permission", "thing", "stuff", "data",
     "information", "info", "detail", "field", "option", "button", "form", "view", "list", "way", "time", "day",
     "week", "month", "year", "people", "everything", "anything", "something", "lot", "kind", "support", "help",
     "react", "python", "vue", "angular", "svelte", "django", "flask", "fastapi", "node", "typescript",
     "javascript", "language", "framework", "database", "storage", "server", "docker", "deployment", "test", "ci",
     "idea", "question", "user", "update", "change", "dark", "light",
     "progress", "history", "overview", "summary", "calendar", "map", "sync", "tool", "system", "platform",
     "portal", "count", "total", "number", "amount", "name", "title", "label", "color", "colour",
     "step", "feed", "tab", "model", "entity", "collection", "record", "crud", "sms",
     "text", "ai", "llm", "gpt", "component", "admin", "owner", "visitor", "friend", "family", "everyone", "me",
     "us", "them"}
)  # fmt: skip


#: Field-ish nouns (singular) → the field they add to the app's main entity.
FIELD_HINTS: dict[str, FieldSpec] = {
    "due date": date("due_date"),
    "deadline": date("due_date"),
    "priority": enum("priority", ("low", "medium", "high"), "medium"),
    "note": text("notes"),
    "photo": url("image_url"),
    "image": url("image_url"),
    "picture": url("image_url"),
    "price": number("price"),
    "cost": number("cost"),
    "rating": integer("rating"),
    "star": integer("rating"),
    "phone": string("phone"),
    "phone number": string("phone"),
    "link": url("link"),
    "url": url("link"),
    "description": text("description"),
    "quantity": integer("quantity"),
    "status": enum("status", ("open", "in_progress", "done")),
    "address": string("address"),
    "location": string("location"),
    "start date": date("starts_on"),
    "end date": date("ends_on"),
    "attachment": url("attachment_url"),
    "estimate": number("estimate_hours"),
}

#: Singular nouns that are reserved words in the generated code → the curated entity used instead.
_RENAMES: dict[str, Blueprint] = {"user": MEMBER, "class": COURSE, "payment": PAYMENT_RECORD, "type": CATEGORY}
#: Reserved or confusing singular nouns → the generic name used instead.
_GENERIC_RENAMES = {"metric": "measurement", "activity": "activity record", "workflow": "process"}

#: Entity names the generated files already use (pages, modules), so an entity may not take them.
_TAKEN_NAMES = frozenset(
    {"Dashboard", "Login", "Signup", "Activity", "App", "Main", "Layout", "Nav", "Api", "Stat", "Stats"}
)
_TAKEN_COLLECTIONS = frozenset({"stats", "main", "models", "api", "tests", "types", "pages"})


def is_usable(item: Blueprint) -> bool:
    """Whether ``item`` makes a valid entity whose name no generated file already uses."""
    if item.name in _TAKEN_NAMES or item.collection in _TAKEN_COLLECTIONS or len(item.name) > 40:
        return False
    try:
        item.to_entity(set())
    except ValidationError:
        return False
    return True


def generic_blueprint(words: list[str]) -> Blueprint | None:
    """A generic entity (name, description, status) for a noun the vocabulary does not know, if it can be named."""
    name = pascal_words(words)
    candidates = [name, f"{name}Record", f"{name}Item"]
    for candidate in candidates:
        item = Blueprint(
            candidate,
            (string("name", required=True), text("description"), enum("status", ("active", "archived"))),
            aliases=(" ".join(words),),
        )
        if is_usable(item):
            return item
    return None


@dataclass
class NounFinding:
    """What :func:`find_nouns` found, in order of mention.

    Attributes:
        entities: Blueprints for the nouns the message lists: curated ones, and generic ones for unknown plurals.
        generic: Names of the generic ones among ``entities``.
        hints: Fields the message mentions (``due dates``) for the main entity.
        renames: ``(word the message used, entity name used instead)`` for reserved words.
    """

    entities: list[Blueprint] = field(default_factory=list)
    generic: list[str] = field(default_factory=list)
    hints: list[FieldSpec] = field(default_factory=list)
    renames: list[tuple[str, str]] = field(default_factory=list)

    def add(self, item: Blueprint, *, generic: bool = False) -> None:
        """Record ``item`` unless an entity of that name is already found."""
        if all(item.name != other.name for other in self.entities):
            self.entities.append(item)
            if generic:
                self.generic.append(item.name)


def _words(piece: str) -> list[str]:
    piece = _CUT.split(piece, maxsplit=1)[0]
    return [w.strip("'-") for w in _WORD.findall(piece) if w.strip("'-")][-4:]


def _resolve(words: list[str], domain_aliases: dict[str, Blueprint], finding: NounFinding) -> None:
    head = singularize(words[-1])
    pair = f"{words[-2]} {head}" if len(words) > 1 else ""
    if head in _RENAMES and head not in domain_aliases:
        target = _RENAMES[head]
        finding.renames.append((head, target.name))
        finding.add(target)
        return
    for key in (pair, head):
        if key and (key in domain_aliases or key in CATALOG):
            finding.add(domain_aliases.get(key) or CATALOG[key])
            return
    for key in (pair, head):
        if key and key in FIELD_HINTS:
            finding.hints.append(FIELD_HINTS[key])
            return
    if head in _NON_ENTITY or head == words[-1] or len(head) < 3:
        return  # a singular noun or a feature word: not something to store
    _add_generic(words, head, finding)


def _add_generic(words: list[str], head: str, finding: NounFinding) -> None:
    modifier = words[-2] if len(words) > 1 else ""
    usable_modifier = modifier and modifier not in _MODIFIER_STOP and not modifier.endswith("ly") and len(modifier) > 2
    renamed = _GENERIC_RENAMES.get(head)
    noun_words = (renamed or head).split()
    name_words = [modifier, *noun_words] if usable_modifier and not renamed else noun_words
    item = generic_blueprint(name_words)
    if item is None:
        return
    if renamed:
        finding.renames.append((head, item.name))
    finding.add(item, generic=True)


def find_nouns(text: str, domain_entities: tuple[Blueprint, ...] = ()) -> NounFinding:
    """The nouns listed after trigger words in ``text`` (lowercased, ASCII-folded), resolved to entities or fields.

    Args:
        text: The prepared message.
        domain_entities: Blueprints of the recognised domain; their aliases win over the global catalog.

    Returns:
        The finding, each list in order of mention.
    """
    domain_aliases = {alias: item for item in domain_entities for alias in (*item.aliases, " ".join(item.words))}
    finding = NounFinding()
    for match in _TRIGGER.finditer(text):
        for piece in _SPLIT.split(match.group(1)):
            words = _words(piece)
            if words:
                _resolve(words, domain_aliases, finding)
    return finding


def _plural_alias_pattern() -> re.Pattern[str]:
    plurals = set()
    for alias in CATALOG:
        parts = alias.split()
        plurals.add(" ".join([*parts[:-1], pluralize(parts[-1])]))
    alternatives = "|".join(re.escape(p) for p in sorted(plurals, key=lambda p: (-len(p), p)))
    return re.compile(rf"(?<![a-z])(?:{alternatives})(?![a-z])")


_PLURAL_ALIASES = _plural_alias_pattern()


def curated_mentions(text: str) -> NounFinding:
    """Curated blueprints whose plural alias (``invoices``, ``blog posts``) appears anywhere in ``text``.

    Reserved words (``users``, ``types``) count only inside explicit lists (:func:`find_nouns`): elsewhere they
    mostly describe the app's audience ("users can…") rather than records to store.
    """
    finding = NounFinding()
    for match in _PLURAL_ALIASES.finditer(text):
        parts = match.group(0).split()
        singular = " ".join([*parts[:-1], singularize(parts[-1])])
        item = CATALOG.get(singular)
        if item is not None and singular not in _RENAMES:
            finding.add(item)
    return finding
