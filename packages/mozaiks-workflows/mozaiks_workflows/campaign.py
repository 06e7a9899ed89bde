"""ValidationEngine's result: marketing content and ad-campaign data for a product, as JSON for a backend.

:class:`Campaign` is what both paths produce. :func:`plan_campaign` is the offline path: audiences from the
product's words and the domain catalogue, copy per platform cut to each platform's length limits, a budget split
that sums exactly to the budget, and KPI targets from rough industry benchmarks (labelled as such).
:func:`normalize_campaign` makes a model's campaign consistent (only the requested platforms, the split rescaled
to the budget, shares and daily amounts recomputed) and records what it changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mozaiks_workflows.domains import GENERIC, match_domain
from mozaiks_workflows.text_analysis import (
    clean,
    explicit_audience,
    explicit_problem,
    keywords,
    product_name,
    sentence,
    shorten,
    title_case,
)

__all__ = ["PLATFORMS", "Campaign", "normalize_campaign", "plan_campaign", "platform_keys", "split_budget"]


@dataclass(frozen=True)
class Platform:
    """An ad platform and the benchmarks the offline plan assumes for it."""

    label: str
    objective: str
    format: str
    cpc: float
    ctr: float
    weight_b2b: float
    weight_b2c: float
    headline_limit: int
    body_limit: int
    call_to_action: str


PLATFORMS: dict[str, Platform] = {
    "linkedin": Platform("LinkedIn", "Lead generation", "Sponsored content, single image", 5.50, 0.0045, 1.4, 0.5,
                         70, 150, "Learn more"),
    "google": Platform("Google Ads (Search)", "Capture search intent", "Responsive search ad", 2.80, 0.035, 1.2, 1.2,
                       30, 90, "Sign up"),
    "meta": Platform("Meta (Facebook + Instagram)", "Conversions", "Single image feed ad", 1.10, 0.012, 0.6, 1.4,
                     40, 125, "Sign up"),
    "x": Platform("X", "Website traffic", "Promoted post", 0.90, 0.008, 0.5, 0.6, 50, 280, "Learn more"),
    "tiktok": Platform("TikTok", "Traffic", "In-feed video (script)", 1.00, 0.010, 0.3, 1.0, 40, 100, "Sign up"),
    "reddit": Platform("Reddit", "Traffic", "Promoted post", 0.75, 0.006, 0.6, 0.7, 100, 300, "Learn more"),
    "youtube": Platform("YouTube", "Awareness", "In-stream video (script)", 0.60, 0.007, 0.4, 0.8, 40, 90, "Sign up"),
}  # fmt: skip
_ALIASES = {"facebook": "meta", "instagram": "meta", "fb": "meta", "twitter": "x", "google ads": "google",
            "adwords": "google", "search": "google", "linkedin ads": "linkedin", "yt": "youtube"}  # fmt: skip


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Product(_Model):
    """What is advertised."""

    name: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    category: str = Field(min_length=1)


class Audience(_Model):
    """A group to target, with what each platform can target on."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    interests: list[str]
    job_titles: list[str]
    keywords: list[str]


class Ad(_Model):
    """One ad's copy."""

    headline: str = Field(min_length=1)
    body: str = Field(min_length=1)
    call_to_action: str = Field(min_length=1)


class PlatformPlan(_Model):
    """What runs on one platform."""

    platform: str = Field(min_length=1)
    objective: str = Field(min_length=1)
    format: str = Field(min_length=1)
    audience_ids: list[str] = Field(min_length=1)
    ads: list[Ad] = Field(min_length=1)


class BudgetLine(_Model):
    """One platform's share of the budget."""

    platform: str = Field(min_length=1)
    amount: float = Field(ge=0)
    share: float = Field(ge=0, le=1)
    daily: float = Field(ge=0)


class Budget(_Model):
    """The budget and its split (the amounts sum to ``total``)."""

    total: float = Field(gt=0)
    currency: str = Field(min_length=3, max_length=3)
    days: int = Field(ge=1)
    split: list[BudgetLine] = Field(min_length=1)


class Kpi(_Model):
    """A target to measure (``platform`` is ``all`` for campaign-wide targets)."""

    name: str = Field(min_length=1)
    target: float = Field(ge=0)
    unit: str = Field(min_length=1)
    platform: str = Field(min_length=1)


class LandingPage(_Model):
    """Copy for the page the ads point to."""

    headline: str = Field(min_length=1)
    subheadline: str = Field(min_length=1)
    bullets: list[str] = Field(min_length=1)


class Post(_Model):
    """An organic social post."""

    platform: str = Field(min_length=1)
    text: str = Field(min_length=1)


class Email(_Model):
    """A launch e-mail."""

    subject: str = Field(min_length=1)
    body: str = Field(min_length=1)


class Content(_Model):
    """Marketing content beyond the ads."""

    landing_page: LandingPage
    social_posts: list[Post]
    email: Email


class Campaign(_Model):
    """ValidationEngine's JSON result."""

    product: Product
    value_proposition: str = Field(min_length=1)
    audiences: list[Audience] = Field(min_length=1)
    platforms: list[PlatformPlan] = Field(min_length=1)
    budget: Budget
    kpis: list[Kpi] = Field(min_length=1)
    content: Content
    assumptions: list[str]


def platform_keys(platforms: list[str]) -> list[str]:
    """Normalise platform names (``Facebook`` → ``meta``), dropping duplicates.

    Raises:
        ValueError: An unknown platform or an empty list (the message lists the known ones).
    """
    out: list[str] = []
    for raw in platforms:
        name = clean(str(raw)).lower()
        key = _ALIASES.get(name, name)
        if key not in PLATFORMS:
            raise ValueError(f"unknown platform {raw!r}; use some of: {', '.join(PLATFORMS)} (or facebook, twitter)")
        if key not in out:
            out.append(key)
    if not out:
        raise ValueError(f"'platforms' is empty; name at least one of: {', '.join(PLATFORMS)}")
    return out


def split_budget(total: float, weights: dict[str, float]) -> dict[str, float]:
    """Split ``total`` by ``weights`` so the parts sum exactly to it (whole units for whole totals, else cents).

    Uses the largest-remainder method; ties go to the platform listed first.
    """
    unit = 1 if float(total).is_integer() else 100
    pool = round(total * unit)
    positive = {k: max(0.0, w) for k, w in weights.items()}
    if not sum(positive.values()):
        positive = dict.fromkeys(weights, 1.0)
    weight_sum = sum(positive.values())
    raw = {k: pool * w / weight_sum for k, w in positive.items()}
    parts = {k: int(v) for k, v in raw.items()}
    order = sorted(raw, key=lambda k: -(raw[k] - parts[k]))
    for key in order[: pool - sum(parts.values())]:
        parts[key] += 1
    return {k: (v if unit == 1 else v / 100) for k, v in parts.items()}


def _lines(total: float, amounts: dict[str, float], days: int) -> list[BudgetLine]:
    return [
        BudgetLine(platform=k, amount=v, share=round(v / total, 4), daily=round(v / days, 2))
        for k, v in amounts.items()
    ]


def _kpis(split: list[BudgetLine], b2b: bool) -> list[Kpi]:
    rate = 0.025 if b2b else 0.035
    out: list[Kpi] = []
    signups = 0.0
    for line in split:
        p = PLATFORMS[line.platform]
        clicks = line.amount / p.cpc
        signups += clicks * rate
        out += [
            Kpi(name="clicks", target=round(clicks), unit="clicks", platform=line.platform),
            Kpi(name="click-through rate", target=round(p.ctr * 100, 2), unit="%", platform=line.platform),
            Kpi(name="cost per click", target=p.cpc, unit="currency", platform=line.platform),
        ]
    total = sum(line.amount for line in split)
    out += [
        Kpi(name="sign-ups", target=round(signups), unit="sign-ups", platform="all"),
        Kpi(name="landing-page conversion rate", target=round(rate * 100, 2), unit="%", platform="all"),
        Kpi(name="cost per sign-up", target=round(total / signups, 2) if signups else 0, unit="currency",
            platform="all"),
    ]  # fmt: skip
    return out


def _ads(key: str, name: str, audience: str, outcome: str, problem: str) -> list[Ad]:
    p = PLATFORMS[key]
    short_audience = shorten(audience, 40)
    heads = (f"{name}: {outcome}", f"Made for {short_audience}")
    bodies = (f"{problem} {name} fixes that: {outcome}.", f"{name} for {audience}: {outcome}. Start free today.")
    return [
        Ad(headline=shorten(h, p.headline_limit), body=shorten(b, p.body_limit), call_to_action=p.call_to_action)
        for h, b in zip(heads, bodies, strict=True)
    ]


_POSTS = {
    "linkedin": "We just launched {name} for {audience}. {outcome}. We would love your feedback — what would you "
    "want it to do next?",
    "x": "Launched: {name} — {outcome_lower}. Made for {audience}. Try it free and tell us what is missing.",
    "meta": "Meet {name}: {outcome_lower}. Made for {audience}, free to try.",
    "tiktok": "POV: {problem_lower} Then you find {name}. {outcome}. (Video script: show the problem, then the app "
    "solving it in 10 seconds.)",
    "reddit": "We built {name} for {audience} because {problem_lower} Honest feedback welcome — what would make it "
    "useful for you?",
    "youtube": "Video idea: “{name} in 60 seconds” — the problem ({problem_lower}), the fix ({outcome_lower}), and "
    "how to start free.",
}


def _posts(keys: list[str], name: str, audience: str, outcome: str, problem: str) -> list[Post]:
    values = {
        "name": name,
        "audience": audience,
        "outcome": outcome[:1].upper() + outcome[1:],
        "outcome_lower": outcome,
        "problem_lower": problem[:1].lower() + problem[1:],
    }
    return [Post(platform=k, text=shorten(_POSTS[k].format(**values), 280)) for k in keys if k in _POSTS]


def plan_campaign(
    product: str, budget: float = 1000, platforms: list[str] | None = None, currency: str = "USD", days: int = 30
) -> Campaign:
    """Plan a campaign from a product description (deterministic).

    Args:
        product: What is advertised, in a sentence or a paragraph.
        budget: Total spend, in ``currency``.
        platforms: Ad platforms (default LinkedIn and Google).
        currency: ISO 4217 code.
        days: Campaign length.

    Raises:
        ValueError: A blank product, a non-positive budget or an unknown platform.
    """
    text = clean(product)
    if not text:
        raise ValueError("the product description is empty: say what the product does and for whom")
    if budget <= 0:
        raise ValueError(f"the budget must be positive, got {budget}")
    keys = platform_keys(platforms if platforms is not None else ["linkedin", "google"])
    domain, matched = match_domain(text)
    audience = explicit_audience(text) or domain.audience
    problem = sentence(explicit_problem(text) or domain.problem)
    main = domain.entities[0].name if domain.entities else title_case((keywords(text, 1) or ["product"])[0])
    name = product_name(text, f"{main} Hub")
    words = keywords(text, 6)
    b2b = domain.b2b
    audiences = [
        Audience(id="primary", name=title_case(shorten(audience, 60)), description=f"The first users: {audience}.",
                 interests=list(domain.interests), job_titles=list(domain.job_titles) if b2b else [],
                 keywords=[f"{main.lower()} app", f"{domain.label} software",
                           *[f"{w} {main.lower()}" for w in words if w[:5] != main.lower()[:5]][:3]]),
        Audience(id="niche", name=title_case(shorten(domain.niche, 60)), description=f"A narrower segment to test: "
                 f"{domain.niche}.", interests=list(domain.interests[:2]), job_titles=list(domain.job_titles[:2]),
                 keywords=[f"best {main.lower()} software", f"{main.lower()} app for small teams" if b2b else
                           f"simple {main.lower()} app"]),
        Audience(id="retargeting", name="Site visitors", description="People who visited the landing page in the "
                 "last 30 days without signing up.", interests=[], job_titles=[], keywords=[]),
    ]  # fmt: skip
    plans = [
        PlatformPlan(
            platform=k,
            objective=PLATFORMS[k].objective,
            format=PLATFORMS[k].format,
            audience_ids=["primary", "niche", "retargeting"] if k != "google" else ["primary", "retargeting"],
            ads=_ads(k, name, audience, domain.outcome, problem),
        )
        for k in keys
    ]
    weights = {k: PLATFORMS[k].weight_b2b if b2b else PLATFORMS[k].weight_b2c for k in keys}
    split = _lines(budget, split_budget(budget, weights), days)
    outcome = domain.outcome[:1].upper() + domain.outcome[1:]
    content = Content(
        landing_page=LandingPage(headline=shorten(f"{name}: {domain.outcome}", 90),
                                 subheadline=f"For {audience} — because {problem[:1].lower() + problem[1:]}",
                                 bullets=[outcome + ".", "Set up in minutes, no training needed.",
                                          "Your data stays yours: export or delete it any time."]),
        social_posts=_posts(keys, name, audience, domain.outcome, problem),
        email=Email(subject=shorten(f"{name} is live: {domain.outcome}", 78),
                    body=f"Hi,\n\n{problem} We built {name} for {audience}: {domain.outcome}.\n\n"
                         "Try it free and reply with what you think.\n\nThanks!"),
    )  # fmt: skip
    assumptions = [
        "Offline plan: audiences, copy and targets come from the product's words and built-in benchmarks, not "
        "from a language model or your ad accounts.",
        f"Benchmarks (cost per click, click-through and conversion rates) are rough industry averages for "
        f"{'business' if b2b else 'consumer'} products; replace them with your accounts' data after the first week.",
        f"Budget split by platform fit for {'business' if b2b else 'consumer'} buyers; it sums exactly to "
        f"{budget:g} {currency.upper()} over {days} days.",
    ]
    assumptions.append(
        f"Read as a {domain.label} product (matched: {', '.join(matched)})."
        if domain is not GENERIC
        else "No known product domain matched; audiences and copy use generic wording."
    )
    if explicit_audience(text) is None:
        assumptions.append(f"The description names no audience; assumed: {audience}.")
    return Campaign(
        product=Product(name=name, summary=shorten(text, 300), category=domain.label),
        value_proposition=f"{name} for {audience}: {domain.outcome}.",
        audiences=audiences,
        platforms=plans,
        budget=Budget(total=budget, currency=currency.upper(), days=days, split=split),
        kpis=_kpis(split, b2b),
        content=content,
        assumptions=assumptions,
    )


def normalize_campaign(
    campaign: dict[str, Any], budget: float, platforms: list[str], currency: str = "USD", days: int = 30
) -> Campaign:
    """Make a (model's) campaign consistent with the request, recording each correction in its assumptions.

    Keeps only the requested platforms, rescales the split to sum exactly to ``budget`` (the campaign's amounts
    are the weights; a requested platform it left out gets the average weight), recomputes shares and daily
    amounts, and sets the total, currency and days.

    Raises:
        ValueError: The campaign does not match the :class:`Campaign` shape, or an unknown platform.
        pydantic.ValidationError: Likewise, naming the field.
    """
    parsed = Campaign.model_validate(campaign)
    keys = platform_keys(platforms)
    notes: list[str] = []
    given = {line.platform: line.amount for line in parsed.budget.split if line.platform in keys}
    average = (sum(given.values()) / len(given)) if given else 1.0
    weights = {k: given.get(k, average) for k in keys}
    amounts = split_budget(budget, weights)
    if any(k not in given for k in keys) or len(given) != len(parsed.budget.split):
        notes.append("The budget split was aligned with the requested platforms.")
    if any(abs(amounts[k] - given.get(k, -1)) > 0.005 for k in keys):
        notes.append(f"The split was rescaled to sum exactly to {budget:g} {currency.upper()}.")
    plans = {p.platform: p for p in parsed.platforms if p.platform in keys}
    for key in keys:
        if key not in plans:
            p = PLATFORMS[key]
            ad = Ad(headline=shorten(parsed.product.name, p.headline_limit),
                    body=shorten(parsed.value_proposition, p.body_limit), call_to_action=p.call_to_action)  # fmt: skip
            plans[key] = PlatformPlan(platform=key, objective=p.objective, format=p.format,
                                      audience_ids=[a.id for a in parsed.audiences], ads=[ad])  # fmt: skip
            notes.append(f"No plan for {p.label} was given; a minimal one was added from the value proposition.")
    return parsed.model_copy(
        update={
            "platforms": [plans[k] for k in keys],
            "budget": Budget(total=budget, currency=currency.upper(), days=days, split=_lines(budget, amounts, days)),
            "assumptions": [*parsed.assumptions, *notes],
        }
    )
