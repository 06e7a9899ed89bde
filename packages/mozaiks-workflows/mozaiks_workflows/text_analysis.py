"""Deterministic reading of a short product text: keywords, names, audience, problem and feature phrases.

Everything here is plain pattern matching (no model, no randomness): the offline paths of the platform
workflows use it to derive useful, honest drafts from the words a person typed. Functions return ``None`` or
empty lists when the text does not say something, so callers can record what they had to assume.
"""

from __future__ import annotations

import re
from collections import Counter

__all__ = [
    "TECH_WORDS",
    "clean",
    "explicit_audience",
    "explicit_problem",
    "feature_phrases",
    "kebab_case",
    "keywords",
    "pluralize",
    "product_name",
    "sentence",
    "sentences",
    "shorten",
    "snake_case",
    "tech_mentions",
    "title_case",
]

_STOPWORDS = frozenset(
    """a about above after again all also am an and any app application apps are as at be because been being
    below between both build but by can could create did do does doing down during each easy every few for from
    further get give had has have having he help her here hers him his how i if in into is it its just let lets
    like make me more most my myself need needs new no nor not now of off on once one only or other our out over
    own please same she should simple so some such than that the their them then there these they this those
    through to too under until up use used user users using very via want wants was we web website were what when
    where which while who whom why will with would you your platform tool system service software something
    people someone thing things way ways lot lots really want i'd i'm it's that's""".split()
)  # fmt: skip

#: Technology names: a stack choice, never a feature or an audience.
TECH_WORDS = frozenset(
    """react vue angular svelte nextjs next.js node nodejs node.js typescript javascript python django flask
    fastapi postgres postgresql mysql sqlite mongodb docker kubernetes tailwind vite redis graphql rest api
    ios android flutter swift kotlin java go golang rust ruby rails php laravel aws azure gcp firebase
    supabase""".split()
)  # fmt: skip

_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9'+.-]*[A-Za-z0-9+]|[A-Za-z]")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_STOP_AT = r"(?=[,.;:!?()]|\s+(?:to|that|who|which|with|so|because|where|by|on|in|using|and then)\b|$)"
_AUDIENCE = re.compile(r"\bfor\s+([A-Za-z0-9'&-]+(?:\s+[A-Za-z0-9'&-]+){0,5}?)" + _STOP_AT, re.IGNORECASE)
_NOT_AUDIENCE = frozenset(
    """free example instance now me myself us everyone anyone everybody all a the it this that them managing
    tracking keeping""".split()
)
_PROBLEM = re.compile(
    r"\b(?:because|since|tired of|sick of|struggl\w*\s+(?:to|with)|hard to|difficult to|the problem is|"
    r"frustrat\w*\s+(?:by|with|that)|waste\w*\s+time\s+(?:on|with)?|can't|cannot|never)\s+([^.!?\n]{6,160})",
    re.IGNORECASE,
)
_FEATURES = re.compile(
    r"\b(?:with|including|includes|that lets? \w+|lets? (?:users|people|me|you|them)|allow(?:s|ing)? "
    r"(?:users|people|me|you|them) to|supports?|featuring|plus)\s+([^.!?\n]{3,200})",
    re.IGNORECASE,
)
_LEAD_IN = re.compile(
    r"^\s*(?:(?:please|hey|hi|ok)\W+)?(?:(?:i\s+(?:want|need|would like)\s+(?:to\s+(?:build|make|create)\s+)?)|"
    r"(?:can you\s+)?(?:build|create|make|develop|generate|design|write)\s+(?:me\s+|us\s+)?)?"
    r"(?:(?:a|an|the|my|our)\s+)?",
    re.IGNORECASE,
)
_NAME_STOP = re.compile(r"\s+(?:with|for|that|which|to|where|using|in|on|so|and|where)\b|[,.;:!?(]", re.IGNORECASE)


def clean(text: str) -> str:
    """Collapse whitespace and trim."""
    return re.sub(r"\s+", " ", text).strip()


def shorten(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` characters at a word boundary, ending with ``…`` when cut."""
    text = clean(text)
    if len(text) <= limit:
        return text
    cut = text[: max(1, limit - 1)].rsplit(" ", 1)[0].rstrip(",;:-– ")
    return (cut or text[: limit - 1]) + "…"


def sentence(text: str) -> str:
    """``deadlines slip`` → ``Deadlines slip.``: a capital first letter and a final full stop."""
    text = clean(text)
    if not text:
        return text
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def sentences(text: str) -> list[str]:
    """Split text into trimmed, non-empty sentences."""
    return [clean(s) for s in _SENTENCE.split(text) if clean(s)]


def _words(text: str) -> list[str]:
    return [w.lower().strip("'.-") for w in _TOKEN.findall(text)]


def keywords(text: str, limit: int = 8) -> list[str]:
    """The text's most telling words: not stopwords or technology names, most frequent first, then in order."""
    words = [w for w in _words(text) if len(w) > 2 and w not in _STOPWORDS and w not in TECH_WORDS]
    counts = Counter(words)
    first = {w: i for i, w in reversed(list(enumerate(words)))}
    ranked = sorted(counts, key=lambda w: (-counts[w], first[w]))
    seen: set[str] = set()
    out: list[str] = []
    for word in ranked:
        stem = word.rstrip("s")
        if stem in seen:
            continue
        seen.add(stem)
        out.append(word)
        if len(out) == limit:
            break
    return out


def tech_mentions(text: str) -> list[str]:
    """Technology names the text mentions, in order (``["react", "python"]``)."""
    found: list[str] = []
    for word in _words(text):
        if word in TECH_WORDS and word not in found:
            found.append(word)
    return found


def title_case(text: str) -> str:
    """``task tracker`` → ``Task Tracker`` (words already capitalised, like ``CRM``, stay as they are)."""
    small = {"a", "an", "and", "for", "of", "the", "to", "with", "in", "on", "or"}
    words = clean(text).split(" ")
    return " ".join(
        w if w[:1].isupper() else (w if i and w in small else w[:1].upper() + w[1:]) for i, w in enumerate(words) if w
    )


def kebab_case(text: str, max_length: int = 50) -> str:
    """``Support Bot!`` → ``support-bot``: lowercase letters, digits and single dashes, starting with a letter.

    Returns an empty string when the text holds no letter.
    """
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    slug = re.sub(r"^[^a-z]+", "", slug)
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] if "-" in slug[:max_length] else slug[:max_length]
    return slug.strip("-")


def snake_case(text: str) -> str:
    """``Due date`` → ``due_date``."""
    return kebab_case(text, 40).replace("-", "_")


def pluralize(word: str) -> str:
    """English plural of a simple noun (``task`` → ``tasks``, ``category`` → ``categories``)."""
    lowered = word.lower()
    if lowered.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if lowered.endswith("y") and lowered[-2:-1] not in ("a", "e", "i", "o", "u"):
        return word[:-1] + "ies"
    return word + "s"


def explicit_audience(text: str) -> str | None:
    """Who the text says the product is for (``… for dog owners`` → ``dog owners``), or ``None``."""
    for match in _AUDIENCE.finditer(text):
        phrase = clean(match.group(1)).rstrip("'")
        words = phrase.lower().split()
        if not words or words[0] in _NOT_AUDIENCE or (words[0].endswith("ing") and len(words) == 1):
            continue
        if all(w in TECH_WORDS or w in _STOPWORDS for w in words):
            continue
        return phrase
    return None


def explicit_problem(text: str) -> str | None:
    """The pain the text names (``… because invoices get lost`` → ``invoices get lost``), or ``None``."""
    match = _PROBLEM.search(text)
    if match is None:
        return None
    whole = match.group(0)
    phrase = match.group(1) if whole.lower().startswith(("because", "since")) else whole
    phrase = clean(phrase).rstrip(",;: ")
    return phrase[:1].upper() + phrase[1:]


def feature_phrases(text: str, limit: int = 8) -> list[str]:
    """Capabilities listed after ``with``, ``including``, ``lets users`` …, without technology names.

    ``"a task tracker with due dates, reminders and shared boards"`` → ``["due dates", "reminders",
    "shared boards"]``.
    """
    out: list[str] = []
    for match in _FEATURES.finditer(text):
        for part in re.split(r",|;|\band\b|\bor\b|\bplus\b|&", match.group(1)):
            phrase = clean(re.sub(r"^(?:a|an|the|some|their|its|my|our)\s+", "", clean(part), flags=re.I))
            words = phrase.lower().split()
            if not words or len(words) > 6 or all(w in TECH_WORDS or w in _STOPWORDS for w in words):
                continue
            if words[0] in TECH_WORDS:
                continue
            if phrase.lower() not in (o.lower() for o in out):
                out.append(phrase)
            if len(out) == limit:
                return out
    return out


def product_name(text: str, fallback: str) -> str:
    """A short name for what the text describes (``Build me a task tracker with …`` → ``Task Tracker``).

    Args:
        text: The idea as typed.
        fallback: Used when the text does not start with a recognisable product phrase.
    """
    first = sentences(text)[0] if sentences(text) else ""
    rest = _LEAD_IN.sub("", first, count=1)
    rest = re.sub(r"^(?:simple|small|little|basic|new|web|mobile|online)\s+", "", rest, flags=re.I)
    name = _NAME_STOP.split(rest, maxsplit=1)[0]
    words = [w for w in name.split() if w.lower() not in TECH_WORDS]
    if (
        words
        and words[-1].lower() in ("app", "application", "website", "tool", "platform", "service")
        and len(words) > 1
    ):
        words = words[:-1]
    generic = ("app", "application", "website", "tool", "platform", "service", "site", "product", "thing")
    if not words or len(words) > 5 or all(w.lower() in _STOPWORDS or w.lower() in generic for w in words):
        return title_case(fallback)
    return title_case(" ".join(words))
