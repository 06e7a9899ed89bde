from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from mozaiks_workflows.campaign import PLATFORMS, Campaign, normalize_campaign, plan_campaign, split_budget
from mozaiks_workflows.marketing_api import send_campaign
from pack_harness import free_port
from platform_harness import (
    cli,
    model_environ,
    run_workflow,
    serve_marketing,
    serve_openai_peer,
    step_schema,
    validate,
)

PRODUCT = "An invoicing tool for freelance designers because chasing late payments wastes hours every month"


def _check_campaign(campaign: dict[str, Any], budget: float, platforms: list[str]) -> Campaign:
    validate(campaign, step_schema("ValidationEngine", "draft"))
    parsed = Campaign.model_validate(campaign)
    assert [p.platform for p in parsed.platforms] == platforms
    assert [line.platform for line in parsed.budget.split] == platforms
    assert round(sum(line.amount for line in parsed.budget.split), 2) == budget == parsed.budget.total
    return parsed


def test_offline_campaign_with_defaults_is_consistent_and_not_sent(tmp_path: Path) -> None:
    result = run_workflow(tmp_path, "ValidationEngine", {"product": PRODUCT})

    assert result.run.status == "succeeded", result.run.error
    output = result.output
    campaign = _check_campaign(output["campaign"], 1000, ["linkedin", "google"])
    assert output["offline"] is True and result.completed("draft")["offline"] is True
    assert campaign.budget.currency == "USD" and campaign.budget.days == 30
    assert {a.id for a in campaign.audiences} == {"primary", "niche", "retargeting"}
    assert campaign.audiences[0].name == "Freelance Designers"
    for plan in campaign.platforms:  # copy fits each platform's limits
        limits = PLATFORMS[plan.platform]
        assert all(len(ad.headline) <= limits.headline_limit and len(ad.body) <= limits.body_limit for ad in plan.ads)
    assert {k.platform for k in campaign.kpis} == {"linkedin", "google", "all"}
    assert any("rough industry averages" in a for a in campaign.assumptions)
    assert output["marketing_api"]["status"] == "skipped"
    assert "MOZAIKS_MARKETING_API_URL is not set" in output["marketing_api"]["reason"]
    # artifacts: the JSON for a backend, and a readable page
    assert output["artifacts"] == ["marketing/campaign.json", "marketing/campaign.md"]
    assert json.loads(result.text("marketing/campaign.json")) == output["campaign"]
    page = result.text("marketing/campaign.md")
    assert page.startswith(f"# Launch campaign: {campaign.product.name}")
    assert "| **Total** | **1000.00** | 100 % | |" in page and "## KPIs" in page and "*Offline plan" in page
    assert "not sent" in result.progress()[-1]


def test_campaign_is_posted_to_the_configured_marketing_api(tmp_path: Path) -> None:
    with serve_marketing() as api:
        environ = {"MOZAIKS_MARKETING_API_URL": api.url + "/", "MOZAIKS_MARKETING_API_KEY": "mk-test-key-123"}
        result = run_workflow(
            tmp_path, "ValidationEngine", {"product": PRODUCT, "budget": 2500, "platforms": ["Facebook", "google"]},
            environ=environ,
        )  # fmt: skip

    assert result.run.status == "succeeded", result.run.error
    assert len(api.requests) == 1
    request = api.requests[0]
    assert request["path"] == "/campaigns"
    assert request["headers"]["authorization"] == "Bearer mk-test-key-123"
    assert request["headers"]["idempotency-key"] == f"{result.run.id}:publish"
    assert request["body"]["user_id"] == "user-1" and request["body"]["app_id"] == result.run.app_id
    assert request["body"]["campaign"] == result.output["campaign"]
    _check_campaign(result.output["campaign"], 2500, ["meta", "google"])
    assert result.output["marketing_api"] == {"status": "sent", "http_status": 201, "response": api.answer}
    assert "mk-test-key-123" not in json.dumps(result.output), "the key is read as a secret and redacted"


def test_a_marketing_api_that_is_down_or_refuses_never_fails_the_run(tmp_path: Path) -> None:
    closed_port = free_port()
    down = run_workflow(
        tmp_path, "ValidationEngine", {"product": PRODUCT},
        environ={"MOZAIKS_MARKETING_API_URL": f"http://127.0.0.1:{closed_port}"},
    )  # fmt: skip
    assert down.run.status == "succeeded", down.run.error
    assert down.output["marketing_api"]["status"] == "failed"
    assert "unreachable" in down.output["marketing_api"]["error"]
    assert "marketing/campaign.json" in down.artifacts

    with serve_marketing(status=503) as api:
        refused = run_workflow(
            tmp_path, "ValidationEngine", {"product": PRODUCT}, environ={"MOZAIKS_MARKETING_API_URL": api.url}
        )
    assert refused.run.status == "succeeded"
    assert refused.output["marketing_api"]["http_status"] == 503
    assert refused.output["marketing_api"]["response"] == {"error": "campaign refused"}
    assert "marketing API: failed" in refused.output["summary"]


def test_budget_split_sums_exactly_for_any_budget(tmp_path: Path) -> None:
    result = run_workflow(
        tmp_path, "ValidationEngine",
        {"product": "A habit tracker app for students", "budget": 999.99, "platforms": ["tiktok", "instagram", "x"],
         "currency": "eur", "days": 14},
    )  # fmt: skip
    campaign = _check_campaign(result.output["campaign"], 999.99, ["tiktok", "meta", "x"])
    assert campaign.budget.currency == "EUR" and campaign.budget.days == 14
    assert split_budget(7, {"a": 1, "b": 1, "c": 1}) == {"a": 3, "b": 2, "c": 2}
    assert split_budget(100, {"a": 0, "b": 0}) == {"a": 50, "b": 50}


def test_unknown_platform_and_empty_product_are_refused(tmp_path: Path) -> None:
    result = run_workflow(tmp_path, "ValidationEngine", {"product": PRODUCT, "platforms": ["myspace"]})
    assert result.run.status == "failed" and result.error["step"] == "check"
    assert "unknown platform 'myspace'; use some of: linkedin, google" in result.error["message"]

    bad = cli("run", "ValidationEngine", "--input", json.dumps({"product": ""}), "--db", f"sqlite:///{tmp_path}/c.db")
    assert bad.returncode == 2 and "product must not be blank" in bad.stderr
    with pytest.raises(ValueError, match="budget must be positive"):
        plan_campaign(PRODUCT, 0)


def test_with_a_model_the_campaign_is_normalised_to_the_request(tmp_path: Path) -> None:
    answer = plan_campaign(PRODUCT, 1000, ["linkedin", "google"]).model_dump()
    assert [line["amount"] for line in answer["budget"]["split"]] == [538, 462]
    answer["budget"]["split"][0]["amount"] = 700.0  # the model's arithmetic is off: 700 + 462 ≠ 1000
    answer["platforms"].append({**answer["platforms"][0], "platform": "tiktok"})  # and it added a platform
    with serve_openai_peer([{"json": answer}]) as peer:
        result = run_workflow(tmp_path, "ValidationEngine", {"product": PRODUCT}, environ=model_environ(peer))

    assert result.run.status == "succeeded", result.run.error
    assert result.output["offline"] is False
    campaign = _check_campaign(result.output["campaign"], 1000, ["linkedin", "google"])
    assert [line.amount for line in campaign.budget.split] == [602, 398]  # 700 : 462, rescaled to 1000
    assert any("rescaled to sum exactly to 1000 USD" in a for a in campaign.assumptions)
    prompt = peer.requests[0]["messages"][-1]["content"]
    assert PRODUCT in prompt and "linkedin, google" in prompt
    assert "*Offline plan" not in result.text("marketing/campaign.md")


def test_normalize_adds_a_minimal_plan_for_a_platform_the_model_left_out() -> None:
    campaign = plan_campaign(PRODUCT, 500, ["google"]).model_dump()

    normalised = normalize_campaign(campaign, 500, ["google", "x"])

    assert [p.platform for p in normalised.platforms] == ["google", "x"]
    assert [line.amount for line in normalised.budget.split] == [250, 250]
    assert normalised.platforms[1].ads[0].call_to_action == PLATFORMS["x"].call_to_action


def test_send_campaign_reports_instead_of_raising() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, text="bad campaign")

    async def main() -> tuple[dict[str, Any], dict[str, Any]]:
        skipped = await send_campaign(None, {}, idempotency_key="k")
        failed = await send_campaign("http://api.test", {}, idempotency_key="k", transport=httpx.MockTransport(refuse))
        return skipped, failed

    skipped, failed = asyncio.run(main())
    assert skipped["status"] == "skipped"
    assert failed == {"status": "failed", "http_status": 400, "error": "the marketing API refused the campaign "
                      "(HTTP 400)", "response": "bad campaign"}  # fmt: skip
