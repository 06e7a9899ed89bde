"""Features a message asks for beyond its data: the stack, notifications, and AI agents.

Each detector reads the prepared message (lowercased, ASCII-folded) and returns plain values plus the assumption
sentences the spec should carry, so :mod:`.extractor` only assembles.
"""

from __future__ import annotations

import re

from .blueprint import Blueprint
from .models import AgentSpec, EntitySpec, WorkflowSpec
from .naming import join_words, pluralize

__all__ = ["agents", "stack_assumptions", "workflows"]

_OTHER_FRONTENDS = (
    ("Vue", r"vue(?:\.?js)?|nuxt"), ("Angular", r"angular(?:js)?"), ("Svelte", r"svelte(?:kit)?"),
    ("Next.js", r"next\.?js|next js"), ("React Native", r"react native"), ("Flutter", r"flutter"),
    ("SolidJS", r"solid\.?js"), ("Ember", r"ember(?:\.?js)?"), ("jQuery", r"jquery"), ("HTMX", r"htmx"),
    ("SwiftUI", r"swiftui"), ("Blazor", r"blazor"),
)  # fmt: skip
_OTHER_BACKENDS = (
    ("Django", r"django"), ("Flask", r"flask"), ("FastAPI", r"fastapi"), ("Node.js", r"node(?:\.?js)?"),
    ("Express", r"express(?:\.?js)?"), ("NestJS", r"nest\.?js"), ("Ruby on Rails", r"rails|ruby"),
    ("PHP", r"php|laravel|symfony"), ("Java", r"java|spring(?: boot)?"), ("Go", r"golang|go (?:backend|server|api)"),
    ("Rust", r"rust"), (".NET", r"\.net|asp\.net|c#"), ("Kotlin", r"kotlin"), ("Elixir", r"elixir|phoenix"),
    ("Firebase", r"firebase"), ("Supabase", r"supabase"),
)  # fmt: skip
_DATABASES = (
    ("PostgreSQL", r"postgres(?:ql)?"), ("MySQL", r"mysql|mariadb"), ("MongoDB", r"mongo(?:db)?"),
    ("SQLite", r"sqlite"), ("Redis", r"redis"), ("DynamoDB", r"dynamodb"),
)  # fmt: skip

_NOTIFY = re.compile(
    r"(?<![a-z])(?:notif\w*|e-?mail\w*|remind\w*|alert\w*|sms|text me|ping me|slack|push|let me know|tell me when"
    r"|webhook\w*|digest\w*)(?![a-z])"
)
_DELIVERY = re.compile(r"(?<![a-z])(?:e-?mail\w*|sms|text me|slack|push|webhook\w*)(?![a-z])")
_AI = re.compile(
    r"(?<![a-z])(?:ai|a\.i\.|chat ?bots?|bots?|assistants?|copilots?|co-pilots?|llms?|gpt\w*|chatgpt|ai agents?"
    r"|virtual agents?|smart suggestions|machine learning|openai|claude|gemini)(?![a-z])"
)
_ASSISTANT = re.compile(r"(?<![a-z])(?:assistants?|copilots?|co-pilots?)(?![a-z])")
_SUPPORT = re.compile(
    r"(?<![a-z])(?:support|help ?desk|customer service|faq|questions|answers?|help (?:customers|visitors|users))"
    r"(?![a-z])"
)


def _mentioned(patterns: tuple[tuple[str, str], ...], text: str) -> list[str]:
    return [label for label, pattern in patterns if re.search(rf"(?<![a-z0-9]){pattern}(?![a-z0-9])", text)]


def stack_assumptions(text: str) -> list[str]:
    """Sentences about the stack: what was asked versus what is generated (React + Python on mozaiks-core)."""
    asked_react = re.search(r"(?<![a-z])react(?! native)(?![a-z])", text) is not None
    asked_python = re.search(r"(?<![a-z])python(?![a-z])", text) is not None
    others = _mentioned(_OTHER_FRONTENDS, text) + _mentioned(_OTHER_BACKENDS, text)
    sentences = []
    if others:
        sentences.append(
            f"You mentioned {', '.join(others)}; AppGenerator generates a React frontend and a Python backend on "
            "mozaiks-core instead."
        )
    elif asked_react and asked_python:
        sentences.append("React frontend and Python backend on mozaiks-core (as asked).")
    elif asked_react or asked_python:
        sentences.append("React frontend and Python backend on mozaiks-core (the stack AppGenerator generates).")
    else:
        sentences.append("React frontend and Python backend on mozaiks-core (the message named no stack).")
    databases = _mentioned(_DATABASES, text)
    if databases:
        sentences.append(
            f"You mentioned {', '.join(databases)}; records are stored in mozaiks-core's document database, whose "
            "backend is configured when the app is deployed."
        )
    return sentences


def _sentences_with(pattern: re.Pattern[str], text: str) -> list[str]:
    return [s for s in re.split(r"[.!?;\n]", text) if pattern.search(s)]


def _entity_pattern(entity: EntitySpec, aliases: tuple[str, ...]) -> re.Pattern[str]:
    words = {entity.label.lower(), entity.plural_label.lower(), *aliases, *(pluralize(a) for a in aliases)}
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))
    return re.compile(rf"(?<![a-z])(?:{alternatives})(?![a-z])")


def _notified_entities(
    text: str, entities: tuple[EntitySpec, ...], blueprints: dict[str, Blueprint]
) -> list[EntitySpec]:
    sentences = _sentences_with(_NOTIFY, text)
    chosen: list[tuple[int, int, EntitySpec]] = []
    for index, entity in enumerate(entities):
        pattern = _entity_pattern(entity, blueprints[entity.name].aliases)
        for sentence_index, sentence in enumerate(sentences):
            match = pattern.search(sentence)
            if match:
                chosen.append((sentence_index * 100_000 + match.start(), index, entity))
                break
    return [entity for _, _, entity in sorted(chosen, key=lambda c: (c[0], c[1]))]


def workflows(
    text: str, entities: tuple[EntitySpec, ...], primary: EntitySpec, blueprints: dict[str, Blueprint]
) -> tuple[list[WorkflowSpec], list[str]]:
    """The app's workflows and the assumptions behind them.

    There is always a ``notifications`` workflow. When the message asks to be notified, reminded or emailed about
    named entities, it listens to the first of them (and ``<event-noun>-notifications`` to the others, up to five);
    otherwise it listens to ``primary``. Each records a message in the app's Activity feed.
    """
    asked = _NOTIFY.search(text) is not None
    targets = (_notified_entities(text, entities, blueprints) if asked else []) or [primary]
    specs = []
    for position, entity in enumerate(targets[:5]):
        workflow_id = "notifications" if position == 0 else f"{entity.event_noun.replace('_', '-')}-notifications"
        specs.append(
            WorkflowSpec(
                id=workflow_id if len(workflow_id) <= 50 else f"notifications-{position + 1}",
                name=f"{entity.label} notifications",
                description=f"Record a notification in the activity feed when a {entity.label.lower()} is created.",
                trigger=f"{entity.event_noun}.created",
                entity=entity.name,
                message=blueprints[entity.name].notification(),
            )
        )
    labels = join_words([e.plural_label.lower() for e in targets[:5]])
    if not asked:
        notes = [f"Added a notifications workflow that records each new {primary.label.lower()} in the Activity feed."]
    else:
        notes = [f"Notifications about new {labels} are recorded in the app's Activity feed."]
        if _DELIVERY.search(text):
            notes.append("Delivering them by email, SMS or chat needs a provider you configure after generation.")
    return specs, notes


def agents(text: str, name: str, entities: tuple[EntitySpec, ...]) -> tuple[list[AgentSpec], list[str]]:
    """The app's agents (one or two) and the assumptions behind them.

    A support flavour (``support``, ``FAQ``, ``questions``) next to an AI word gives ``support-bot``; an assistant,
    copilot or other AI request gives ``assistant``. When the message asks for no AI at all, ``assistant`` is still
    added (so the app has an agent to start from) and an assumption says so.
    """
    plurals = [e.plural_label.lower() for e in entities[:4]]
    topics = join_words([*plurals, "more"] if len(entities) > 4 else plurals)
    assistant = AgentSpec(
        id="assistant",
        name=f"{name} assistant"[:80],
        description=f"Helps people using {name} find, create and summarise their {topics}.",
    )
    support = AgentSpec(
        id="support-bot",
        name="Support bot",
        description=f"Answers questions about using {name} and helps people with their {topics}.",
    )
    if not _AI.search(text):
        return [assistant], [f"Added an AI assistant agent ({assistant.id}) that helps with {topics}."]
    wants_support = any(_SUPPORT.search(s) for s in _sentences_with(_AI, text))
    plain_assistant = any(not _SUPPORT.search(s) for s in _sentences_with(_ASSISTANT, text))
    wants_assistant = plain_assistant or not wants_support
    chosen = ([support] if wants_support else []) + ([assistant] if wants_assistant else [])
    return chosen, []
