"""Entity blueprints: a curated entity (typed fields, relations, a workflow message) before it joins a spec.

A blueprint becomes an :class:`~.models.EntitySpec` with :meth:`Blueprint.to_entity`, which derives labels,
collection and event noun from the PascalCase name and drops relations to entities the spec does not have.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import EntitySpec, FieldSpec, RelationSpec
from .naming import humanize, pluralize, snake, split_pascal

__all__ = [
    "Blueprint",
    "boolean",
    "date",
    "datetime",
    "email",
    "enum",
    "field_label",
    "integer",
    "number",
    "string",
    "text",
    "url",
]


#: Words written differently in labels (``cover_url`` → ``Cover URL``, ``weight_kg`` → ``Weight (kg)``).
_LABEL_WORDS = {"url": "URL", "isbn": "ISBN", "sku": "SKU", "kg": "(kg)", "sqm": "(sq m)", "minutes": "(minutes)"}


def field_label(name: str) -> str:
    """The human label of a snake_case field name."""
    return humanize([_LABEL_WORDS.get(word, word) for word in name.split("_")])


def _field(name: str, type_: str, *, required: bool = False, default: object = None, **extra: object) -> FieldSpec:
    return FieldSpec.model_validate(
        {"name": name, "label": field_label(name), "type": type_, "required": required, "default": default} | extra
    )


def string(name: str, *, required: bool = False) -> FieldSpec:
    """A short text field."""
    return _field(name, "string", required=required)


def text(name: str, *, required: bool = False) -> FieldSpec:
    """A long text field."""
    return _field(name, "text", required=required)


def integer(name: str, *, required: bool = False, default: int | None = None) -> FieldSpec:
    """A whole-number field."""
    return _field(name, "integer", required=required, default=default)


def number(name: str, *, required: bool = False, default: float | None = None) -> FieldSpec:
    """A decimal field (amounts, prices)."""
    return _field(name, "number", required=required, default=default)


def boolean(name: str, *, default: bool = False) -> FieldSpec:
    """A yes/no field."""
    return _field(name, "boolean", default=default)


def date(name: str, *, required: bool = False) -> FieldSpec:
    """A calendar date field."""
    return _field(name, "date", required=required)


def datetime(name: str, *, required: bool = False) -> FieldSpec:
    """A date-and-time field."""
    return _field(name, "datetime", required=required)


def email(name: str = "email", *, required: bool = False) -> FieldSpec:
    """An email address field."""
    return _field(name, "email", required=required)


def url(name: str, *, required: bool = False) -> FieldSpec:
    """A link field."""
    return _field(name, "url", required=required)


def enum(name: str, options: tuple[str, ...], default: str | None = None, *, required: bool = False) -> FieldSpec:
    """A choice field; ``default`` (the first option unless given) fills it when a create leaves it out."""
    return _field(name, "enum", required=required, default=default or options[0], options=options)


@dataclass(frozen=True)
class Blueprint:
    """A curated entity.

    Attributes:
        name: PascalCase singular (``BlogPost``).
        fields: Typed fields; the ``title_field`` one is required.
        relations: ``(field, target entity name, required)`` triples; dropped when the target is not in the spec.
        title_field: The field naming a record in lists and workflow messages (required, so always present).
        aliases: Lowercase singular words or phrases that name it in a message (``post``, ``blog post``).
        message: The notification text, a Jinja2 template over ``event`` using only required fields.
    """

    name: str
    fields: tuple[FieldSpec, ...]
    relations: tuple[tuple[str, str, bool], ...] = ()
    title_field: str = "name"
    aliases: tuple[str, ...] = ()
    message: str = ""

    @property
    def words(self) -> list[str]:
        """The lowercase words of the name."""
        return split_pascal(self.name)

    @property
    def label(self) -> str:
        """Human singular (``Blog post``)."""
        return humanize(self.words)

    @property
    def plural_label(self) -> str:
        """Human plural (``Blog posts``)."""
        return humanize([*self.words[:-1], pluralize(self.words[-1])])

    @property
    def collection(self) -> str:
        """snake_case plural (``blog_posts``)."""
        return snake([*self.words[:-1], pluralize(self.words[-1])])

    @property
    def event_noun(self) -> str:
        """snake_case singular (``blog_post``)."""
        return snake(self.words)

    def notification(self) -> str:
        """The workflow message: the curated one, or ``New <label>: {{ event.<title_field> }}``."""
        return self.message or f"New {self.label.lower()}: {{{{ event.{self.title_field} }}}}"

    def to_entity(self, present: set[str]) -> EntitySpec:
        """The entity spec, keeping only relations whose target is in ``present`` (entity names)."""
        relations = tuple(
            RelationSpec(name=field, target=target, required=required)
            for field, target, required in self.relations
            if target in present and target != self.name
        )
        return EntitySpec(
            name=self.name,
            label=self.label,
            plural_label=self.plural_label,
            collection=self.collection,
            event_noun=self.event_noun,
            fields=self.fields,
            relations=relations,
            title_field=self.title_field,
        )

    def renamed(self, name: str) -> Blueprint:
        """The same blueprint under another name (aliases and the curated message are kept)."""
        return Blueprint(name, self.fields, self.relations, self.title_field, self.aliases, self.message)

    def with_fields(self, extra: tuple[FieldSpec, ...]) -> Blueprint:
        """The blueprint with ``extra`` fields appended (those whose name it already has are skipped)."""
        have = {f.name for f in self.fields} | {r[0] for r in self.relations}
        fields = self.fields + tuple(f for f in extra if f.name not in have)
        return Blueprint(self.name, fields[:30], self.relations, self.title_field, self.aliases, self.message)
