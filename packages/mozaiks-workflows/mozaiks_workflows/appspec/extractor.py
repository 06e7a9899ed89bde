"""The deterministic offline extractor: a plain-language app description → :class:`~.models.AppSpec`.

It is what AppGenerator's ``spec`` model step runs with the ``offline`` provider, so it must turn any message into
a valid spec without a model: it recognises a kind of app (:mod:`.domains`), the nouns the message lists
(:mod:`.nouns`), the name (:mod:`.appname`) and the features asked for (:mod:`.features`), and writes every guess
into ``assumptions``. The same message always gives the same spec (no randomness, no clock).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from . import features
from .appname import display_name, named_in, phrase_name, slug_for
from .blueprint import Blueprint
from .domains import Domain, best_domain
from .models import AppSpec, EntitySpec, FieldSpec, PageSpec
from .naming import ascii_fold, join_words, safe_text, strip_template_markup
from .nouns import curated_mentions, find_nouns, generic_blueprint

__all__ = ["MAX_ENTITIES", "MAX_MESSAGE_CHARS", "extract"]

#: Only this much of a message is read.
MAX_MESSAGE_CHARS = 10_000
#: At most this many entities (the model allows 12).
MAX_ENTITIES = 12

_EMPTY = "describe the app you want to build, e.g. 'a task tracker with projects, due dates and reminders'"


@dataclass
class _Plan:
    domain: Domain | None
    blueprints: list[Blueprint]
    primary: str
    generic: list[str]
    notes: list[str] = field(default_factory=list)


def _prepare(message: object) -> tuple[str, str, list[str]]:
    """``(original text without template markup, lowercased ASCII text, notes)``; raises ``ValueError`` if empty."""
    if not isinstance(message, str) or not message.strip():
        raise ValueError(_EMPTY)
    notes = []
    if len(message) > MAX_MESSAGE_CHARS:
        notes.append(f"Only the first {MAX_MESSAGE_CHARS:,} characters of the message were read.")
    raw = unicodedata.normalize("NFKC", message[:MAX_MESSAGE_CHARS])
    original = strip_template_markup(raw)
    if original != raw:
        notes.append("Template markup (curly-brace and percent tags) in the message was ignored.")
    if not any(ch.isalpha() for ch in original):
        raise ValueError(f"{_EMPTY} (the message has no words)")
    text = re.sub(r"[^\S\n]+", " ", ascii_fold(original).lower())
    return original, text, notes


def _ordered(domain: Domain | None, listed: list[Blueprint], mentioned: list[Blueprint]) -> list[Blueprint]:
    """Domain entities, then listed nouns, then (without a domain) curated nouns mentioned anywhere; no duplicates."""
    candidates = [*(domain.entities if domain else ()), *listed, *(() if domain else mentioned)]
    chosen: list[Blueprint] = []
    for item in candidates:
        if all(item.name != c.name and item.collection != c.collection for c in chosen):
            chosen.append(item)
    return chosen


def _plan(text: str) -> _Plan:
    mentioned = curated_mentions(text)
    domain = best_domain(text, {item.name for item in mentioned.entities})
    finding = find_nouns(text, domain.entities if domain else ())
    blueprints = _ordered(domain, finding.entities, [] if domain else mentioned.entities)
    notes = [f"“{word}” is a reserved word in the generated code, so that entity is called {new}." for word, new in
             dict.fromkeys(finding.renames) if any(b.name == new for b in blueprints[:MAX_ENTITIES])]  # fmt: skip
    if len(blueprints) > MAX_ENTITIES:
        dropped = ", ".join(b.plural_label for b in blueprints[MAX_ENTITIES:])
        notes.append(f"An app holds at most {MAX_ENTITIES} entities, so these were left out: {dropped}.")
        blueprints = blueprints[:MAX_ENTITIES]
    generic_names = list(finding.generic)
    if not blueprints:
        fallback = generic_blueprint(["item"])
        assert fallback is not None  # "Item" is a valid, unreserved name
        blueprints = [fallback]
        generic_names.append(fallback.name)
        notes.append(
            "The message named nothing AppGenerator recognises as records to store, so the app stores generic Items "
            "(name, description, status); name the things to track (e.g. “with clients and invoices”) for a better fit."
        )
    names = [b.name for b in blueprints]
    primary = domain.primary if domain and domain.primary in names else None
    primary = primary or next((b.name for b in finding.entities if b.name in names), names[0])
    generic = [b.plural_label for b in blueprints if b.name in finding.generic]
    if generic:
        notes.append(
            f"{', '.join(generic)}: not in AppGenerator's vocabulary, so each got generic fields (name, description, "
            "status); rename or add fields in mozaiks.json."
        )
    plan = _Plan(domain, blueprints, primary, generic_names, notes)
    _add_hints(plan, finding.hints)
    return plan


def _add_hints(plan: _Plan, hints: list[FieldSpec]) -> None:
    index = next(i for i, b in enumerate(plan.blueprints) if b.name == plan.primary)
    item = plan.blueprints[index]
    have = {f.name for f in item.fields}
    extra = tuple({f.name: f for f in hints if f.name not in have}.values())
    if extra:
        plan.blueprints[index] = item.with_fields(extra)
        fields = join_words([f.label[:1].lower() + f.label[1:] for f in extra])
        plan.notes.append(f"The {fields} fields the message mentions went on {item.plural_label}.")


def _pages(entities: tuple[EntitySpec, ...]) -> tuple[PageSpec, ...]:
    lists = [
        PageSpec(
            name="".join(part.capitalize() for part in e.collection.split("_")),
            title=e.plural_label,
            path="/" + e.collection.replace("_", "-"),
            kind="list",
            entity=e.name,
        )
        for e in entities
    ]
    return (
        PageSpec(name="Dashboard", title="Dashboard", path="/", kind="dashboard"),
        *lists,
        PageSpec(name="Activity", title="Activity", path="/activity", kind="activity"),
    )


def _data_notes(plan: _Plan, entities: tuple[EntitySpec, ...], generic: list[str]) -> list[str]:
    labels = join_words([e.plural_label for e in entities])
    first = f"Read this as {plan.domain.kind}: it stores {labels}" if plan.domain else f"It stores {labels}"
    curated = any(e.name not in generic for e in entities)
    notes = [f"{first}; fields, types and defaults come from AppGenerator's built-in vocabulary." if curated
             else f"{first}."]  # fmt: skip
    links = [f"{e.label} → {r.target}" for e in entities for r in e.relations]
    if links:
        more = f" (and {len(links) - 8} more)" if len(links) > 8 else ""
        notes.append(f"Records link by id: {', '.join(links[:8])}{more}.")
    notes.append("Each signed-in user sees only the records they created.")
    return notes


def _name(original: str, plan: _Plan, entities: tuple[EntitySpec, ...]) -> tuple[str, list[str]]:
    stated = named_in(original)
    if stated:
        return stated, []
    fallback = plan.domain.app_name if plan.domain else f"{entities[0].label} Manager"
    name = phrase_name(original) or display_name(fallback) or "My App"
    return name, [f"Named the app “{name}”; say “called …” in the message to choose the name."]


def _description(name: str, plan: _Plan, entities: tuple[EntitySpec, ...]) -> str:
    if plan.domain is not None:
        purpose = plan.domain.purpose
    else:
        purpose = f"keep track of {join_words([e.plural_label.lower() for e in entities])}"
    return safe_text(f"{name} helps you {purpose}.", 480) or "A generated app."


def extract(message: str) -> AppSpec:
    """Build an app spec from a plain-language description, without a model.

    Args:
        message: What the user wants (``"Build a task tracker with React and Python"``); only the first
            :data:`MAX_MESSAGE_CHARS` characters are read.

    Returns:
        A valid spec with ``source="offline-extractor"``: entities from a recognised kind of app and the nouns the
        message lists, a Dashboard, a list page per entity and an Activity page, at least one ``notifications``
        workflow and one agent, and every guess in ``assumptions``.

    Raises:
        ValueError: The message is empty, only whitespace or has no words.
    """
    original, text, notes = _prepare(message)
    plan = _plan(text)
    present = {b.name for b in plan.blueprints}
    entities = tuple(b.to_entity(present) for b in plan.blueprints)
    by_name = {b.name: b for b in plan.blueprints}
    primary = next(e for e in entities if e.name == plan.primary)
    name, name_notes = _name(original, plan, entities)
    workflows, workflow_notes = features.workflows(text, entities, primary, by_name)
    agents, agent_notes = features.agents(text, name, entities)
    assumptions = [
        *notes,
        *features.stack_assumptions(text),
        *_data_notes(plan, entities, plan.generic),
        *plan.notes,
        *name_notes,
        "Pages: a Dashboard at /, a list page per entity, and an Activity feed at /activity.",
        *workflow_notes,
        *agent_notes,
    ]
    return AppSpec(
        name=name,
        slug=slug_for(name, plan.domain.app_name if plan.domain else "my-app"),
        description=_description(name, plan, entities),
        entities=entities,
        pages=_pages(entities),
        workflows=tuple(workflows),
        agents=tuple(agents),
        assumptions=tuple(assumptions),
        source="offline-extractor",
    )
