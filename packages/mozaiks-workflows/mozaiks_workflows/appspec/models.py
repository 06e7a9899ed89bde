"""The structured app spec AppGenerator builds from a message and renders the generated repo from.

Every name in a spec is checked here, because templates put them into file paths, Python identifiers, TypeScript
identifiers and URLs: entity names are PascalCase, collections and fields snake_case, slugs kebab-case, and none
collides with a reserved word of the generated code (Python, TypeScript, the runtime's own document fields).
``AppSpec.model_json_schema()`` is the ``output_schema`` the model path of AppGenerator is held to.
"""

from __future__ import annotations

import keyword
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "FIELD_TYPES",
    "GENERATOR_VERSION",
    "RESERVED_FIELDS",
    "RESERVED_WORDS",
    "AgentSpec",
    "AppSpec",
    "EntitySpec",
    "FieldSpec",
    "PageSpec",
    "RelationSpec",
    "WorkflowSpec",
]

GENERATOR_VERSION = "0.1.0"

FieldType = Literal["string", "text", "integer", "number", "boolean", "date", "datetime", "email", "url", "enum"]
FIELD_TYPES: tuple[str, ...] = FieldType.__args__  # type: ignore[attr-defined]

#: Fields every stored document has already (set by mozaiks-core), or that identity owns.
RESERVED_FIELDS = frozenset({"id", "owner", "created_at", "updated_at", "app_id", "user_id", "_id"})
#: Words that would break generated TypeScript or clash with generated pages, routes and the runtime's collections.
RESERVED_WORDS = frozenset(
    {"class", "function", "default", "delete", "new", "return", "this", "typeof", "void", "var", "let", "const",
     "enum", "interface", "package", "private", "public", "static", "yield", "await", "import", "export", "super",
     "extends", "implements", "switch", "case", "catch", "finally", "throw", "try", "while", "with", "in", "of",
     "instanceof", "debugger", "continue", "break", "do", "else", "for", "if", "null", "true", "false", "type",
     "string", "number", "boolean", "object", "any", "never", "unknown", "activity", "activities", "auth", "health",
     "ready", "metrics", "payments", "workflows", "marketing", "user", "users", "login", "dashboard", "stats",
     "app", "layout", "nav"}
)  # fmt: skip

_SNAKE = re.compile(r"[a-z][a-z0-9_]{0,39}")
_PASCAL = re.compile(r"[A-Z][A-Za-z0-9]{0,39}")
_KEBAB = re.compile(r"[a-z][a-z0-9-]{0,49}")
#: Line breaks of YAML/.env/Python (\r, NEL, LS, PS) and other control characters: free text never carries them,
#: so it cannot start a new line (a new key, a new statement) in a generated file.
_CONTROL = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")


def _one_line(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must be one line of text without control characters")
    return value


def _plain_text(value: str) -> str:
    _one_line(value)
    if "{{" in value or "{%" in value or "{#" in value:
        raise ValueError("must not contain template markup ({{, {%, {#)")
    return value


#: One line of human text (labels, names, descriptions): no control characters, no template markup.
Text = Annotated[str, AfterValidator(_plain_text)]


def _check_snake(value: str, what: str) -> str:
    if not _SNAKE.fullmatch(value) or "__" in value or value.endswith("_"):
        raise ValueError(f"{what} {value!r} must be snake_case: a lowercase letter, then letters, digits or _")
    if keyword.iskeyword(value) or value in RESERVED_WORDS:
        raise ValueError(f"{what} {value!r} is a reserved word in the generated code")
    return value


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _default_fits(kind: str, value: object) -> bool:
    """Whether a default value has the field's type (texts are one plain line: they land in generated code)."""
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if not isinstance(value, str) or len(value) > 200:
        return False
    try:
        _plain_text(value)
    except ValueError:
        return False
    return True


class FieldSpec(_Spec):
    """One field of an entity.

    Attributes:
        name: snake_case key in the stored document and the JSON API (``due_date``).
        label: Human label (``Due date``).
        type: One of :data:`FIELD_TYPES`; ``text`` is long text, ``enum`` takes ``options``.
        required: The API refuses a create without it.
        options: The allowed values of an ``enum`` (at least one).
        default: Value used when a create leaves it out.
    """

    name: str
    label: Text = Field(min_length=1, max_length=80)
    type: FieldType = "string"
    required: bool = False
    options: tuple[Annotated[Text, Field(min_length=1, max_length=80)], ...] = Field(default=(), max_length=50)
    default: str | int | float | bool | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        _check_snake(value, "field name")
        if value in RESERVED_FIELDS:
            raise ValueError(f"field name {value!r} is reserved (the runtime sets it)")
        return value

    @model_validator(mode="after")
    def _options(self) -> FieldSpec:
        if len(set(self.options)) != len(self.options):
            raise ValueError(f"options of {self.name!r} must be unique")
        if self.default is not None and not _default_fits(self.type, self.default):
            raise ValueError(f"default of {self.name!r} must be a {self.type} value")
        if self.type == "enum" and not self.options:
            raise ValueError(f"enum field {self.name!r} needs options")
        if self.type != "enum" and self.options:
            raise ValueError(f"only enum fields take options ({self.name!r} is {self.type})")
        if self.type == "enum" and self.default is not None and self.default not in self.options:
            raise ValueError(f"default of {self.name!r} must be one of its options")
        return self


class RelationSpec(_Spec):
    """A reference from one entity to another (stored as the target's id in field ``name``).

    Attributes:
        name: snake_case field holding the target id (``project_id``).
        target: The target entity's ``name`` (``Project``).
        required: A create must name an existing target.
    """

    name: str
    target: str
    required: bool = False

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.endswith("_id"):
            raise ValueError(f"relation field {value!r} must end with _id")
        return _check_snake(value, "relation field")


class EntitySpec(_Spec):
    """A kind of record the app stores (a collection in mozaiks-core's db).

    Attributes:
        name: PascalCase singular (``Task``, ``BlogPost``): TypeScript types, page components.
        label: Human singular (``Task``, ``Blog post``).
        plural_label: Human plural (``Tasks``).
        collection: snake_case plural (``tasks``, ``blog_posts``): db collection, ``/api/<collection>``, module names.
        event_noun: snake_case singular (``task``, ``blog_post``): events are ``<event_noun>.created`` etc.
        fields: Its fields (at least one).
        relations: References to other entities.
        title_field: The field that names a record in lists (a string field).
        owner_scoped: Each user sees only their own records (the default); ``False`` for shared catalogues.
    """

    name: str
    label: Text = Field(min_length=1, max_length=80)
    plural_label: Text = Field(min_length=1, max_length=80)
    collection: str
    event_noun: str
    fields: tuple[FieldSpec, ...] = Field(min_length=1, max_length=30)
    relations: tuple[RelationSpec, ...] = ()
    title_field: str
    owner_scoped: bool = True

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _PASCAL.fullmatch(value) or value.lower() in RESERVED_WORDS:
            raise ValueError(f"entity name {value!r} must be PascalCase and not a reserved word")
        return value

    @field_validator("collection", "event_noun")
    @classmethod
    def _snake(cls, value: str) -> str:
        return _check_snake(value, "collection / event noun")

    @model_validator(mode="after")
    def _consistent(self) -> EntitySpec:
        names = [f.name for f in self.fields] + [r.name for r in self.relations]
        if len(names) != len(set(names)):
            raise ValueError(f"entity {self.name}: field names must be unique")
        title = next((f for f in self.fields if f.name == self.title_field), None)
        if title is None or title.type not in ("string", "email", "url", "enum"):
            raise ValueError(f"entity {self.name}: title_field must name one of its string fields")
        if self.collection == self.event_noun:
            raise ValueError(f"entity {self.name}: collection and event_noun must differ (plural vs singular)")
        return self


class PageSpec(_Spec):
    """A page of the generated frontend.

    Attributes:
        name: PascalCase component name without ``Page`` (``Tasks``, ``Dashboard``).
        title: Heading and navigation label.
        path: Route (``/tasks``); ``/`` for the home page.
        kind: ``list`` (records of ``entity`` with a create form), ``dashboard`` (counts of every entity),
            ``activity`` (what workflows reported).
        entity: For ``list`` pages, the entity's ``name``.
    """

    name: str
    title: Text = Field(min_length=1, max_length=80)
    path: str = Field(pattern=r"^/[a-z0-9\-/]*$", max_length=80)
    kind: Literal["list", "dashboard", "activity"]
    entity: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _PASCAL.fullmatch(value):
            raise ValueError(f"page name {value!r} must be PascalCase")
        return value

    @model_validator(mode="after")
    def _entity(self) -> PageSpec:
        if (self.kind == "list") != (self.entity is not None):
            raise ValueError(f"page {self.name}: list pages (and only they) name an entity")
        return self


class WorkflowSpec(_Spec):
    """A workflow of the generated app (``workflows/<id>.yml``, run on mozaiks-ai).

    Attributes:
        id: kebab-case file stem (``notifications``, ``task-created``).
        name: Display name.
        description: What it does.
        trigger: The event it runs on: ``<event_noun>.created`` of one of the entities.
        entity: The entity whose event triggers it.
        message: What the workflow reports back to the app's activity feed (a Jinja2 template over ``event``).
    """

    id: str
    name: Text = Field(min_length=1, max_length=80)
    description: Text = Field(max_length=300)
    trigger: str = Field(pattern=r"^[a-z][a-z0-9_]*\.(created|updated|deleted)$")
    entity: str
    message: Annotated[str, AfterValidator(_one_line)] = Field(min_length=1, max_length=300)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _KEBAB.fullmatch(value):
            raise ValueError(f"workflow id {value!r} must be kebab-case")
        return value


class AgentSpec(_Spec):
    """An agent of the generated app (``agents/<id>.json``), described for AgentGenerator.

    Attributes:
        id: kebab-case id (``support-bot``).
        name: Display name.
        description: What the agent helps with: AgentGenerator's input.
    """

    id: str
    name: Text = Field(min_length=1, max_length=80)
    description: Text = Field(min_length=1, max_length=500)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _KEBAB.fullmatch(value):
            raise ValueError(f"agent id {value!r} must be kebab-case")
        return value


class AppSpec(_Spec):
    """Everything AppGenerator renders an app from.

    Attributes:
        name: Display name (``Task Tracker``).
        slug: kebab-case repo / package name (``task-tracker``); also the mozaiks-core app id.
        description: One or two sentences.
        frontend: The frontend stack (only ``react`` is generated).
        backend: The backend stack (only ``python`` on mozaiks-core is generated).
        entities: What the app stores (1–12).
        pages: Frontend pages; a dashboard at ``/`` and a list page per entity at least.
        workflows: App workflows (event-triggered).
        agents: App agents.
        assumptions: What the generator assumed that the message did not say (shown to the user).
        source: ``offline-extractor`` or ``model``: who produced the spec.
        generator_version: :data:`GENERATOR_VERSION`.
    """

    name: Text = Field(min_length=1, max_length=80)
    slug: str
    description: Text = Field(min_length=1, max_length=500)
    frontend: Literal["react"] = "react"
    backend: Literal["python"] = "python"
    entities: tuple[EntitySpec, ...] = Field(min_length=1, max_length=12)
    pages: tuple[PageSpec, ...] = Field(min_length=1, max_length=30)
    workflows: tuple[WorkflowSpec, ...] = Field(default=(), max_length=10)
    agents: tuple[AgentSpec, ...] = Field(default=(), max_length=5)
    assumptions: tuple[Annotated[Text, Field(max_length=500)], ...] = Field(default=(), max_length=50)
    source: Literal["offline-extractor", "model"] = "offline-extractor"
    generator_version: str = GENERATOR_VERSION

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _KEBAB.fullmatch(value) or value.endswith("-") or "--" in value:
            raise ValueError(f"slug {value!r} must be kebab-case")
        return value

    @model_validator(mode="after")
    def _references(self) -> AppSpec:
        names = [e.name for e in self.entities]
        for label, values in (
            ("entity names", names),
            ("collections", [e.collection for e in self.entities]),
            ("event nouns", [e.event_noun for e in self.entities]),
            ("page names", [p.name for p in self.pages]),
            ("page paths", [p.path for p in self.pages]),
            ("workflow ids", [w.id for w in self.workflows]),
            ("agent ids", [a.id for a in self.agents]),
        ):
            if len(values) != len(set(values)):
                raise ValueError(f"{label} must be unique")
        nouns = {e.event_noun: e.name for e in self.entities}
        for entity in self.entities:
            for relation in entity.relations:
                if relation.target not in names:
                    raise ValueError(f"{entity.name}.{relation.name} refers to unknown entity {relation.target!r}")
        for page in self.pages:
            if page.entity is not None and page.entity not in names:
                raise ValueError(f"page {page.name} refers to unknown entity {page.entity!r}")
        for workflow in self.workflows:
            if workflow.entity not in names or nouns.get(workflow.trigger.split(".")[0]) != workflow.entity:
                raise ValueError(f"workflow {workflow.id}: trigger must be an event of its entity {workflow.entity!r}")
        return self

    def entity(self, name: str) -> EntitySpec:
        """Return the entity called ``name``."""
        for entity in self.entities:
            if entity.name == name:
                return entity
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        """The spec as plain JSON (what ``mozaiks.json`` stores and templates receive)."""
        return self.model_dump(mode="json")
