"""Resolve a model spec (``provider:model``, ``offline`` or ``default``) to a provider and a model name.

Resolution order (SPEC §3.7): the step's ``model:``, else ``default`` (the workflow's ``model:`` or
the engine's default), else :attr:`ModelSettings.effective_default_model` (``MOZAIKS_MODEL``, else
``openai:gpt-4o-mini`` when ``OPENAI_API_KEY`` is set, else ``offline``). A bare provider name picks
that provider's default model. Model names may contain colons (``openai:llama3.1:8b`` on Ollama).

Providers are created once per (settings, provider) and reused, so their HTTP connection pools are shared.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType

from mozaiks_ai.errors import ProviderNotConfiguredError
from mozaiks_ai.models.base import ModelProvider
from mozaiks_ai.models.offline import OfflineProvider
from mozaiks_ai.models.settings import ModelSettings

__all__ = ["DEFAULT_MODELS", "PROVIDERS", "ModelSettings", "parse_model_spec", "resolve_model"]

#: The providers a spec may name.
PROVIDERS = ("anthropic", "offline", "openai")
#: The model used when a spec names only a provider.
DEFAULT_MODELS: Mapping[str, str] = MappingProxyType(
    {"anthropic": "claude-sonnet-4-6", "offline": "offline", "openai": "gpt-4o-mini"}
)
_ALIAS = "default"


def parse_model_spec(spec: str) -> tuple[str, str]:
    """Split ``provider:model`` (``offline`` and a bare provider take its default model).

    Raises:
        ProviderNotConfiguredError: The provider is unknown; the message lists the valid forms.
    """
    provider, _, model = spec.strip().partition(":")
    provider = provider.strip().lower()
    if provider not in PROVIDERS:
        raise ProviderNotConfiguredError(
            f"unknown model provider {provider!r} in model {spec!r}: use 'offline', 'openai:<model>' or "
            "'anthropic:<model>' (set MOZAIKS_MODEL or the step's `model:`; Ollama, vLLM, LM Studio and "
            "Azure OpenAI are 'openai:<model>' with OPENAI_BASE_URL)"
        )
    return provider, model.strip() or DEFAULT_MODELS[provider]


def resolve_model(spec: str | None, *, default: str | None, settings: ModelSettings) -> tuple[ModelProvider, str]:
    """Return the provider and model name that ``spec`` means under ``settings``.

    Args:
        spec: ``provider:model``, ``offline``, ``default`` or ``None`` (the latter two mean ``default``).
        default: The spec used for ``default``/``None``; itself ``default`` or ``None`` means the settings' default.
        settings: Keys, endpoints, timeout and retries.

    Raises:
        ProviderNotConfiguredError: The provider is unknown or lacks its key/endpoint; the message says
            what to set. :class:`MissingExtraError` (also an ``ImportError``) when its package is missing.
    """
    chosen = next(
        (s.strip() for s in (spec, default) if s is not None and s.strip() not in ("", _ALIAS)),
        settings.effective_default_model,
    )
    provider, model = parse_model_spec(chosen)
    return _provider(settings, provider), model


@functools.lru_cache(maxsize=64)
def _provider(settings: ModelSettings, name: str) -> ModelProvider:
    if name == "offline":
        return OfflineProvider()
    if name == "openai":
        if not settings.openai_api_key and not settings.openai_base_url:
            raise ProviderNotConfiguredError(
                "OpenAI models need settings: set OPENAI_API_KEY, or OPENAI_BASE_URL for a local OpenAI-compatible "
                "server (Ollama, vLLM, LM Studio); or use MOZAIKS_MODEL=offline"
            )
        from mozaiks_ai.models.openai_compat import OpenAIProvider

        return OpenAIProvider(
            settings.openai_base_url,
            settings.openai_api_key,
            max_retries=settings.max_retries,
            timeout=settings.timeout,
        )
    if not settings.anthropic_api_key:
        raise ProviderNotConfiguredError("Anthropic models need a key: set ANTHROPIC_API_KEY (or use another model)")
    from mozaiks_ai.models.anthropic_provider import AnthropicProvider

    return AnthropicProvider(
        settings.anthropic_api_key,
        base_url=settings.anthropic_base_url,
        max_retries=settings.max_retries,
        timeout=settings.timeout,
    )
