from __future__ import annotations

from pathlib import Path

import pytest
from mozaiks_core_runtime import hosting
from mozaiks_core_runtime.errors import ConfigurationError
from mozaiks_core_runtime.hosting import Hosting, detect, detect_mode, detect_platform


@pytest.mark.parametrize(
    ("value", "mode"),
    [
        (None, "self-hosted"),
        ("", "self-hosted"),
        ("managed", "managed"),
        (" Managed ", "managed"),
        ("self_hosted", "self-hosted"),
    ],
)
def test_mode(value: str | None, mode: str) -> None:
    environ = {} if value is None else {"MOZAIKS_MODE": value}
    assert detect_mode(environ) == mode


def test_unknown_mode_says_what_to_set() -> None:
    with pytest.raises(ConfigurationError, match="'managed' or 'self-hosted'"):
        detect_mode({"MOZAIKS_MODE": "cloud"})


@pytest.fixture
def nothing(tmp_path: Path) -> dict[str, Path]:
    return {"dockerenv": tmp_path / "missing-dockerenv", "cgroup": tmp_path / "missing-cgroup"}


def test_platform_order(tmp_path: Path, nothing: dict[str, Path]) -> None:
    both = {"CONTAINER_APP_NAME": "api", "KUBERNETES_SERVICE_HOST": "10.0.0.1"}
    assert detect_platform(both, **nothing) == "container-apps"
    assert detect_platform({"KUBERNETES_SERVICE_HOST": "10.0.0.1"}, **nothing) == "kubernetes"
    assert detect_platform({}, **nothing) == "local"
    dockerenv = tmp_path / ".dockerenv"
    dockerenv.touch()
    assert detect_platform({}, dockerenv=dockerenv, cgroup=nothing["cgroup"]) == "docker"
    cgroup = tmp_path / "cgroup"
    cgroup.write_text("12:memory:/docker/3f2a\n")
    assert detect_platform({}, dockerenv=nothing["dockerenv"], cgroup=cgroup) == "docker"
    cgroup.write_text("0::/init.scope\n")
    assert detect_platform({}, dockerenv=nothing["dockerenv"], cgroup=cgroup) == "local"


def test_detect(nothing: dict[str, Path]) -> None:
    found = detect({"MOZAIKS_MODE": "managed", "CONTAINER_APP_NAME": "api"}, **nothing)
    assert found == Hosting(mode="managed", platform="container-apps")
    assert found.is_managed
    assert not detect({}, **nothing).is_managed


def test_module_attributes_read_the_process_environment() -> None:
    assert hosting.mode in ("managed", "self-hosted")
    assert hosting.platform in ("container-apps", "kubernetes", "docker", "local")
    with pytest.raises(AttributeError):
        _ = hosting.nope
