"""Model calls made by steps: provider resolution, budgets, token streaming and accounting.

Every call emits ``chunk`` events of kind ``token`` as text streams in, then one ``usage`` event
(provider, model, input/output tokens, latency, cost, ``offline``) whose numbers are also written to
the store's usage table, from which run and app totals (and budgets) are computed.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from mozaiks_ai.errors import BudgetExceededError
from mozaiks_ai.models import ModelRequest, ModelResponse, cost, resolve_model
from mozaiks_ai.state.records import Batch, UsageRecord

if TYPE_CHECKING:
    from mozaiks_ai.executor.run import RunExecution

__all__ = ["call_model", "estimate_tokens"]


def estimate_tokens(request: ModelRequest) -> int:
    """A rough upper estimate of the tokens a call will use (4 characters per token, plus the output cap)."""
    chars = sum(len(m.content or "") for m in request.messages)
    chars += sum(len(t.description) + len(str(t.parameters)) for t in request.tools)
    return chars // 4 + (request.max_tokens or 0)


async def _check_budgets(execution: RunExecution, request: ModelRequest) -> None:
    config = execution.engine.config
    needed = estimate_tokens(request)
    run = execution.run
    if config.run_token_budget is not None:
        used = await execution.engine.store.usage_totals(run_id=run.id)
        total = used["input_tokens"] + used["output_tokens"]
        if total + needed > config.run_token_budget:
            raise BudgetExceededError(
                f"run {run.id} would exceed its token budget of {config.run_token_budget} (used {total}, the next "
                f"call needs about {needed}); raise MOZAIKS_RUN_TOKEN_BUDGET to allow more"
            )
    if config.app_token_budget is not None or config.app_cost_budget is not None:
        used = await execution.engine.store.usage_totals(app_id=run.app_id)
        total = used["input_tokens"] + used["output_tokens"]
        if config.app_token_budget is not None and total + needed > config.app_token_budget:
            raise BudgetExceededError(
                f"app {run.app_id!r} would exceed its token budget of {config.app_token_budget} (used {total}); "
                "raise MOZAIKS_APP_TOKEN_BUDGET to allow more"
            )
        if config.app_cost_budget is not None and used["cost"] >= config.app_cost_budget:
            raise BudgetExceededError(
                f"app {run.app_id!r} has spent its budget of ${config.app_cost_budget:g} (used ${used['cost']:.4f}); "
                "raise MOZAIKS_APP_COST_BUDGET to allow more"
            )


async def call_model(execution: RunExecution, path: str, spec: str | None, request: ModelRequest) -> ModelResponse:
    """Call the model named by ``spec`` (``provider:model``, ``default`` or ``None``) for the step at ``path``.

    Raises:
        ProviderNotConfiguredError: The provider needs settings that are missing.
        BudgetExceededError: A token or cost budget would be exceeded.
        ModelError: The call failed after retries.
    """
    engine = execution.engine
    provider, model = resolve_model(spec, default=None, settings=engine.model_settings())
    engine.providers_used.add(provider)
    request = ModelRequest(**{**request.__dict__, "model": model})
    await _check_budgets(execution, request)

    def on_token(text: str) -> None:
        execution.emit("chunk", path, {"kind": "token", "chunk": text})

    started = time.perf_counter()
    response = await provider.complete(request, on_token)
    latency_ms = (time.perf_counter() - started) * 1000
    price = cost(
        response.provider or provider.name, response.model or model, response.usage, table=engine.price_table()
    )
    batch = Batch()
    event = execution.emit(
        "usage",
        path,
        {
            "provider": response.provider or provider.name,
            "model": response.model or model,
            "input_tokens": response.usage.input_tokens,
            "output_tokens": response.usage.output_tokens,
            "latency_ms": round(latency_ms, 2),
            "cost": price,
            "offline": response.offline,
        },
        batch,
    )
    batch.usage.append(
        UsageRecord(
            execution.run.id,
            execution.run.app_id,
            event.seq,
            response.provider or provider.name,
            response.model or model,
            response.usage.input_tokens,
            response.usage.output_tokens,
            price,
            latency_ms,
        )
    )
    await engine.store.submit(batch)
    return response
