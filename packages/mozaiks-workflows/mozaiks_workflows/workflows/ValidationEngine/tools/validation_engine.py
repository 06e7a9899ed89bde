"""ValidationEngine's tools: the deterministic plan (the offline answer), its normalisation, and publishing."""

from __future__ import annotations

from typing import Any

from mozaiks_ai import ToolContext, tool
from mozaiks_workflows.campaign import normalize_campaign, plan_campaign, platform_keys
from mozaiks_workflows.marketing_api import send_campaign

#: Marks an offline answer; it is not part of the output schema the model sees.
OFFLINE_SOURCE = "offline"


@tool
def check_platforms(platforms: list[str]) -> list[str]:
    """Normalise platform names (``Facebook`` → ``meta``); refuse unknown ones before a model is called."""
    return platform_keys(platforms)


@tool
def plan_campaign_offline(
    product: str, budget: float, platforms: list[str], currency: str, days: int, context: ToolContext
) -> dict[str, Any]:
    """Plan audiences, copy, budget split and KPIs from the product's words and built-in benchmarks (no model)."""
    context.progress("Planning from the description and benchmarks (offline analysis)…")
    return {**plan_campaign(product, budget, platforms, currency, days).model_dump(), "source": OFFLINE_SOURCE}


@tool
def finalize_campaign(
    campaign: dict[str, Any], budget: float, platforms: list[str], currency: str, days: int
) -> dict[str, Any]:
    """Keep the requested platforms and make the budget split sum exactly to the budget.

    Returns:
        ``{"campaign": <Campaign JSON>, "offline": <whether the offline plan wrote it>}``.
    """
    body = dict(campaign)
    offline = body.pop("source", None) == OFFLINE_SOURCE
    return {"campaign": normalize_campaign(body, budget, platforms, currency, days).model_dump(), "offline": offline}


@tool
async def publish_campaign(campaign: dict[str, Any], context: ToolContext) -> dict[str, Any]:
    """POST the campaign to ``{MOZAIKS_MARKETING_API_URL}/campaigns`` when configured; report the outcome.

    The URL and key are read like secrets (environment or secrets file), so they are redacted from everything the
    run stores. The step's idempotency key is sent as ``Idempotency-Key``: a retried or resumed step never creates
    a second campaign.
    """
    url = context.secrets.get("MOZAIKS_MARKETING_API_URL")
    if url:
        context.progress("Sending the campaign to the marketing API…")
    result = await send_campaign(
        url,
        campaign,
        api_key=context.secrets.get("MOZAIKS_MARKETING_API_KEY"),
        app_id=context.app_id,
        user_id=context.user_id,
        idempotency_key=context.idempotency_key,
    )
    messages = {
        "sent": "The marketing API accepted the campaign.",
        "skipped": "MOZAIKS_MARKETING_API_URL is not set: the campaign was not sent (it is in the artifacts).",
    }
    context.progress(messages.get(result["status"], f"Not sent: {result.get('error')}"))
    return result
