"""RuntimeConfig reads the environment through an injected mapping."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from mozaiks_ai.config import DEFAULT_DB_URL, RuntimeConfig, bundled_examples
from mozaiks_ai.errors import ConfigurationError


def test_defaults() -> None:
    config = RuntimeConfig.from_env({})
    assert config.db_url == DEFAULT_DB_URL
    assert config.mode == "self-hosted"
    assert config.smtp is None
    assert config.workflow_paths == ()


def test_paths_enabled_and_aliases() -> None:
    config = RuntimeConfig.from_env({"WORKFLOWS_PATH": f"a{os.pathsep}b", "WORKFLOWS_ENABLED": "x, y"})
    assert config.workflow_paths == (Path("a"), Path("b"))
    assert config.workflows_enabled == ("x", "y")
    assert config.workflow_roots() == [Path("a"), Path("b")]
    preferred = RuntimeConfig.from_env({"MOZAIKS_WORKFLOWS_PATH": "c", "WORKFLOWS_PATH": "d"})
    assert preferred.workflow_paths == (Path("c"),)


def test_default_roots_include_the_bundled_examples() -> None:
    examples = bundled_examples()
    assert examples is not None and (examples / "hello-world" / "workflow.yml").is_file()
    assert examples in RuntimeConfig.from_env({}).workflow_roots()


def test_smtp_and_overrides() -> None:
    config = RuntimeConfig.from_env(
        {"MOZAIKS_SMTP_HOST": "mail", "MOZAIKS_SMTP_PORT": "2525", "MOZAIKS_SMTP_STARTTLS": "false"},
        db_url="sqlite:///x.db",
    )
    assert config.smtp is not None and (config.smtp.host, config.smtp.port, config.smtp.starttls) == (
        "mail",
        2525,
        False,
    )
    assert config.db_url == "sqlite:///x.db"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MOZAIKS_MODE": "cloud"}, "MOZAIKS_MODE"),
        ({"MOZAIKS_SMTP_HOST": "m", "MOZAIKS_SMTP_PORT": "x"}, "MOZAIKS_SMTP_PORT"),
        ({"MOZAIKS_RETENTION_DAYS": "soon"}, "MOZAIKS_RETENTION_DAYS"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        RuntimeConfig.from_env(env)
