"""AppGenerator's generated frontend: ``templates/frontend`` (once) and ``templates/frontend_entity`` (per entity).

The templates are rendered as the engine's ``template`` steps render them (mozaiks-ai's sandboxed environment, strict
undefined, the same scope), for the fixture spec and for a spec with every field type and awkward strings. The
``slow`` tier installs and builds the result with npm (``tsc`` strict, then ``vite build``) against the local build
of ``@mozaiks/core-runtime``, which is not published yet.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path, PurePosixPath
from typing import Any, NoReturn

import pytest
from mozaiks_ai.executor.templates import render_template_folder
from mozaiks_workflows import workflows_root
from mozaiks_workflows.appspec import AppSpec, EntitySpec, FieldSpec, PageSpec, RelationSpec

TEMPLATES = workflows_root() / "AppGenerator" / "templates"
FIXTURE = Path(__file__).parent / "fixtures" / "task_tracker_spec.json"
CORE_RUNTIME_JS = Path(__file__).resolve().parents[2] / "core-runtime-js"

SHARED_FILES = {
    "frontend/package.json",
    "frontend/index.html",
    "frontend/vite.config.ts",
    "frontend/tsconfig.json",
    "frontend/Dockerfile",
    "frontend/nginx.conf.template",
    "frontend/.dockerignore",
    "frontend/src/main.tsx",
    "frontend/src/App.tsx",
    "frontend/src/api.ts",
    "frontend/src/hooks.ts",
    "frontend/src/format.ts",
    "frontend/src/vite-env.d.ts",
    "frontend/src/styles.css",
    "frontend/src/components/ErrorNotice.tsx",
    "frontend/src/pages/LoginPage.tsx",
    "frontend/src/pages/DashboardPage.tsx",
    "frontend/src/pages/ActivityPage.tsx",
}


def render_frontend(spec: dict[str, Any]) -> dict[str, str]:
    """Render the frontend of ``spec`` (JSON as ``AppSpec.to_json()`` gives it) as AppGenerator's steps do.

    ``templates/frontend`` once and ``templates/frontend_entity`` per entity (``foreach`` … ``as: entity``), both
    into ``frontend``, with the spec under ``vars.spec``; returns ``{path in the generated repo: text}``.
    """
    files = render_template_folder(TEMPLATES, "frontend", "frontend", {"vars": {"spec": spec}})
    for entity in spec["entities"]:
        scope = {"vars": {"spec": spec}, "entity": entity}
        files.update(render_template_folder(TEMPLATES, "frontend_entity", "frontend", scope))
    return {path: content.decode() for path, content in files.items()}


def fixture_spec() -> dict[str, Any]:
    """The task tracker fixture, normalised as ``validate_spec`` hands it to the templates."""
    return AppSpec.model_validate(json.loads(FIXTURE.read_text())).to_json()


def every_field_spec() -> dict[str, Any]:
    """Every field type, required and optional relations (one to itself), names that shadow TypeScript globals,
    an entity without a page, no dashboard at ``/`` and labels full of quotes, comment ends and Jinja-like text."""
    fields = (
        FieldSpec(name="code", label='Code "*/ {x}', type="enum", required=True, options=("a-b", "C_D", "e'f")),
        FieldSpec(name="email", label="Email", type="email", required=True),
        FieldSpec(name="site", label="Site", type="url"),
        FieldSpec(name="notes", label="Notes", type="text", required=True),
        FieldSpec(name="amount", label="Amount", type="number", required=True, default=1.5),
        FieldSpec(name="count", label="Count", type="integer", required=True),
        FieldSpec(name="starts_at", label="Starts at", type="datetime", required=True),
        FieldSpec(name="ends_at", label="Ends at", type="datetime", default="2030-01-01T00:00:00Z"),
        FieldSpec(name="day", label="Day", type="date", required=True),
        FieldSpec(name="active", label="Active", type="boolean", required=True, default=True),
        FieldSpec(name="level", label="Level", type="enum", required=True, options=("low", "high"), default="low"),
        FieldSpec(name="summary", label="Summary", type="text"),
        FieldSpec(name="constructor", label="Ctor", default="x"),
    )
    spec = AppSpec(
        name='Odd "App" </script> {raw}',
        slug="odd-app",
        description='Every <field> type & "quotes".',
        entities=(
            EntitySpec(
                name="Record",
                label="Record",
                plural_label="Records",
                collection="records",
                event_noun="record",
                fields=fields,
                relations=(
                    RelationSpec(name="parent_id", target="Record"),
                    RelationSpec(name="event_id", target="Event", required=True),
                    RelationSpec(name="other_event_id", target="Event"),
                ),
                title_field="code",
            ),
            EntitySpec(
                name="Event",
                label="Event",
                plural_label="Events",
                collection="events",
                event_noun="event",
                fields=(FieldSpec(name="name", label="Name", required=True),),
                title_field="name",
            ),
            EntitySpec(
                name="Doc",
                label="Doc",
                plural_label="Docs",
                collection="docs",
                event_noun="doc",
                fields=(FieldSpec(name="url", label="URL", type="url"),),
                title_field="url",
            ),
        ),
        pages=(
            PageSpec(name="Records", title="Records & <more>", path="/records", kind="list", entity="Record"),
            PageSpec(name="Events", title="Events", path="/events", kind="list", entity="Event"),
            PageSpec(name="Stats", title="Stats", path="/stats/all", kind="dashboard"),
        ),
    )
    return spec.to_json()


def test_paths_are_relative_and_complete() -> None:
    spec = fixture_spec()
    files = render_frontend(spec)
    for path in files:
        pure = PurePosixPath(path)
        assert not pure.is_absolute() and ".." not in pure.parts and pure.parts[0] == "frontend", path
    expected = SHARED_FILES | {
        f"frontend/src/{kind}/{entity['name']}{suffix}"
        for entity in spec["entities"]
        for kind, suffix in (("pages", "Page.tsx"), ("types", ".ts"))
    }
    assert set(files) == expected


def test_no_template_syntax_is_left() -> None:
    for path, text in render_frontend(fixture_spec()).items():
        assert "{{" not in text and "{%" not in text and "{#" not in text, path


def test_package_json() -> None:
    package = json.loads(render_frontend(fixture_spec())["frontend/package.json"])
    assert package["name"] == "task-tracker-frontend"
    assert package["private"] is True and package["type"] == "module"
    assert package["dependencies"]["@mozaiks/core-runtime"] == "^0.1.0"
    assert set(package["dependencies"]) == {"@mozaiks/core-runtime", "react", "react-dom"}
    assert {"vite", "@vitejs/plugin-react", "typescript", "@types/react", "@types/react-dom"} <= set(
        package["devDependencies"]
    )
    assert "tsc" in package["scripts"]["build"] and "vite build" in package["scripts"]["build"]
    assert {"dev", "preview"} <= set(package["scripts"])


def test_app_routes_every_page() -> None:
    spec = fixture_spec()
    app = render_frontend(spec)["frontend/src/App.tsx"]
    assert "MozaiksProvider" in app
    for page in spec["pages"]:
        assert f"path: {json.dumps(page['path'])}" in app
        assert f"title: {json.dumps(page['title'])}" in app
        component = f"{page['entity']}Page" if page["kind"] == "list" else f"{page['kind'].capitalize()}Page"
        assert f'import {{ {component} }} from "./pages/{component}";' in app
        assert f"<{component} " in app


def test_entity_page_has_an_input_per_field_type() -> None:
    files = render_frontend(fixture_spec())
    page = files["frontend/src/pages/TaskPage.tsx"]
    assert 'const PATH = "/api/tasks";' in page
    assert 'type="text"\n            required' in page  # title is required
    assert 'type="number"\n            step={1}' in page  # priority: integer
    assert 'type="date"' in page
    assert 'type="checkbox"' in page
    assert 'STATUS_OPTIONS = ["todo", "in_progress", "done"] as const' in page
    assert 'status: "todo",' in page and 'priority: "2",' in page  # defaults fill the form
    assert 'useOptions("/api/projects", "name")' in page  # relation: a select of the target's records
    assert "projectIdOptions.labelOf(item.project_id)" in page
    assert "client.api.delete(" in page and "list.loadMore()" in page
    types = files["frontend/src/types/Task.ts"]
    assert 'status?: "todo" | "in_progress" | "done";' in types
    assert "priority?: number | null;" in types and "project_id?: string;" in types


def test_every_field_type_renders() -> None:
    files = render_frontend(every_field_spec())
    page = files["frontend/src/pages/RecordPage.tsx"]
    for kind in ("email", "url", "number", "datetime-local", "date", "checkbox"):
        assert f'type="{kind}"' in page, kind
    assert page.count("<textarea") == 2
    assert 'step="any"' in page  # number
    assert "fromDateTimeLocal(form.starts_at)" in page
    assert '<option value="">Choose…</option>' in page  # required enum without default, required relation
    assert 'code: "Code \\"*/ {x}",' in page  # labels are JSON string literals
    assert re.search(r"const eventIdOptions = useOptions\(\"/api/events\", \"name\"\);", page)
    assert 'useOptions("/api/records", "code")' in page  # a relation to its own entity
    types = files["frontend/src/types/Record.ts"]
    assert '/** Code "* / {x}. */' in types  # a label cannot end the doc comment
    assert 'code: "a-b" | "C_D" | "e\'f";' in types
    app = files["frontend/src/App.tsx"]
    assert 'const APP_NAME = "Odd \\"App\\" </script> {raw}";' in app
    assert "DocPage" not in app and "ActivityPage" not in app  # no page lists Docs; no activity page
    dashboard = files["frontend/src/pages/DashboardPage.tsx"]
    assert 'href: "#/records",' in dashboard and "href: null," in dashboard


# --- slow tier: npm install + build -------------------------------------------------------------------------------


def _unavailable(reason: str) -> NoReturn:
    """Skip, or fail under ``CI=true`` (where a missing tool is a broken setup)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


def _npm(args: list[str], cwd: Path, timeout: float = 600) -> None:
    """Run npm quietly; on failure show what it said."""
    done = subprocess.run(
        ["npm", *args, "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"npm {' '.join(args)} failed in {cwd}:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")


@pytest.fixture(scope="module")
def core_runtime_tarball(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``npm pack`` of packages/core-runtime-js (its ``prepack`` script builds ``dist/`` first)."""
    if shutil.which("npm") is None:
        _unavailable("npm is not installed: the generated frontend cannot be built")
    if not (CORE_RUNTIME_JS / "node_modules").is_dir():
        _npm(["ci"], CORE_RUNTIME_JS)
    destination = tmp_path_factory.mktemp("core-runtime-pack")
    _npm(["pack", "--pack-destination", str(destination)], CORE_RUNTIME_JS)
    (tarball,) = destination.glob("mozaiks-core-runtime-*.tgz")
    return tarball


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("make_spec", [fixture_spec, every_field_spec], ids=["task-tracker", "every-field-type"])
def test_generated_frontend_builds(make_spec: Any, core_runtime_tarball: Path, tmp_path: Path) -> None:
    for path, text in render_frontend(make_spec()).items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    frontend = tmp_path / "frontend"
    package = json.loads((frontend / "package.json").read_text())
    package["dependencies"]["@mozaiks/core-runtime"] = f"file:{core_runtime_tarball}"
    (frontend / "package.json").write_text(json.dumps(package, indent=2))

    _npm(["install"], frontend)
    _npm(["run", "build"], frontend)  # tsc --noEmit (strict) && vite build
    assert (frontend / "dist" / "index.html").is_file()
    assert list((frontend / "dist" / "assets").glob("*.js"))
