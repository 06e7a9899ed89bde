"""Align an existing design document with feedback, deterministically (DesignDocument's offline path).

Each sentence of the feedback is read for an intent: remove (``drop the dashboard``), add a field (``add a
priority field to tasks``), add a capability (``add CSV export``), prioritise (``reminders are a must``), a
non-functional need (``it must be fast on phones``). Each becomes an :class:`~mozaiks_workflows.design_document.Update`
that quotes the sentence as its reason. Sentences it cannot apply safely (renames, replacements, anything else)
are recorded as open questions, never guessed at.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import ValidationError

from mozaiks_workflows.design_document import (
    DataField,
    Design,
    DesignResult,
    Feature,
    Requirement,
    Update,
    draft_design,
    idea_text,
)
from mozaiks_workflows.text_analysis import clean, keywords, pluralize, sentences, snake_case, title_case

__all__ = ["align_design", "check_request", "design_for", "load_document"]

_REMOVE = re.compile(
    r"\b(?:remove|drop|delete|cut|get rid of|no need for|(?:do not|don't|doesn't|does not) need|without)\b\s*(.*)",
    re.I,
)
_FIELD = re.compile(
    r"\b(?:add|include|store|track)\s+(?:a|an|the)?\s*([a-z][a-z ]{0,30}?)\s+field\s+(?:to|on|for)\s+"
    r"(?:the\s+|each\s+|every\s+)?([a-z]+)",
    re.I,
)
_ADD = re.compile(
    r"\b(?:add|include|support|integrate(?: with)?|allow users to|let users|users should be able to|"
    r"should (?:have|support|offer)|must (?:have|support|offer)|needs?|we want|i want)\b\s+(.*)",
    re.I,
)
_PRIORITY = re.compile(r"\b(?:priorit\w*|more important|most important|must-have|is a must|are a must)\b", re.I)
_CHANGE = re.compile(r"\b(?:rename|instead of|rather than|replace|switch to|change)\b", re.I)
_NEEDS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("Performance", ("fast", "speed", "performance", "latency", "slow", "quick"), "Feedback asks for speed: "),
    ("Security", ("secure", "security", "2fa", "two-factor", "sso", "single sign-on", "encrypt"), "Feedback: "),
    ("Privacy", ("privacy", "gdpr", "hipaa", "compliance", "compliant", "consent"), "Feedback: "),
    ("Accessibility", ("accessib", "wcag", "screen reader", "a11y", "contrast"), "Feedback: "),
    ("Usability", ("mobile", "phone", "responsive", "tablet"), "Feedback: "),
    ("Scalability", ("scale", "thousands of", "millions of", "high load"), "Feedback: "),
    ("Reliability", ("offline", "backup", "uptime", "available"), "Feedback: "),
)
_GENERIC_WORDS = frozenset({"manage", "feature", "features", "page", "section", "option", "ability", "the", "app"})


def load_document(document: Any) -> tuple[Design | None, str | None]:
    """Read an existing document: the JSON of a previous run (object or text), or markdown.

    Returns:
        ``(design, None)`` for a design document in JSON (a previous run's whole output is unwrapped), or
        ``(None, text)`` for markdown/plain text.

    Raises:
        ValueError: JSON that is not a design document (the message names the first problem).
    """
    if isinstance(document, str):
        stripped = document.strip()
        if not stripped.startswith("{"):
            return None, stripped
        try:
            document = json.loads(stripped)
        except ValueError:
            return None, stripped
    if isinstance(document, dict) and isinstance(document.get("document"), dict):
        document = document["document"]
    try:
        return Design.model_validate(document), None
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "document"
        raise ValueError(
            f"'document' is not a design document ({where}: {err['msg']}); pass the 'document' of a previous "
            "DesignDocument run, or the document's markdown"
        ) from None


def _stems(text: str) -> set[str]:
    return {w.rstrip("s") for w in keywords(text, 20)} - _GENERIC_WORDS


def _matching(names: list[str], sentence: str) -> list[int]:
    wanted = _stems(sentence)
    return [i for i, name in enumerate(names) if _stems(name) & wanted]


def _remove(design: Design, sentence: str, target: str, updates: list[Update]) -> Design:
    reason = f"Feedback: “{sentence}”"
    entity_hits = _matching([e.name for e in design.data_model], target)
    if entity_hits and len(design.data_model) > len(entity_hits):
        names = {design.data_model[i].name for i in entity_hits}
        collections = {pluralize(snake_case(n)) for n in names}
        refs = {f"{snake_case(n)}_id" for n in names}
        kept = [
            e.model_copy(
                update={
                    "fields": [f for f in e.fields if f.name not in refs] or e.fields,
                    "relations": [r for r in e.relations if not any(f"→ {n} " in r + " " for n in names)],
                }
            )
            for e in design.data_model
            if e.name not in names
        ]
        api = [a for a in design.api if not any(f"/api/{c}" in a.path for c in collections)]
        features = [f for f in design.features if not _stems(f.name) & {snake_case(n).replace("_", " ") for n in names}]
        for n in sorted(names):
            updates.append(Update(section="data_model", change="removed", item=n, reason=reason))
        return design.model_copy(update={"data_model": kept, "api": api, "features": features})
    hits = _matching([f.name for f in design.features], target)
    if hits:
        for i in hits:
            updates.append(Update(section="features", change="removed", item=design.features[i].name, reason=reason))
        kept_features = [f for i, f in enumerate(design.features) if i not in hits]
        return design.model_copy(update={"features": kept_features or design.features[:1]})
    return _note(design, sentence, "nothing in the document matched what to remove", updates)


def _add_field(design: Design, sentence: str, field: str, entity: str, updates: list[Update]) -> Design | None:
    hits = _matching([e.name for e in design.data_model], entity)
    if not hits:
        return None
    target = design.data_model[hits[0]]
    name = snake_case(field)
    if not name or any(f.name == name for f in target.fields):
        return None
    changed = target.model_copy(
        update={"fields": [*target.fields, DataField(name=name, type="string", required=False)]}
    )
    model = [changed if i == hits[0] else e for i, e in enumerate(design.data_model)]
    updates.append(Update(section="data_model", change="changed", item=f"{target.name}.{name}",
                          reason=f"Feedback: “{sentence}” (type assumed: string)"))  # fmt: skip
    return design.model_copy(update={"data_model": model})


def _add_feature(design: Design, sentence: str, phrase: str, updates: list[Update]) -> Design:
    words = clean(re.sub(r"^(?:a|an|the|some)\s+", "", phrase, flags=re.I)).split()[:6]
    name = title_case(" ".join(words).rstrip(".,;:!?")) or "Requested capability"
    if any(f.name.lower() == name.lower() for f in design.features):
        return _note(design, sentence, f"“{name}” is already a feature", updates)
    feature = Feature(name=name, description=f"Requested in feedback: “{sentence}”.", priority="should")
    updates.append(Update(section="features", change="added", item=name, reason=f"Feedback: “{sentence}”"))
    return design.model_copy(update={"features": [*design.features, feature]})


def _prioritise(design: Design, sentence: str, updates: list[Update]) -> Design | None:
    hits = [i for i in _matching([f.name for f in design.features], sentence) if design.features[i].priority != "must"]
    if not hits:
        return None
    features = list(design.features)
    for i in hits:
        features[i] = features[i].model_copy(update={"priority": "must"})
        updates.append(Update(section="features", change="changed", item=f"{features[i].name}: priority → must",
                              reason=f"Feedback: “{sentence}”"))  # fmt: skip
    return design.model_copy(update={"features": features})


def _need(design: Design, sentence: str, updates: list[Update]) -> Design | None:
    lowered = sentence.lower()
    for category, words, _ in _NEEDS:
        if any(w in lowered for w in words):
            requirement = Requirement(category=category, requirement=sentence.rstrip(".") + ".")
            updates.append(Update(section="non_functional", change="added", item=category,
                                  reason=f"Feedback: “{sentence}”"))  # fmt: skip
            return design.model_copy(update={"non_functional": [*design.non_functional, requirement]})
    return None


def _note(design: Design, sentence: str, why: str, updates: list[Update]) -> Design:
    question = f"Review feedback: “{sentence}” ({why})."
    updates.append(Update(section="open_questions", change="noted", item=sentence, reason=why[:1].upper() + why[1:]))
    return design.model_copy(update={"open_questions": [*design.open_questions, question]})


def _apply(design: Design, sentence: str, updates: list[Update]) -> Design:
    if _CHANGE.search(sentence):
        return _note(design, sentence, "renames and replacements are left to a person (offline mode)", updates)
    if removal := _REMOVE.search(sentence):
        return _remove(design, sentence, removal.group(1) or sentence, updates)
    field = _FIELD.search(sentence)
    if field and (done := _add_field(design, sentence, field.group(1), field.group(2), updates)):
        return done
    if _PRIORITY.search(sentence) and (done := _prioritise(design, sentence, updates)):
        return done
    if done := _need(design, sentence, updates):
        return done
    if addition := _ADD.search(sentence):
        return _add_feature(design, sentence, addition.group(1), updates)
    return _note(design, sentence, "not a change offline mode can apply safely", updates)


def align_design(design: Design, feedback: str) -> DesignResult:
    """Apply feedback to a design document, sentence by sentence (deterministic).

    Returns:
        The next version of the document and one update per change (or per noted sentence).

    Raises:
        ValueError: The feedback is blank.
    """
    parts = [s for s in sentences(feedback) if re.search(r"[A-Za-z]", s)]
    if not parts:
        raise ValueError("the feedback is empty: say what should change in the document")
    updates: list[Update] = []
    current = design
    for sentence in parts:
        current = _apply(current, sentence, updates)
    note = "Offline alignment: feedback applied sentence by sentence with fixed rules; review the open questions."
    assumptions = current.assumptions if note in current.assumptions else [*current.assumptions, note]
    current = current.model_copy(update={"version": design.version + 1, "assumptions": assumptions})
    return DesignResult.model_validate({"document": current.model_dump(), "updates": [u.model_dump() for u in updates]})


def design_for(
    idea: str | None = None,
    value: dict[str, Any] | None = None,
    document: Any = None,
    feedback: str | None = None,
) -> DesignResult:
    """DesignDocument's offline result: a first draft, or an existing document aligned with feedback.

    A markdown document cannot be updated structurally offline: a fresh draft is derived from its text (and the
    idea), then the feedback is applied to it; the assumptions say so.

    Raises:
        ValueError: Nothing to design from, a malformed JSON document, or a document without feedback.
    """
    existing, markdown = load_document(document) if document not in (None, "", {}) else (None, None)
    has_feedback = bool(feedback and feedback.strip())
    if (existing or markdown) and not has_feedback:
        raise ValueError("a 'document' was given without 'feedback': say what should change in it")
    if existing is None:
        base = draft_design(" ".join(t for t in (idea, markdown) if t) or None, value).document
        if markdown:
            note = "The existing document was markdown: offline mode re-derived its structure from the text."
            base = base.model_copy(update={"assumptions": [*base.assumptions, note]})
        if not has_feedback:
            return DesignResult(document=base, updates=[])
        aligned = align_design(base, feedback or "")  # a fresh draft stays version 1, feedback included
        return aligned.model_copy(update={"document": aligned.document.model_copy(update={"version": 1})})
    return align_design(existing, feedback or "")


def check_request(
    idea: str | None = None,
    value: dict[str, Any] | None = None,
    document: Any = None,
    feedback: str | None = None,
) -> str:
    """Check DesignDocument's input without designing anything; return ``"align"`` or ``"draft"``.

    Raises:
        ValueError: Nothing to design from, a document without feedback, or a malformed JSON document.
    """
    has_document = document not in (None, "", {})
    if has_document:
        load_document(document)
        if not (feedback and feedback.strip()):
            raise ValueError("a 'document' was given without 'feedback': say what should change in it")
        return "align"
    idea_text(idea, value)
    return "draft"
