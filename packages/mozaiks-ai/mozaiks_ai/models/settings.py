"""Typed settings of the model providers (filled from the environment by ``mozaiks_ai.config``)."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["DEFAULT_OPENAI_MODEL", "ModelSettings"]

#: The default model when only ``OPENAI_API_KEY`` is configured.
DEFAULT_OPENAI_MODEL = "openai:gpt-4o-mini"


@dataclass(frozen=True)
class ModelSettings:
    """What the providers need to know; hashable, so providers are cached per settings.

    Attributes:
        openai_api_key: ``OPENAI_API_KEY``.
        openai_base_url: ``OPENAI_BASE_URL``: any OpenAI-compatible endpoint (Azure OpenAI
            ``https://<resource>.openai.azure.com/openai/v1``, Ollama ``http://localhost:11434/v1``,
            vLLM, LM Studio, llama.cpp server); default ``https://api.openai.com/v1``.
        anthropic_api_key: ``ANTHROPIC_API_KEY``.
        anthropic_base_url: ``ANTHROPIC_BASE_URL``; default ``https://api.anthropic.com``.
        default_model: ``MOZAIKS_MODEL`` (``provider:model``); see :attr:`effective_default_model`.
        timeout: Seconds one model call may take, streaming included (``MOZAIKS_MODEL_TIMEOUT``).
        max_retries: Retries of 429/5xx/connection failures (``MOZAIKS_MODEL_MAX_RETRIES``).
    """

    openai_api_key: str | None = field(default=None, repr=False)
    openai_base_url: str | None = None
    anthropic_api_key: str | None = field(default=None, repr=False)
    anthropic_base_url: str | None = None
    default_model: str | None = None
    timeout: float = 120.0
    max_retries: int = 4

    @property
    def effective_default_model(self) -> str:
        """``default_model`` if set, else ``openai:gpt-4o-mini`` when an OpenAI key is set, else ``offline``."""
        if self.default_model and self.default_model.strip() not in ("", "default"):
            return self.default_model.strip()
        return DEFAULT_OPENAI_MODEL if self.openai_api_key else "offline"
