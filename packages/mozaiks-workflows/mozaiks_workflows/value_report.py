"""ValueEngine's result: ranked directions for an idea, and the deterministic (offline) analysis that drafts them.

:class:`ValueReport` is the JSON both paths produce (the model path is held to the same shape by the workflow's
``output_schema``). :func:`evaluate_idea` reads the pitch with :mod:`mozaiks_workflows.text_analysis` and the
domain catalogue, builds up to five directions (as pitched, a narrower niche, an automation angle, a flipped
market, an assistant angle), scores each on four named criteria and ranks them. It says what it assumed.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from mozaiks_workflows.domains import GENERIC, Domain, match_domain
from mozaiks_workflows.text_analysis import (
    clean,
    explicit_audience,
    explicit_problem,
    feature_phrases,
    keywords,
    product_name,
    sentence,
    shorten,
    tech_mentions,
)

__all__ = ["RankedIdea", "ValueReport", "evaluate_idea", "rank_ideas"]


class RankedIdea(BaseModel):
    """One direction for the idea.

    Attributes:
        rank: 1 is the strongest.
        title: A short name for the direction.
        pitch: The direction in one sentence.
        problem: The pain it removes.
        audience: Who it is for first.
        value_proposition: Why they would use it.
        score: 0–100, higher is stronger.
        rationale: How the score was reached.
        adjustments: Concrete changes that would make it stronger.
    """

    model_config = ConfigDict(extra="forbid")

    rank: int = Field(ge=1)
    title: str = Field(min_length=1)
    pitch: str = Field(min_length=1)
    problem: str = Field(min_length=1)
    audience: str = Field(min_length=1)
    value_proposition: str = Field(min_length=1)
    score: int = Field(ge=0, le=100)
    rationale: str = Field(min_length=1)
    adjustments: list[str] = Field(min_length=1)


class ValueReport(BaseModel):
    """ValueEngine's JSON result.

    Attributes:
        idea: The idea as given.
        summary: One or two sentences on the result.
        ideas: Directions, strongest first.
        assumptions: What the analysis assumed rather than read.
    """

    model_config = ConfigDict(extra="forbid")

    idea: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    ideas: list[RankedIdea] = Field(min_length=1, max_length=5)
    assumptions: list[str]


@dataclass(frozen=True)
class _Reading:
    """What the pitch says (or what had to be assumed)."""

    idea: str
    name: str
    domain: Domain
    matched: list[str]
    audience: str
    audience_named: bool
    problem: str
    problem_named: bool
    features: list[str]
    words: int
    name_assumed: bool


@dataclass(frozen=True)
class _Direction:
    """A candidate direction before ranking."""

    title: str
    pitch: str
    audience: str
    value_proposition: str
    score: tuple[int, str]
    adjustments: list[str]


def _read(idea: str) -> _Reading:
    domain, matched = match_domain(idea)
    audience = explicit_audience(idea)
    problem = explicit_problem(idea)
    main = domain.entities[0].name if domain.entities else (keywords(idea, 1) or ["Idea"])[0].title()
    fallback = f"{main} Hub"
    name = product_name(idea, fallback)
    return _Reading(
        idea=idea,
        name=name,
        name_assumed=name == fallback,
        domain=domain,
        matched=matched,
        audience=audience or domain.audience,
        audience_named=audience is not None,
        problem=sentence(problem or domain.problem),
        problem_named=problem is not None,
        features=feature_phrases(idea),
        words=len(idea.split()),
    )


def _score(r: _Reading, *, audience: int = 0, difference: int = 0, feasibility: int = 0) -> tuple[int, str]:
    """Score a direction on four criteria (25 points each) and explain it."""
    fit = min(25, (22 if r.audience_named else 14 if r.domain is not GENERIC else 8) + audience)
    pain = 22 if r.problem_named else 15 if r.domain is not GENERIC else 9
    edge = min(25, max(0, 10 + 3 * min(len(r.features), 3) + difference - (2 if r.domain is GENERIC else 0)))
    build = min(25, max(0, 21 - 2 * max(0, len(r.features) - 3) + feasibility))
    thin = 6 if r.words < 6 else 0
    total = max(0, min(100, fit + pain + edge + build - thin))
    where = "named in the pitch" if r.audience_named else "assumed"
    why = "named in the pitch" if r.problem_named else "assumed"
    rationale = (
        f"Audience fit {fit}/25 (audience {where}); problem clarity {pain}/25 (pain {why}); "
        f"differentiation {edge}/25; feasibility of a first version {build}/25"
        + (f"; −{thin} for a pitch of fewer than six words" if thin else "")
        + "."
    )
    return total, rationale


def _common_adjustments(r: _Reading) -> list[str]:
    out = []
    if not r.audience_named:
        out.append(
            f"Name the first customer segment (for example “{r.domain.niche}”) so copy, pricing and interviews "
            "target one group."
        )
    if not r.problem_named:
        out.append(
            f"Say in one sentence which pain you remove (assumed here: “{r.problem}”) and confirm it in five "
            f"interviews with {r.audience}."
        )
    if not r.features:
        entity = r.domain.entities[0].name.lower() if r.domain.entities else "record"
        out.append(f"List the three capabilities of a first version (for example: capture a {entity}, a shared list, "
                   "reminders).")  # fmt: skip
    elif len(r.features) > 4:
        out.append("Cut the first version to the three capabilities that prove the value; move the rest to a roadmap.")
    out.append(
        "Test a per-seat monthly plan against a flat team price."
        if r.domain.b2b
        else "Test a free plan with a paid tier for the feature power users ask for first."
    )
    return out


def _directions(r: _Reading) -> list[_Direction]:
    """All five candidate directions, in a fixed order (ranking happens later)."""
    d = r.domain
    outcome = d.outcome
    if r.audience_named:  # narrow the audience the pitch names rather than switching to the catalogue's niche
        niche = f"{r.audience} already paying for a workaround" if d.b2b else f"{r.audience} in one city or community"
    else:
        niche = d.niche
    automation = d.automations[0] if d.automations else ("Activity log", "record.created", "log the activity")
    flipped = (
        ("individuals who pay for themselves", "a self-serve plan that one person can start in minutes")
        if d.b2b
        else ("teams and coaches who support several people", "shared spaces where a lead sees everyone's progress")
    )
    base = _common_adjustments(r)
    return [
        _Direction(
            title=r.name,
            pitch=shorten(r.idea, 200),
            audience=r.audience,
            value_proposition=f"{r.name} for {r.audience}: {outcome}.",
            score=_score(r),
            adjustments=[*base, "Describe why someone would switch from their current workaround (spreadsheets, "
                                   "notes, chat) in the first line of the pitch."],
        ),
        _Direction(
            title=f"{r.name} for {niche}",
            pitch=f"The same product, aimed first at {niche}, with wording, defaults and onboarding made for them.",
            audience=niche,
            value_proposition=f"Built for {niche}: {outcome}, without configuring a general-purpose tool.",
            score=_score(r, audience=3 if r.audience_named else 6, difference=2, feasibility=1),
            adjustments=[f"Find ten {niche} where they already gather and offer a hands-on pilot.",
                            "Use their vocabulary in the product and the landing page; drop features they never "
                            "mention.", *base[1:]],
        ),
        _Direction(
            title=f"{r.name} with automatic {automation[0].lower()}",
            pitch=f"{r.name} that does the routine work itself: it will {automation[2]} without being asked.",
            audience=r.audience,
            value_proposition=f"{outcome[:1].upper() + outcome[1:]}, and the routine follow-up happens "
                                 "automatically, so nothing depends on remembering.",
            score=_score(r, difference=7, feasibility=-4),
            adjustments=[f"Start with one automation (“{automation[0]}”) and measure how often it helps before "
                            "adding more.", *base],
        ),
        _Direction(
            title=f"{r.name} for {flipped[0]}",
            pitch=f"Flip the market: {flipped[1]}.",
            audience=flipped[0],
            value_proposition=f"{flipped[1][:1].upper() + flipped[1][1:]}: {outcome}.",
            score=_score(r, audience=-4, difference=3, feasibility=-2),
            adjustments=["Check that this group feels the pain as often as the original audience before "
                            "switching.", *base],
        ),
        _Direction(
            title=f"{r.name} with an assistant",
            pitch=f"{r.name} with a chat assistant that answers questions about the user's data and drafts "
                     "the next step.",
            audience=r.audience,
            value_proposition=f"Ask instead of searching: {outcome}, with an assistant that does the typing.",
            score=_score(r, difference=5, feasibility=-7),
            adjustments=["Keep a human approval step on everything the assistant sends until users trust it.",
                            *base],
        ),
    ]  # fmt: skip


def rank_ideas(ideas: list[RankedIdea]) -> list[RankedIdea]:
    """Order directions by score (stable for ties) and renumber their ranks from 1."""
    ordered = sorted(ideas, key=lambda idea: -idea.score)
    return [idea.model_copy(update={"rank": i}) for i, idea in enumerate(ordered, start=1)]


def evaluate_idea(idea: str, count: int = 3) -> ValueReport:
    """Rank ``count`` directions for an idea from its words alone (deterministic).

    Args:
        idea: The idea or pitch, as typed.
        count: How many directions to return (1–5).

    Raises:
        ValueError: The idea is blank or ``count`` is out of range.
    """
    text = clean(idea)
    if not text:
        raise ValueError("the idea is empty: describe the product in a sentence (who it is for and what it does)")
    if not 1 <= count <= 5:
        raise ValueError(f"count must be between 1 and 5, got {count}")
    reading = _read(text)
    ideas = []
    for d in _directions(reading)[:count]:
        score, rationale = d.score
        ideas.append(
            RankedIdea(
                rank=1,
                title=d.title,
                pitch=d.pitch,
                problem=reading.problem,
                audience=d.audience,
                value_proposition=d.value_proposition,
                score=score,
                rationale=rationale,
                adjustments=d.adjustments[:4],
            )
        )
    ranked = rank_ideas(ideas)
    top = ranked[0]
    return ValueReport(
        idea=text,
        summary=f"{len(ranked)} direction(s) for “{reading.name}”; the strongest is “{top.title}” "
        f"({top.score}/100). Scores are heuristics from the pitch's wording.",
        ideas=ranked,
        assumptions=_assumptions(reading),
    )


def _assumptions(r: _Reading) -> list[str]:
    out = ["Offline analysis: ideas, scores and adjustments come from the pitch's words and a built-in catalogue "
           "of product domains, not from a language model or market data."]  # fmt: skip
    if r.name_assumed:
        out.append(f"The pitch gives no product name; “{r.name}” is a working name.")
    if r.domain is GENERIC:
        out.append("No known product domain matched the pitch; generic assumptions were used.")
    else:
        out.append(f"Read as a {r.domain.label} product (matched: {', '.join(r.matched)}).")
    if not r.audience_named:
        out.append(f"The pitch names no audience; assumed: {r.audience}.")
    if not r.problem_named:
        out.append(f"The pitch names no problem; assumed: {r.problem}.")
    tech = tech_mentions(r.idea)
    if tech:
        out.append(f"Technology choices ({', '.join(tech)}) do not change the value analysis.")
    return out
