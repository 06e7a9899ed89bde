"""Naming helpers for app specs: inflection, case conversion and making free text safe to copy into a spec.

Everything here is deterministic and ASCII-only where it produces identifiers, so names always satisfy the
validators of :mod:`.models` (PascalCase entities, snake_case collections, kebab-case slugs).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "ascii_fold",
    "humanize",
    "join_words",
    "kebab",
    "pascal_words",
    "pluralize",
    "safe_text",
    "singularize",
    "snake",
    "split_pascal",
    "strip_template_markup",
    "title_case",
]

_IRREGULAR_PLURALS = {
    "person": "people",
    "child": "children",
    "man": "men",
    "woman": "women",
    "mouse": "mice",
    "goose": "geese",
    "tooth": "teeth",
    "foot": "feet",
    "series": "series",
    "species": "species",
    "news": "news",
    "staff": "staff",
    "equipment": "equipment",
    "analysis": "analyses",
    "criterion": "criteria",
    "leaf": "leaves",
    "shelf": "shelves",
    "knife": "knives",
    "life": "lives",
    "wife": "wives",
    "half": "halves",
    "cactus": "cacti",
}
_IRREGULAR_SINGULARS = {plural: singular for singular, plural in _IRREGULAR_PLURALS.items()}
_IRREGULAR_SINGULARS.update(
    {
        "movies": "movie",
        "cookies": "cookie",
        "pies": "pie",
        "ties": "tie",
        "lies": "lie",
        "calories": "calorie",
        "zombies": "zombie",
        "rookies": "rookie",
        "selfies": "selfie",
        "goodies": "goodie",
        "hoodies": "hoodie",
        "shoes": "shoe",
        "toes": "toe",
        "canoes": "canoe",
        "courses": "course",
        "horses": "horse",
        "houses": "house",
        "purchases": "purchase",
        "releases": "release",
        "expenses": "expense",
        "licenses": "license",
        "responses": "response",
        "databases": "database",
        "cases": "case",
        "phases": "phase",
        "bases": "base",
        "vases": "vase",
        "nurses": "nurse",
        "verses": "verse",
        "warehouses": "warehouse",
        "promises": "promise",
        "exercises": "exercise",
        "franchises": "franchise",
        "premises": "premises",
        "clauses": "clause",
        "causes": "cause",
        "pauses": "pause",
        "doses": "dose",
        "roses": "rose",
        "noses": "nose",
        "hoses": "hose",
        "poses": "pose",
        "purposes": "purpose",
        "uses": "use",
        "fuses": "fuse",
        "caches": "cache",
        "niches": "niche",
        "avalanches": "avalanche",
        "headaches": "headache",
        "moustaches": "moustache",
        "recipes": "recipe",
        "axes": "axe",
        "statuses": "status",
        "buses": "bus",
        "campuses": "campus",
        "bonuses": "bonus",
        "viruses": "virus",
        "quizzes": "quiz",
        "boxes": "box",
        "taxes": "tax",
        "indices": "index",
        "appendices": "appendix",
        "matrices": "matrix",
        "vertices": "vertex",
        "menus": "menu",
        "gurus": "guru",
        "emus": "emu",
        "haikus": "haiku",
        "tofus": "tofu",
        "data": "data",
        "media": "media",
    }
)
_UNCHANGING = frozenset(
    {"status", "bus", "campus", "bonus", "virus", "canvas", "analysis", "basis", "thesis", "atlas", "gas", "iris",
     "news", "series", "species", "class", "glass", "grass", "boss", "process", "address", "business", "access",
     "progress", "success", "pass", "mass", "kiss", "miss", "loss", "fitness", "wellness", "chess", "dress",
     "lens", "apparatus", "corpus", "genus", "octopus", "plus", "bias", "alias", "axis", "crisis", "diagnosis",
     "tennis", "always", "physics", "mathematics", "economics", "politics", "ethics", "logistics", "analytics",
     "premises", "headquarters", "thanks"}
)  # fmt: skip

_TEMPLATE_MARKUP = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}|\$\{")
_UNSAFE_TEXT = re.compile(r"[^\w .,;:!?()'/+-]", re.UNICODE)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_WORDS = re.compile(r"[A-Za-z][a-z0-9]*|[0-9]+")
_SMALL_WORDS = frozenset({"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"})


def ascii_fold(text: str) -> str:
    """Drop accents and every character that has no ASCII form (``Café`` → ``Cafe``, ``日本`` → ``""``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode("ascii")


def strip_template_markup(text: str) -> str:
    """Remove Jinja/JS template delimiters (``{{ }}``, ``{% %}``, ``{# #}``, ``${``) until none is left."""
    previous = None
    while previous != text:
        previous = text
        text = _TEMPLATE_MARKUP.sub(" ", text)
    return text


def safe_text(text: str, max_length: int) -> str:
    """Free text made safe to copy into a spec that templates render.

    Template markup is removed first, then every character outside letters, digits, spaces and plain punctuation
    (``.,;:!?()'/+-``), so no brace, percent sign, quote, angle bracket or backslash survives. Whitespace is
    collapsed and the result cut at a word boundary to ``max_length`` characters.
    """
    text = strip_template_markup(unicodedata.normalize("NFKC", text))
    text = _UNSAFE_TEXT.sub(" ", text).replace("_", " ")
    text = " ".join(text.split())
    if len(text) > max_length:
        cut = text[:max_length].rsplit(" ", 1)[0]
        text = cut if cut else text[:max_length]
    return text.strip(" ,;:-/+")


def singularize(word: str) -> str:
    """The singular of a lowercase English noun (``categories`` → ``category``, ``boxes`` → ``box``)."""
    if word in _IRREGULAR_SINGULARS:
        return _IRREGULAR_SINGULARS[word]
    if word in _UNCHANGING or len(word) <= 3 or not word.endswith("s"):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zzes")):
        return word[:-2]
    if word.endswith(("ss", "us", "sis", "xis")):
        return word
    return word[:-1]


def pluralize(word: str) -> str:
    """The plural of a lowercase English noun (``category`` → ``categories``, ``box`` → ``boxes``)."""
    if word in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[word]
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def split_pascal(name: str) -> list[str]:
    """The lowercase words of a PascalCase name (``BlogPost`` → ``["blog", "post"]``)."""
    return [word.lower() for word in _WORDS.findall(name)]


def pascal_words(words: list[str]) -> str:
    """PascalCase from lowercase words (``["blog", "post"]`` → ``BlogPost``)."""
    return "".join(word[:1].upper() + word[1:] for word in words)


def snake(words: list[str]) -> str:
    """snake_case from lowercase words."""
    return "_".join(words)


def kebab(text: str, max_length: int = 50) -> str:
    """A kebab-case slug of ``text`` (ASCII only; empty when ``text`` has no ASCII letters or digits)."""
    slug = _NON_ALNUM.sub("-", ascii_fold(text).lower()).strip("-")
    if slug and not slug[0].isalpha():
        slug = f"app-{slug}"
    return slug[:max_length].strip("-")


def humanize(words: list[str]) -> str:
    """A sentence-case label from lowercase words (``["due", "date"]`` → ``Due date``)."""
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def join_words(items: list[str]) -> str:
    """A readable list: ``a``, ``a and b``, ``a, b and c``."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def title_case(text: str) -> str:
    """Title Case for an app name, keeping acronyms (``CRM``) and lowercase small words inside the name."""
    words = text.split()
    result = []
    for index, word in enumerate(words):
        if word.isupper() and len(word) > 1:
            result.append(word)
        elif index and word.lower() in _SMALL_WORDS:
            result.append(word.lower())
        else:
            result.append(word[:1].upper() + word[1:])
    return " ".join(result)
