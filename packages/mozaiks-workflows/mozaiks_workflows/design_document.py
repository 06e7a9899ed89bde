"""DesignDocument's result: a design document for an idea, drafted deterministically when no model is configured.

:class:`DesignResult` (a :class:`Design` plus the :class:`Update` list that says what changed and why) is the JSON
both paths produce. :func:`draft_design` builds a first version from an idea and, when given, ValueEngine's
result (its top-ranked direction sets the title, audience and problem). Alignment of an existing document with
feedback lives in :mod:`mozaiks_workflows.design_alignment`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mozaiks_workflows.domains import GENERIC, Domain, EntityHint, match_domain
from mozaiks_workflows.text_analysis import (
    clean,
    explicit_audience,
    explicit_problem,
    feature_phrases,
    keywords,
    pluralize,
    product_name,
    sentence,
    snake_case,
    tech_mentions,
    title_case,
)

__all__ = [
    "DataEntity",
    "DataField",
    "Design",
    "DesignResult",
    "Endpoint",
    "Feature",
    "Requirement",
    "Update",
    "UserRole",
    "WorkflowItem",
    "draft_design",
    "idea_text",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UserRole(_Model):
    """A kind of user and what they need."""

    role: str = Field(min_length=1)
    description: str = Field(min_length=1)
    needs: list[str]


class Feature(_Model):
    """A capability, with a MoSCoW priority."""

    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    priority: Literal["must", "should", "could"]


class DataField(_Model):
    """A field of a stored record (``type`` as in the app spec; enums list their options)."""

    name: str = Field(min_length=1)
    type: str = Field(min_length=1)
    required: bool


class DataEntity(_Model):
    """A kind of record the app stores."""

    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    fields: list[DataField] = Field(min_length=1)
    relations: list[str]


class Endpoint(_Model):
    """One HTTP endpoint of the backend."""

    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
    path: str = Field(min_length=1)
    description: str = Field(min_length=1)


class WorkflowItem(_Model):
    """An automation: what starts it and what it does."""

    name: str = Field(min_length=1)
    trigger: str = Field(min_length=1)
    steps: list[str] = Field(min_length=1)


class Requirement(_Model):
    """A non-functional need."""

    category: str = Field(min_length=1)
    requirement: str = Field(min_length=1)


class Design(_Model):
    """A design document.

    Attributes:
        title: The product's name.
        version: 1 for a first draft; each alignment adds one.
        summary: What it is, in two sentences.
        problem: The problem it solves.
        users: Who uses it.
        features: What it does.
        data_model: What it stores.
        api: The backend's HTTP API.
        workflows: Automations.
        non_functional: Security, performance, privacy … needs.
        open_questions: Decisions still to make.
        assumptions: What the author assumed.
    """

    title: str = Field(min_length=1)
    version: int = Field(ge=1)
    summary: str = Field(min_length=1)
    problem: str = Field(min_length=1)
    users: list[UserRole] = Field(min_length=1)
    features: list[Feature] = Field(min_length=1)
    data_model: list[DataEntity] = Field(min_length=1)
    api: list[Endpoint] = Field(min_length=1)
    workflows: list[WorkflowItem]
    non_functional: list[Requirement] = Field(min_length=1)
    open_questions: list[str]
    assumptions: list[str]


Section = Literal["summary", "users", "features", "data_model", "api", "workflows", "non_functional", "open_questions"]


class Update(_Model):
    """One alignment change: what changed in which section, and why."""

    section: Section
    change: Literal["added", "removed", "changed", "noted"]
    item: str = Field(min_length=1)
    reason: str = Field(min_length=1)


class DesignResult(_Model):
    """DesignDocument's JSON result: the document and the updates that produced it from the previous version."""

    document: Design
    updates: list[Update]


def idea_text(idea: str | None, value: dict[str, Any] | None) -> str:
    """The idea to design for: ``idea``, else ValueEngine's ``idea`` field.

    Raises:
        ValueError: Neither holds any text.
    """
    text = clean(idea or "")
    if not text and isinstance(value, dict) and isinstance(value.get("idea"), str):
        text = clean(value["idea"])
    if not text:
        raise ValueError(
            "nothing to design: pass 'idea' (a sentence describing the product), 'value' (ValueEngine's output) "
            "or 'document' (an existing design document) with 'feedback'"
        )
    return text


def _top_direction(value: dict[str, Any] | None) -> dict[str, Any]:
    ideas = value.get("ideas") if isinstance(value, dict) else None
    if not isinstance(ideas, list) or not ideas:
        return {}
    ranked = [i for i in ideas if isinstance(i, dict)]
    ranked.sort(key=lambda i: i.get("rank", 99) if isinstance(i.get("rank"), int) else 99)
    return ranked[0] if ranked else {}


def _generic_entity(text: str) -> EntityHint:
    verbs = {"track", "manage", "find", "share", "organize", "organise", "log", "plan", "book", "keep", "see"}
    noun = next((w for w in keywords(text, 6) if w not in verbs), "item")
    singular = noun[:-1] if noun.endswith("s") and not noun.endswith("ss") else noun
    return EntityHint(
        title_case(singular).replace(" ", ""),
        (("name", "string"), ("notes", "text"), ("status", "enum:active|archived")),
    )


def _field(name: str, kind: str, first: bool) -> DataField:
    if kind.startswith("enum:"):
        kind = "enum (" + ", ".join(kind[5:].split("|")) + ")"
    return DataField(name=name, type=kind, required=first)


def _entities(domain: Domain, text: str) -> list[DataEntity]:
    hints = list(domain.entities) or [_generic_entity(text)]
    out = []
    for hint in hints:
        fields = [_field(n, k, i == 0) for i, (n, k) in enumerate(hint.fields)]
        fields += [
            DataField(name=f"{snake_case(r)}_id", type=f"reference to {r}", required=False) for r in hint.relations
        ]
        plural = pluralize(snake_case(hint.name).replace("_", " "))
        out.append(
            DataEntity(
                name=hint.name,
                description=f"A {snake_case(hint.name).replace('_', ' ')} owned by the user who created it; "
                f"listed, created, edited and deleted on the {plural} page.",
                fields=fields,
                relations=[f"{hint.name} → {r} (optional {snake_case(r)}_id)" for r in hint.relations],
            )
        )
    return out


def _collection(entity: DataEntity) -> str:
    return pluralize(snake_case(entity.name))


def _api(entities: list[DataEntity]) -> list[Endpoint]:
    out = [
        Endpoint(method="POST", path="/api/auth/signup", description="Create an account (email and password)."),
        Endpoint(method="POST", path="/api/auth/login", description="Sign in; returns access and refresh tokens."),
        Endpoint(method="GET", path="/api/auth/me", description="The signed-in user."),
    ]
    for entity in entities:
        c, label = _collection(entity), pluralize(snake_case(entity.name).replace("_", " "))
        out += [
            Endpoint(method="GET", path=f"/api/{c}", description=f"List the user's {label} (cursor pagination)."),
            Endpoint(
                method="POST", path=f"/api/{c}", description=f"Create one; emits {snake_case(entity.name)}.created."
            ),
            Endpoint(method="GET", path=f"/api/{c}/{{id}}", description="Read one (404 if it is another user's)."),
            Endpoint(method="PATCH", path=f"/api/{c}/{{id}}", description="Update some fields."),
            Endpoint(method="DELETE", path=f"/api/{c}/{{id}}", description="Delete it."),
        ]
    out += [
        Endpoint(method="GET", path="/api/stats", description="Counts per collection for the dashboard."),
        Endpoint(method="GET", path="/api/activity", description="Recent activity, newest first."),
        Endpoint(method="POST", path="/api/activity", description="Workflows record activity (app-scoped token)."),
    ]
    return out


def _features(domain: Domain, entities: list[DataEntity], text: str, direction: dict[str, Any]) -> list[Feature]:
    out = [
        Feature(
            name="Accounts",
            priority="must",
            description="Sign up, sign in and sign out; every record belongs to the user who created it.",
        )
    ]
    for entity in entities:
        plural = pluralize(snake_case(entity.name).replace("_", " "))
        names = ", ".join(f.name for f in entity.fields[:4])
        out.append(
            Feature(
                name=f"Manage {plural}",
                priority="must",
                description=f"Create, list, edit and delete {plural} ({names}…).",
            )
        )
    out.append(
        Feature(
            name="Dashboard",
            priority="should",
            description="Counts per collection and the latest activity after signing in.",
        )
    )
    for phrase in feature_phrases(text):
        out.append(
            Feature(name=title_case(phrase), priority="should", description=f"Requested in the idea: “{phrase}”.")
        )
    for name, trigger, action in domain.automations:
        priority: Literal["should", "could"] = "could" if trigger.startswith("schedule") else "should"
        out.append(Feature(name=name, priority=priority, description=f"Automation: {action} ({trigger})."))
    if "assistant" in str(direction.get("title", "")).lower():
        out.append(
            Feature(
                name="Assistant",
                priority="could",
                description="A chat assistant that answers questions about the user's records.",
            )
        )
    return out


def _non_functional(text: str) -> list[Requirement]:
    lowered = text.lower()
    out = [
        Requirement(
            category="Security",
            requirement="Passwords hashed with Argon2id, short-lived JWT access tokens "
            "with rotating refresh tokens; every record is scoped to its owner (another user's record is a 404).",
        ),
        Requirement(
            category="Performance",
            requirement="List endpoints answer in under 300 ms at the 95th "
            "percentile with 10,000 records per user (cursor pagination, indexed owner field).",
        ),
        Requirement(
            category="Reliability",
            requirement="Events are written to a durable outbox, so a workflow "
            "runtime that is down never fails or loses a user's request.",
        ),
        Requirement(
            category="Privacy", requirement="Users can export and delete their data; no personal data in logs."
        ),
        Requirement(
            category="Accessibility", requirement="Every page usable with a keyboard and a screen reader (WCAG 2.1 AA)."
        ),
        Requirement(
            category="Operability",
            requirement="Health and readiness endpoints, Prometheus metrics and a "
            "single `docker compose up` for a local run.",
        ),
    ]
    if any(w in lowered for w in ("health", "medical", "patient", "finance", "money", "bank")):
        out.append(
            Requirement(
                category="Privacy",
                requirement="Treat health and financial data as sensitive: "
                "encrypt backups, restrict access and document how long data is kept.",
            )
        )
    if any(w in lowered for w in ("payment", "subscription", "checkout", "billing")):
        out.append(
            Requirement(
                category="Security",
                requirement="Payments through a PCI-compliant provider; card data never touches the app.",
            )
        )
    if any(w in lowered for w in ("mobile", "phone", "on the go")):
        out.append(Requirement(category="Usability", requirement="Responsive pages usable on a 375 px wide phone."))
    return out


def draft_design(idea: str | None = None, value: dict[str, Any] | None = None) -> DesignResult:
    """Draft a first design document from an idea and/or ValueEngine's result (deterministic).

    Args:
        idea: The idea as typed.
        value: ValueEngine's output (its top-ranked direction sets title, audience and problem).

    Raises:
        ValueError: Neither argument holds an idea.
    """
    text = idea_text(idea, value)
    direction = _top_direction(value)
    domain, matched = match_domain(text)
    entities = _entities(domain, text)
    name = product_name(text, f"{entities[0].name} Hub")
    audience = str(direction.get("audience") or explicit_audience(text) or domain.audience)
    problem = sentence(str(direction.get("problem") or explicit_problem(text) or domain.problem))
    proposition = str(direction.get("value_proposition") or f"{name} for {audience}: {domain.outcome}.")
    users = [
        UserRole(
            role="Member",
            description=f"The first users: {audience}.",
            needs=[
                f"{domain.outcome[:1].upper() + domain.outcome[1:]}.",
                "Sign in from any browser.",
                "See only their own records.",
            ],
        ),
    ]
    if domain.b2b:
        users.append(
            UserRole(
                role="Workspace owner",
                description="Sets the app up for their business.",
                needs=["Invite colleagues (later version).", "Export the data.", "Control costs."],
            )
        )
    automations = [
        WorkflowItem(name=n, trigger=t, steps=[a[:1].upper() + a[1:] + "."]) for n, t, a in domain.automations
    ]
    questions = [
        "Who pays, and how much? (pricing is not designed yet)",
        "Which notifications should be e-mails and which only in-app?",
    ]
    if not (direction.get("audience") or explicit_audience(text)):
        questions.insert(0, f"Which segment comes first? (assumed: {audience})")
    assumptions = [
        "Offline draft: derived from the idea's words and a built-in catalogue of product domains, "
        "not written by a language model."
    ]
    assumptions.append(
        f"Read as a {domain.label} product (matched: {', '.join(matched)})."
        if domain is not GENERIC
        else f"No known product domain matched; the data model starts from the word “{entities[0].name.lower()}”."
    )
    tech = tech_mentions(text)
    assumptions.append(
        "Stack: a React + TypeScript frontend and a Python backend on mozaiks-core, with workflows on mozaiks-ai"
        + (f" (the idea mentions {', '.join(tech)})." if tech else ".")
    )
    if direction:
        assumptions.append(f"Built on ValueEngine's top direction: “{direction.get('title', name)}”.")
    document = Design(
        title=name,
        version=1,
        summary=f"{proposition} This first version covers accounts, "
        + ", ".join(pluralize(snake_case(e.name).replace("_", " ")) for e in entities)
        + ", a dashboard and an activity feed.",
        problem=problem,
        users=users,
        features=_features(domain, entities, text, direction),
        data_model=entities,
        api=_api(entities),
        workflows=automations,
        non_functional=_non_functional(text),
        open_questions=questions,
        assumptions=assumptions,
    )
    return DesignResult(document=document, updates=[])
