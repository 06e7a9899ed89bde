from __future__ import annotations

import mozaiks_core_runtime.telemetry as telemetry
from mozaiks_core_runtime.telemetry import DEFAULT_INSIGHTS_PATH, InsightsConfig


def test_push_url_resolution() -> None:
    assert InsightsConfig.from_environ({}).push_url is None
    managed = {"MOZAIKS_MODE": "managed", "MOZAIKS_PLATFORM_URL": "https://platform.example/"}
    config = InsightsConfig.from_environ(managed)
    assert config.push_url == "https://platform.example" + DEFAULT_INSIGHTS_PATH
    explicit = InsightsConfig.from_environ(
        {**managed, "MOZAIKS_INSIGHTS_URL": "https://in.example/b", "MOZAIKS_APP_ID": "a"}
    )
    assert (explicit.push_url, explicit.app_id) == ("https://in.example/b", "a")
    assert InsightsConfig.from_environ({"MOZAIKS_MODE": "managed"}).push_url is None
    assert InsightsConfig.from_environ({**managed, "MOZAIKS_MODE": "self-hosted"}).push_url is None
    keyed = InsightsConfig.from_environ({**managed, "MOZAIKS_INSIGHTS_API_KEY": "secret-key"})
    assert keyed.api_key == "secret-key"
    assert "secret-key" not in repr(keyed)


def test_all_is_sorted_and_importable() -> None:
    exported = list(telemetry.__all__)
    assert exported == sorted(exported, key=lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n))
    for name in exported:
        assert hasattr(telemetry, name), name
