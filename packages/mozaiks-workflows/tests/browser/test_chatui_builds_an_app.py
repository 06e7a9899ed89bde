"""The README's main job, in a real browser: open ChatUI on ``mozaiks-ai serve`` with the pack, ask for an app,
watch it being generated, download it."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import unavailable
from pack_harness import PACK_ROOT, Server, serve_runtime

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    from mozaiks_ai.api.chatui import CHATUI_DIR

    if not (Path(CHATUI_DIR) / "index.html").is_file():
        unavailable("the ChatUI bundle is not built (scripts/setup)")
    with serve_runtime(tmp_path_factory.mktemp("chatui"), "platform", PACK_ROOT) as server:
        yield server


def test_ask_for_an_app_watch_it_being_generated_and_download_it(page: Any, runtime: Server, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page.goto(runtime.url + "/")
    expect(page.locator(".mz-conn")).to_have_text("Connected")
    page.get_by_role("radio", name="App Generator", exact=True).check()
    page.get_by_label("Message", exact=True).fill("Build me a recipe app with ingredients and ratings")
    page.get_by_role("button", name="Send").click()

    run = page.locator("article.mz-run")
    expect(run.locator(".mz-badge")).to_have_text("Completed", timeout=90_000)
    progress = run.locator(".mz-line--progress").all_inner_texts()
    for line in ("Analyzing your request…", "Generating backend…", "Generating frontend…"):
        assert line in progress, progress
    files = run.get_by_role("region", name="Files")
    expect(files).to_contain_text("frontend/package.json")
    page.screenshot(path=str(tmp_path / "generated.png"))

    with page.expect_download() as info:
        files.get_by_role("button", name="Download zip").click()
    target = tmp_path / "app.zip"
    info.value.save_as(str(target))
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        assert {"frontend/package.json", "frontend/src/App.tsx", "backend/main.py", "mozaiks.json"} <= names
        spec = json.loads(archive.read("mozaiks.json"))
    assert "Recipe" in {e["name"] for e in spec.get("spec", spec)["entities"]}
