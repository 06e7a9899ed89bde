"""Model specs resolve to cached providers under the settings; missing settings say what to set."""

from __future__ import annotations

import sys

import pytest
from mozaiks_ai.errors import ProviderNotConfiguredError
from mozaiks_ai.models import (
    AnthropicProvider,
    MissingExtraError,
    ModelSettings,
    OfflineProvider,
    OpenAIProvider,
    parse_model_spec,
    resolve_model,
)

NOTHING = ModelSettings()
OPENAI = ModelSettings(openai_api_key="sk-test-key")
BOTH = ModelSettings(openai_api_key="sk-test-key", anthropic_api_key="sk-ant-test")


def test_without_keys_everything_defaults_to_offline() -> None:
    provider, model = resolve_model(None, default="default", settings=NOTHING)

    assert isinstance(provider, OfflineProvider) and model == "offline"
    assert NOTHING.effective_default_model == "offline"


def test_an_openai_key_makes_gpt_4o_mini_the_default() -> None:
    provider, model = resolve_model("default", default="default", settings=OPENAI)

    assert isinstance(provider, OpenAIProvider) and model == "gpt-4o-mini"
    assert provider.base_url == "https://api.openai.com/v1"


def test_mozaiks_model_wins_over_the_automatic_default() -> None:
    settings = ModelSettings(openai_api_key="sk-test-key", default_model="offline:demo")

    provider, model = resolve_model(None, default="default", settings=settings)

    assert isinstance(provider, OfflineProvider) and model == "demo"


@pytest.mark.parametrize(
    ("spec", "default", "expected"),
    [
        ("offline:step", "openai:gpt-4o", ("offline", "step")),  # the step's model wins
        (None, "offline:workflow", ("offline", "workflow")),  # then the workflow's
        ("default", "offline:workflow", ("offline", "workflow")),
        ("  ", "offline:workflow", ("offline", "workflow")),
        (None, None, ("openai", "gpt-4o-mini")),  # then the settings'
        (None, "default", ("openai", "gpt-4o-mini")),
        ("openai", None, ("openai", "gpt-4o-mini")),  # a bare provider takes its default model
        ("anthropic", None, ("anthropic", "claude-sonnet-4-6")),
        ("anthropic:claude-sonnet-4-5", None, ("anthropic", "claude-sonnet-4-5")),
        (" OpenAI : gpt-4.1 ", None, ("openai", "gpt-4.1")),
        ("openai:llama3.1:8b", None, ("openai", "llama3.1:8b")),  # Ollama tags keep their colon
    ],
)
def test_resolution_order(spec: str | None, default: str | None, expected: tuple[str, str]) -> None:
    provider, model = resolve_model(spec, default=default, settings=BOTH)

    assert (provider.name, model) == expected


def test_providers_are_cached_per_settings() -> None:
    first, _ = resolve_model("openai:gpt-4o", default=None, settings=OPENAI)
    again, _ = resolve_model("openai:gpt-4.1", default=None, settings=ModelSettings(openai_api_key="sk-test-key"))
    other, _ = resolve_model("openai:gpt-4o", default=None, settings=ModelSettings(openai_api_key="sk-other"))

    assert first is again and first is not other


def test_settings_reach_the_provider() -> None:
    settings = ModelSettings(openai_base_url="http://localhost:11434/v1/", timeout=7.5, max_retries=1)

    provider, model = resolve_model("openai:llama3.1", default=None, settings=settings)

    assert isinstance(provider, OpenAIProvider) and model == "llama3.1"
    assert (provider.base_url, provider.timeout, provider.backoff.max_retries) == ("http://localhost:11434/v1", 7.5, 1)


def test_anthropic_settings_reach_the_provider() -> None:
    settings = ModelSettings(anthropic_api_key="sk-ant-x", anthropic_base_url="http://127.0.0.1:9/", max_retries=0)

    provider, _ = resolve_model("anthropic:claude-x", default=None, settings=settings)

    assert isinstance(provider, AnthropicProvider)
    assert (provider.base_url, provider.backoff.max_retries) == ("http://127.0.0.1:9", 0)


def test_unknown_providers_list_the_valid_forms() -> None:
    with pytest.raises(ProviderNotConfiguredError, match=r"unknown model provider 'gemini'.*'openai:<model>'"):
        resolve_model("gemini:pro", default=None, settings=BOTH)


def test_openai_without_key_or_base_url_says_what_to_set() -> None:
    with pytest.raises(ProviderNotConfiguredError, match="set OPENAI_API_KEY, or OPENAI_BASE_URL"):
        resolve_model("openai:gpt-4o-mini", default=None, settings=NOTHING)


def test_anthropic_without_key_says_what_to_set() -> None:
    with pytest.raises(ProviderNotConfiguredError, match="set ANTHROPIC_API_KEY"):
        resolve_model("anthropic", default=None, settings=OPENAI)


def test_a_missing_anthropic_package_is_reported_at_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "anthropic", None)

    with pytest.raises(MissingExtraError, match=r"mozaiks-ai\[anthropic\]"):
        resolve_model("anthropic", default=None, settings=ModelSettings(anthropic_api_key="sk-ant-never-cached"))


def test_parse_model_spec() -> None:
    assert parse_model_spec("offline") == ("offline", "offline")
    assert parse_model_spec("offline:anything") == ("offline", "anything")
    with pytest.raises(ProviderNotConfiguredError):
        parse_model_spec("")


def test_keys_stay_out_of_repr() -> None:
    assert "sk-" not in repr(BOTH)
