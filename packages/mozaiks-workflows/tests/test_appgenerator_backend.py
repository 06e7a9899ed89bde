"""AppGenerator end to end: generate apps through the real engine (offline), then use what was generated.

Each case runs AppGenerator once (a module-scoped fixture) and writes the run's artifacts to a folder. The generated
repository must then: pass its backend's own tests; serve on ``mozaiks-core serve`` (sign-up, create, list over
HTTP); have workflows and agents that mozaiks-ai validates; hold only relative paths inside the repository; and
contain Python that compiles and is ruff-clean. Cases: the fixture spec (passed as ``spec``), messages the offline
extractor turns into specs, and a spec full of awkward names and strings.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import httpx
import pytest
import yaml
from mozaiks_ai import Engine, RuntimeConfig
from mozaiks_ai.definitions import WorkflowRegistry
from mozaiks_ai.definitions.agents import load_agents
from mozaiks_ai.definitions.parse import BUILTIN_ACTIONS
from mozaiks_workflows import workflows_root
from mozaiks_workflows.appspec import (
    GENERATOR_VERSION,
    AgentSpec,
    AppSpec,
    EntitySpec,
    FieldSpec,
    PageSpec,
    RelationSpec,
    WorkflowSpec,
)
from pack_harness import clean_env, sample_value, serve_backend

BIN = Path(sys.executable).parent
FIXTURE = Path(__file__).parent / "fixtures" / "task_tracker_spec.json"
PASSWORD = "a long passphrase"
PROGRESS = [
    "Analyzing your request…",
    "Generating backend…",
    "Generating frontend…",
    "Generating workflows and agents…",
]
ROOT_FILES = {
    "README.md",
    ".env.example",
    "docker-compose.yml",
    ".gitignore",
    ".github/workflows/ci.yml",
    "mozaiks.json",
}
BACKEND_FILES = {
    "main.py",
    "requirements.txt",
    "requirements-dev.txt",
    "pytest.ini",
    "Dockerfile",
    "api/__init__.py",
    "api/activity.py",
    "api/stats.py",
    "models/__init__.py",
    "tests/conftest.py",
}
TOP_LEVEL = {"backend", "frontend", "workflows", "agents", ".github", *ROOT_FILES}


def awkward_spec() -> dict[str, Any]:
    """A shared entity, a chain of required relations, a self relation, every field type, and free text full of
    quotes, backslashes, Jinja-like braces and a YAML-boolean slug."""
    venue = EntitySpec(
        name="Venue",
        label='Venue "place"',
        plural_label="Venues {x}",
        collection="venues",
        event_noun="venue",
        owner_scoped=False,
        title_field="name",
        fields=(
            FieldSpec(name="name", label='Name "quoted" {x} \\ */', type="string", required=True),
            FieldSpec(name="site", label="Site", type="url"),
            FieldSpec(name="capacity", label="Capacity", type="integer", default=100),
            FieldSpec(name="rating", label="Rating", type="number"),
            FieldSpec(
                name="kind", label="Kind", type="enum", required=True, options=("it's", "a-b", "C_D"), default="a-b"
            ),
        ),
    )
    event = EntitySpec(
        name="Event",
        label="Event",
        plural_label="Events",
        collection="events",
        event_noun="event",
        title_field="title",
        fields=(
            FieldSpec(name="title", label="Title", type="string", required=True),
            FieldSpec(name="starts_at", label="Starts at", type="datetime", required=True),
            FieldSpec(name="day", label="Day", type="date"),
            FieldSpec(name="contact", label="Contact", type="email"),
            FieldSpec(name="notes", label="Notes", type="text"),
            FieldSpec(name="listed", label="Listed", type="boolean", default=True),
        ),
        relations=(
            RelationSpec(name="venue_id", target="Venue", required=True),
            RelationSpec(name="parent_id", target="Event"),
        ),
    )
    ticket = EntitySpec(
        name="Ticket",
        label="Ticket",
        plural_label="Tickets",
        collection="tickets",
        event_noun="ticket",
        title_field="code",
        fields=(FieldSpec(name="code", label="Code", type="string", required=True),),
        relations=(RelationSpec(name="event_id", target="Event", required=True),),
    )
    pages = [PageSpec(name="Dashboard", title="Dashboard", path="/", kind="dashboard")]
    pages += [
        PageSpec(name=f"{e.name}s", title=e.plural_label, path=f"/{e.collection}", kind="list", entity=e.name)
        for e in (venue, event, ticket)
    ]
    pages.append(PageSpec(name="Activity", title="Activity", path="/activity", kind="activity"))
    spec = AppSpec(
        name='Events "R" Us',
        slug="yes",
        description="Events, venues and tickets, with 'quotes' and {braces}.",
        entities=(venue, event, ticket),
        pages=tuple(pages),
        workflows=(
            WorkflowSpec(
                id="event-created",
                name="Event 'created'",
                description='Says "hi"',
                trigger="event.created",
                entity="Event",
                message='Event {{ event.title }} at {{ event.venue_id }}: it\'s "on" \u2014 ok',
            ),
            WorkflowSpec(
                id="ticket-sold",
                name="Ticket sold",
                description="",
                trigger="ticket.created",
                entity="Ticket",
                message="Ticket {{ ticket.code | upper }} sold",
            ),
        ),
        agents=(AgentSpec(id="box-office", name="Box office", description="Helps people find events and tickets."),),
        assumptions=('It\'s an "awkward" spec: {not rendered}',),
    )
    return spec.to_json()


CASES: dict[str, dict[str, Any]] = {
    "fixture": {"message": "Build me a task tracker", "spec": json.loads(FIXTURE.read_text())},
    "task-tracker": {"message": "Build a task tracker with React and Python"},
    "recipes": {"message": "A recipe sharing app where people post recipes with ingredients and rate them"},
    "crm": {"message": "CRM for a small agency: clients, deals and invoices, with a Slack notification on new deals"},
    "blog": {"message": "A blog with posts, comments and tags; email me when someone comments"},
    "inventory": {
        "message": "Inventory management for a hardware store: products, suppliers, warehouses and stock movements"
    },
    "booking": {"message": "Appointment booking for a hair salon with services, stylists and customers"},
    "expenses": {"message": "Build an expense tracker called 'Pennywise' with categories and monthly budgets"},
    "helpdesk": {"message": "Helpdesk where customers open support tickets and agents reply, plus an AI assistant"},
    "library": {"message": "A small library app to lend books to members and track due dates, in Vue and Django"},
    "fitness": {"message": "Fitness log: workouts, exercises and personal records, remind me to train"},
    "awkward": {"message": "Build it", "spec": awkward_spec()},
}
"""Ten app descriptions (the issue's bar) plus a ready spec and a spec full of awkward names."""


@dataclass
class Generated:
    """One AppGenerator run and the repository written from its artifacts."""

    case: str
    root: Path
    status: str
    error: Any
    output: Any
    paths: list[str]
    chunks: list[str]

    @property
    def spec(self) -> dict[str, Any]:
        return dict(self.output["spec"])


def engine_config(tmp: Path, environ: dict[str, str] | None = None) -> RuntimeConfig:
    """The pack's workflows on a private SQLite database, offline unless ``environ`` configures a model."""
    return RuntimeConfig.from_env(
        environ or {},
        workflow_paths=(workflows_root(),),
        db_url=f"sqlite:///{tmp}/engine.db",
        load_entry_points=False,
        outbox_dir=tmp / "outbox",
    )


async def run_app_generator(tmp: Path, input: dict[str, Any], environ: dict[str, str] | None = None) -> Generated:
    """Run AppGenerator to its end and write its artifacts under ``tmp/app``."""
    engine = await Engine.open(engine_config(tmp, environ))
    try:
        run = await engine.run("AppGenerator", input)
        events = await engine.store.list_events(run.id)
        artifacts = await engine.store.list_artifacts(run.id)
    finally:
        await engine.close()
    root = tmp / "app"
    for artifact in artifacts:
        target = root / artifact.path
        assert target.resolve().is_relative_to(root.resolve()), artifact.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(artifact.content)
    chunks = [e.data["chunk"] for e in events if e.type == "chunk"]
    return Generated("", root, run.status, run.error, run.output, [a.path for a in artifacts], chunks)


@pytest.fixture(scope="module", params=list(CASES))
def generated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Generated:
    tmp = tmp_path_factory.mktemp(request.param)
    result = asyncio.run(run_app_generator(tmp, CASES[request.param]))
    result.case = request.param
    assert result.status == "succeeded", result.error
    return result


# -- the run ------------------------------------------------------------------------------------------------------


def test_the_run_reports_progress_and_its_output(generated: Generated) -> None:
    ours = [c for c in generated.chunks if c in PROGRESS or c.startswith("Done: ")]
    assert ours == [*PROGRESS, f"Done: {len(generated.paths)} files"]
    output = generated.output
    assert set(output) == {"app", "slug", "spec", "assumptions", "offline", "summary"}
    spec = AppSpec.model_validate(output["spec"])
    assert (output["app"], output["slug"], output["assumptions"]) == (spec.name, spec.slug, list(spec.assumptions))
    assert output["offline"] is True and spec.source == "offline-extractor"
    assert f"**{len(generated.paths)} files**" in output["summary"] and spec.name in output["summary"]
    if "spec" in CASES[generated.case]:
        assert output["spec"] == AppSpec.model_validate(CASES[generated.case]["spec"]).to_json()


def test_paths_stay_inside_the_repository(generated: Generated) -> None:
    for path in generated.paths:
        pure = PurePosixPath(path)
        assert not pure.is_absolute() and not re.match(r"^[A-Za-z]:", path), path
        assert ".." not in pure.parts and "\\" not in path and "" not in path.split("/"), path
        assert pure.parts[0] in TOP_LEVEL or path in TOP_LEVEL, path


def test_the_repository_has_every_part(generated: Generated) -> None:
    spec, paths = generated.spec, set(generated.paths)
    expected = set(ROOT_FILES) | {f"backend/{p}" for p in BACKEND_FILES}
    expected |= {"frontend/package.json", "frontend/index.html", "frontend/src/App.tsx", "frontend/Dockerfile"}
    for entity in spec["entities"]:
        c = entity["collection"]
        expected |= {f"backend/api/{c}.py", f"backend/models/{c}.py", f"backend/tests/test_{c}.py"}
        expected |= {f"frontend/src/pages/{entity['name']}Page.tsx", f"frontend/src/types/{entity['name']}.ts"}
    expected |= {f"workflows/{w['id']}.yml" for w in spec["workflows"]}
    expected |= {f"agents/{a['id']}.json" for a in spec["agents"]}
    assert expected <= paths, sorted(expected - paths)
    requirements = (generated.root / "backend" / "requirements.txt").read_text().splitlines()
    assert "mozaiks-core-runtime==0.1.0" in requirements


def test_python_compiles_and_is_ruff_clean(generated: Generated) -> None:
    backend = generated.root / "backend"
    sources = sorted(backend.rglob("*.py"))
    assert len(sources) >= 10
    for source in sources:
        compile(source.read_text(), str(source), "exec")
    ruff = BIN / "ruff"
    if not ruff.exists():
        pytest.skip("ruff is not installed next to this Python")
    options = ["--isolated", "--line-length", "120"]
    rules = ["--select", "E,F,W,I,UP,B,PIE,RUF,FA", "--ignore", "RUF001,RUF002,RUF003"]
    check = subprocess.run([str(ruff), "check", *options, *rules, "."], cwd=backend, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    form = subprocess.run([str(ruff), "format", "--check", *options, "."], cwd=backend, capture_output=True, text=True)
    assert form.returncode == 0, form.stdout + form.stderr


# -- (a) the backend's own tests ----------------------------------------------------------------------------------


def test_the_backend_passes_its_own_tests(generated: Generated) -> None:
    backend = generated.root / "backend"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"],
        cwd=backend,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert re.search(r"\b\d+ passed\b", result.stdout) and " failed" not in result.stdout


# -- (b) served by mozaiks-core ------------------------------------------------------------------------------------


@pytest.fixture
def served(generated: Generated, tmp_path: Path) -> Iterator[str]:
    """The generated backend under ``mozaiks-core serve`` on a free port."""
    env = {"MOZAIKS_JWT_SECRET": "served-jwt-secret-" + "q" * 32, "MOZAIKS_APP_API_TOKEN": APP_TOKEN}
    with serve_backend(tmp_path, generated.root / "backend", **env) as server:
        yield server.url


APP_TOKEN = "app-scoped-token-" + "k" * 32


sample = sample_value  # a valid value of a field


def creation_order(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Entities ordered so that the targets of required relations come first."""
    by_name = {e["name"]: e for e in spec["entities"]}
    ordered: list[dict[str, Any]] = []
    while len(ordered) < len(by_name):
        for entity in by_name.values():
            needs = {r["target"] for r in entity["relations"] if r["required"] and r["target"] != entity["name"]}
            if entity not in ordered and needs <= {e["name"] for e in ordered}:
                ordered.append(entity)
    return ordered


def sign_up(client: httpx.Client, email: str) -> tuple[str, dict[str, str]]:
    response = client.post("/api/auth/signup", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.text
    body = response.json()
    return body["user"]["id"], {"Authorization": f"Bearer {body['access_token']}"}


def test_the_backend_serves_on_mozaiks_core(generated: Generated, served: str) -> None:
    spec = generated.spec
    with httpx.Client(base_url=served, timeout=10) as client:
        alice_id, alice = sign_up(client, "alice@example.com")
        _, bob = sign_up(client, "bob@example.com")
        created: dict[str, dict[str, Any]] = {}
        for entity in creation_order(spec):
            body = {f["name"]: sample(f) for f in entity["fields"]}
            for relation in entity["relations"]:
                target = next(e for e in spec["entities"] if e["name"] == relation["target"])
                if target["collection"] in created:
                    body[relation["name"]] = created[target["collection"]]["id"]
            response = client.post(f"/api/{entity['collection']}", json=body, headers=alice)
            assert response.status_code == 201, response.text
            record = response.json()
            assert record["owner"] == alice_id and {k: record[k] for k in body} == body
            created[entity["collection"]] = record
        for entity in spec["entities"]:
            path, record = f"/api/{entity['collection']}", created[entity["collection"]]
            listed = client.get(path, headers=alice).json()
            assert record["id"] in [item["id"] for item in listed["items"]]
            theirs = client.get(f"{path}/{record['id']}", headers=bob)
            assert theirs.status_code == (404 if entity["owner_scoped"] else 200)
            bad = client.post(path, json={"no_such_field": 1}, headers=alice)
            assert bad.status_code == 400 and "no_such_field" in bad.json()["error"]
        stats = client.get("/api/stats", headers=alice).json()
        assert stats == {e["collection"]: 1 for e in spec["entities"]}
        report = {"message": "Reported by a workflow", "entity": spec["entities"][0]["event_noun"], "entity_id": "x"}
        callback = {"Authorization": f"Bearer {APP_TOKEN}", "X-Mozaiks-User": alice_id}
        assert client.post("/api/activity", json=report, headers=callback).status_code == 201
        feed = client.get("/api/activity", headers=alice).json()["items"]
        assert [item["message"] for item in feed] == ["Reported by a workflow"]
        assert client.get(f"/api/{spec['entities'][0]['collection']}").status_code == 401


# -- (c) workflows and agents on mozaiks-ai --------------------------------------------------------------------------


def test_workflows_and_agents_validate_on_mozaiks_ai(generated: Generated) -> None:
    spec, root = generated.spec, generated.root
    if spec["workflows"]:
        result = subprocess.run(
            [str(BIN / "mozaiks-ai"), "workflows", "validate", str(root / "workflows"), "--json"],
            env=clean_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert json.loads(result.stdout) == {"valid": sorted(w["id"] for w in spec["workflows"]), "invalid": []}
    valid, invalid = load_agents(root / "agents")
    assert not invalid, {k: str(e) for k, e in invalid.items()}
    assert sorted(valid) == sorted(a["id"] for a in spec["agents"])
    for agent in valid.values():
        assert set(agent.tools) <= BUILTIN_ACTIONS, agent.tools  # an app's shared agents call built-in actions
    # What the README tells people to run: `mozaiks-ai serve --workflows workflows` (agents/ beside it load too)
    registry = WorkflowRegistry.from_roots([root / "workflows"])
    assert sorted(registry.workflows) == sorted(w["id"] for w in spec["workflows"])
    assert not registry.invalid and not registry.invalid_agents
    assert {a["id"] for a in spec["agents"]} <= set(registry.agents)
    for workflow in spec["workflows"]:
        assert registry.workflows[workflow["id"]].trigger.events == (workflow["trigger"],)


# -- root files --------------------------------------------------------------------------------------------------


def test_root_files(generated: Generated) -> None:
    spec, root = generated.spec, generated.root
    compose = yaml.safe_load((root / "docker-compose.yml").read_text())
    assert set(compose["services"]) == {"backend", "frontend", "mozaiks-ai"}
    backend, ai = compose["services"]["backend"], compose["services"]["mozaiks-ai"]
    assert backend["build"] == "./backend" and compose["services"]["frontend"]["build"] == "./frontend"
    assert backend["environment"]["MOZAIKS_APP_ID"] == spec["slug"]
    assert ai["environment"]["MOZAIKS_APP_API_URL"] == "http://backend:8000"
    assert "./workflows:/app/workflows:ro" in ai["volumes"] and "./agents:/app/agents:ro" in ai["volumes"]
    interpolations = re.findall(r"\$\{[^}]*\}", (root / "docker-compose.yml").read_text())
    assert interpolations and all(re.fullmatch(r"\$\{[A-Z_]+(:[-?][^}]*)?\}", i) for i in interpolations)
    ci = yaml.safe_load((root / ".github/workflows/ci.yml").read_text())
    assert {"backend", "frontend"} <= set(ci["jobs"])
    assert any("pytest" in str(step.get("run", "")) for step in ci["jobs"]["backend"]["steps"])
    assert any("npm run build" in str(step.get("run", "")) for step in ci["jobs"]["frontend"]["steps"])
    manifest = json.loads((root / "mozaiks.json").read_text())
    assert manifest["spec"] == spec and manifest["generator_version"] == GENERATOR_VERSION
    env_keys = {line.split("=", 1)[0] for line in (root / ".env.example").read_text().splitlines() if "=" in line}
    required = {"MOZAIKS_JWT_SECRET", "MOZAIKS_AI_URL", "MOZAIKS_AI_JWT_SECRET", "MOZAIKS_APP_API_TOKEN"}
    assert required | {"MOZAIKS_APP_API_URL", "MOZAIKS_ALLOWED_WORKFLOWS"} <= {k.lstrip("# ") for k in env_keys}
    ignored = (root / ".gitignore").read_text().splitlines()
    assert {".env", "node_modules/", "__pycache__/", ".mozaiks/"} <= set(ignored)
    readme = (root / "README.md").read_text()
    assert readme.startswith(f"# {spec['name']}\n")
    for command in ("mozaiks-core serve backend", "npm run dev", "mozaiks-ai workflows validate workflows"):
        assert command in readme


def compose_command() -> list[str] | None:
    """``docker compose`` (v2) or ``docker-compose`` (v1), whichever is installed."""
    if shutil.which("docker"):
        if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
            return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


def test_docker_compose_config_accepts_the_file(generated: Generated) -> None:
    command = compose_command()
    if command is None:
        pytest.skip("neither docker compose nor docker-compose is installed (the YAML is checked by test_root_files)")
    env = clean_env(**{k: "x" * 48 for k in ("MOZAIKS_JWT_SECRET", "MOZAIKS_AI_JWT_SECRET", "MOZAIKS_APP_API_TOKEN")})
    result = subprocess.run([*command, "config", "-q"], cwd=generated.root, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    missing = subprocess.run([*command, "config", "-q"], cwd=generated.root, env=clean_env(), capture_output=True)
    assert missing.returncode != 0  # the secrets are required: compose names the first one missing
