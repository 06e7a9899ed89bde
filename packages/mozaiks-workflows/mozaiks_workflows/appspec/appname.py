"""The app's display name and slug, read from the message.

A name the message gives (``called 'Shelfie'``, ``named Shelfie``) wins; otherwise the noun phrase after "build a…"
(``Build a task tracker with React`` → ``Task Tracker``); otherwise the caller's fallback. Names keep only letters,
digits, spaces and hyphens, so no template markup, quote or bracket reaches the files they are rendered into.
"""

from __future__ import annotations

import re
import unicodedata

from .naming import kebab, strip_template_markup, title_case

__all__ = ["MAX_NAME_LENGTH", "clean_name", "display_name", "named_in", "phrase_name", "slug_for"]

MAX_NAME_LENGTH = 60

_QUOTES = "\"'“”‘’«»`„"
_CALLED_QUOTED = re.compile(
    rf"(?i)\b(?:called|named|titled|name it|call it|name:|app name(?: is|:)?|name of)\s*"
    rf"[{_QUOTES}]([^{_QUOTES}\n]{{1,80}})[{_QUOTES}]"
)
_CALLED_BARE = re.compile(
    r"\b(?:[Cc]alled|[Nn]amed|[Tt]itled|[Nn]ame it|[Cc]all it)\s+([A-Z][\w-]*(?:[ \t]+[A-Z][\w-]*){0,3})"
)
_LEAD = re.compile(
    r"(?i)(?:^\s*|\b(?:build|create|make|generate|develop|design|code|write|set up|spin up|scaffold|want|need"
    r"|would like|'d like)\s+(?:me\s+|us\s+)?)(?:an?|the|my|our|one)\s+([^\n.,;:!?()\[\]]{1,80})"
)
_APP_WORDS = {
    "app": "App", "application": "App", "apps": "App", "webapp": "App", "web-app": "App", "website": "Website",
    "site": "Site", "tool": "Tool", "system": "System", "platform": "Platform", "portal": "Portal",
    "service": "Service", "saas": "SaaS", "program": "Program", "software": "Software", "solution": "Solution",
    "page": "Page", "dashboard": "Dashboard", "backend": "Backend", "frontend": "Frontend",
}  # fmt: skip
_STOP = frozenset(
    {"with", "for", "that", "which", "where", "to", "using", "in", "on", "so", "and", "or", "called", "named",
     "built", "written", "powered", "based", "who", "i", "we", "my", "our", "via", "from", "of", "like",
     "similar", "titled", "when", "if", "but", "because", "by", "let", "lets", "allowing", "helping", "is", "are",
     "should", "can", "will", "would", "has", "have", "me", "us", "it", "this", "at", "as"}
)  # fmt: skip
_FILLERS = frozenset(
    {"simple", "small", "basic", "little", "new", "modern", "minimal", "minimalist", "quick", "tiny", "nice", "cool",
     "beautiful", "lightweight", "full-stack", "fullstack", "full", "stack", "web", "mobile", "online", "react",
     "python", "responsive", "clean", "fancy", "great", "good", "complete", "working", "production-ready", "mvp",
     "crud", "very", "really", "super", "easy", "fast", "secure", "multi-user", "single-page", "spa", "sleek"}
)  # fmt: skip
_VAGUE = frozenset({"place", "thing", "way", "something", "site", "space", "home", "version", "copy", "kind", "lot"})
_ACRONYMS = frozenset(
    {"crm", "hr", "lms", "cms", "ats", "erp", "ai", "api", "sms", "faq", "kpi", "okr", "pos", "mvp", "tv", "diy"}
)


def display_name(text: str) -> str:
    """``text`` cleaned and in Title Case, with known acronyms upper-cased (``kpi manager`` → ``KPI Manager``)."""
    words = [w.upper() if w.lower() in _ACRONYMS else w for w in clean_name(text).split()]
    return title_case(" ".join(words))


def clean_name(raw: str) -> str:
    """``raw`` reduced to letters, digits, spaces and hyphens (at most :data:`MAX_NAME_LENGTH` characters)."""
    text = strip_template_markup(unicodedata.normalize("NFKC", raw))
    kept = "".join(ch if ch.isalnum() or ch == "-" else " " for ch in text)
    words = [w.strip("-") for w in kept.split() if w.strip("-")]
    name = ""
    for word in words:
        candidate = f"{name} {word}".strip()
        if len(candidate) > MAX_NAME_LENGTH:
            break
        name = candidate
    return name or "".join(words)[:MAX_NAME_LENGTH]


def named_in(message: str) -> str | None:
    """The name the message gives the app (``called 'Shelfie'``, ``named Shelfie``), cleaned, or ``None``."""
    for pattern in (_CALLED_QUOTED, _CALLED_BARE):
        match = pattern.search(message)
        if match:
            name = clean_name(match.group(1))
            if name:
                return title_case(name) if name.islower() else name
    return None


def _phrase_words(phrase: str) -> tuple[list[str], str]:
    words: list[str] = []
    for word in phrase.split():
        lower = word.lower()
        if lower in _APP_WORDS:
            return words, _APP_WORDS[lower]
        if not any(ch.isalpha() for ch in word):
            continue  # emoji and numbers decorate a phrase without naming anything
        if lower in _STOP:
            break
        if not words and lower in _FILLERS:
            continue
        words.append(word)
    return words, ""


def phrase_name(message: str) -> str | None:
    """The app name from the noun phrase after "build a…" (``Task Tracker``, ``Recipe App``), or ``None``."""
    for match in _LEAD.finditer(message):
        words, app_word = _phrase_words(match.group(1))
        if not words or len(words) > 4 or all(w.lower() in _VAGUE for w in words):
            continue
        if len(words) == 1 and app_word:
            words.append(app_word)
        name = display_name(" ".join(words))
        if name:
            return name
    return None


def slug_for(name: str, fallback: str) -> str:
    """A kebab-case slug for ``name``; ``fallback``'s slug (or ``my-app``) when ``name`` has no ASCII letters."""
    return kebab(name) or kebab(fallback) or "my-app"
