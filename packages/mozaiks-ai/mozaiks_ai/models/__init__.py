"""Model providers: one interface (:class:`ModelProvider`), three implementations, and their plumbing.

* :class:`OfflineProvider`: deterministic answers without a network (the default without a key).
* :class:`OpenAIProvider`: any OpenAI-compatible endpoint through the ``openai`` SDK.
* :class:`AnthropicProvider`: Claude through the ``anthropic`` SDK (extra ``mozaiks-ai[anthropic]``).
* :func:`resolve_model` turns ``provider:model`` / ``default`` into a (cached) provider and a model name.
* :func:`cost` prices a call's :class:`Usage` from a :class:`PriceTable`.

Example:
    >>> import asyncio
    >>> provider, model = resolve_model("offline", default="default", settings=ModelSettings())
    >>> request = ModelRequest(model, (Message("user", "Hello"),))
    >>> asyncio.run(provider.complete(request)).text
    '[offline] You asked: "Hello"'
"""

from __future__ import annotations

from mozaiks_ai.models._extras import MissingExtraError
from mozaiks_ai.models.anthropic_provider import AnthropicProvider
from mozaiks_ai.models.base import (
    Message,
    ModelProvider,
    ModelRequest,
    ModelResponse,
    OnToken,
    ToolCall,
    ToolSpec,
    Usage,
)
from mozaiks_ai.models.offline import OfflineProvider
from mozaiks_ai.models.openai_compat import OpenAIProvider
from mozaiks_ai.models.pricing import DEFAULT_PRICES, Price, PriceTable, cost, load_price_table
from mozaiks_ai.models.registry import DEFAULT_MODELS, PROVIDERS, parse_model_spec, resolve_model
from mozaiks_ai.models.settings import ModelSettings

__all__ = [
    "DEFAULT_MODELS",
    "DEFAULT_PRICES",
    "PROVIDERS",
    "AnthropicProvider",
    "Message",
    "MissingExtraError",
    "ModelProvider",
    "ModelRequest",
    "ModelResponse",
    "ModelSettings",
    "OfflineProvider",
    "OnToken",
    "OpenAIProvider",
    "Price",
    "PriceTable",
    "ToolCall",
    "ToolSpec",
    "Usage",
    "cost",
    "load_price_table",
    "parse_model_spec",
    "resolve_model",
]
