"""SECURITY-TESTS.md items 16–20, each test named after its line, on the real engine.

16 template injection · 17 SSRF · 18 paths escaping their folder · 19 secrets never leak ·
20 bad definitions name file and line while the others keep being served.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from engine_harness import Harness, HttpServer
from mozaiks_ai import DefinitionError, Engine, RunRecord, WorkflowNotFoundError, WorkflowRegistry

SECRET = "s3cr3t-value-123"


# -- fixtures: `mz` (workflows + engines) and `http_server` come from tests/conftest.py ------------------------
@pytest.fixture
def store_url(tmp_path: Path) -> str:
    # SQLite only (fast; both backends are covered by tests/unit/executor): overrides the parametrized store_url.
    return f"sqlite:///{tmp_path}/db.sqlite"


def assert_clean_failure(run: RunRecord, *words: str) -> str:
    """The run failed with a plain message (no traceback, no Python object reprs); return the message."""
    assert run.status == "failed", run.output
    assert run.error is not None
    message = str(run.error["message"])
    for marker in ("Traceback", 'File "', "<class", "<function", "<module", "__globals__ at"):
        assert marker not in message, message
    for word in words:
        assert word in message, message
    return message


# -- 16 -----------------------------------------------------------------------------------
INJECTIONS = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ joiner.__init__.__globals__.os }}",
    "{{ lipsum.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ '{0.__class__.__mro__}'.format('') }}",
    "{{ run.__class__.__init__ }}",
    "{{ secrets._source._environ }}",
    "{{ secrets.__class__ }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ input.update({'x': 1}) }}",
]


@pytest.mark.anyio
@pytest.mark.parametrize("payload", INJECTIONS)
async def test_16_template_injection_cannot_reach_python_internals(mz: Harness, payload: str) -> None:
    mz.workflow("in-step", f"steps:\n  - echo: ok\n  - probe: {{echo: {json.dumps(payload)}}}\n")
    mz.workflow("in-condition", f"steps:\n  - probe: {{echo: never, if: {json.dumps(payload)}}}\n")
    mz.workflow("in-output", f"steps:\n  - echo: ok\noutput: {json.dumps(payload)}\n")
    engine = await mz.engine({"MOZAIKS_SECRET_API_KEY": SECRET})
    for workflow_id in ("in-step", "in-condition", "in-output"):
        run = await engine.run(workflow_id)
        message = assert_clean_failure(run)
        assert run.error is not None and run.error["type"] == "ExpressionError", run.error
        assert any(w in message for w in ("sandbox", "unsafe", "undefined", "immutable")), message
        assert SECRET not in message
        events = await engine.store.list_events(run.id)
        assert events[-1].type == "run.failed"
        assert "<class" not in json.dumps([e.data for e in events])


@pytest.mark.anyio
async def test_16_template_injection_in_input_values_is_never_evaluated(mz: Harness) -> None:
    mz.workflow(
        "wf",
        """
        inputs:
          text: {type: string, required: true}
        steps:
          - echo: "You said: {{ input.text }}"
          - scaffold: {template: site, into: "{{ input.text | replace('/', '_') }}"}
        output: "{{ steps.echo.output }}"
        """,
        files={"templates/site/page.txt": "Title: {{ input.text }}\n"},
    )
    engine = await mz.engine()
    for payload in INJECTIONS:
        run = await engine.run("wf", {"text": payload})
        assert run.status == "succeeded", run.error
        assert run.output == f"You said: {payload}"  # the text is data, rendered once, never as a template
        (artifact,) = await engine.store.list_artifacts(run.id)
        assert artifact.content.decode() == f"Title: {payload}\n"


@pytest.mark.anyio
async def test_16_template_injection_in_template_files_is_blocked(mz: Harness) -> None:
    mz.workflow(
        "wf",
        "steps:\n  - scaffold: {template: evil}\n",
        files={"templates/evil/ok.txt": "fine", "templates/evil/bad.txt": "{{ cycler.__init__.__globals__ }}"},
    )
    engine = await mz.engine()
    run = await engine.run("wf")
    assert_clean_failure(run, "bad.txt")
    assert await engine.store.list_artifacts(run.id) == []


# -- 17 -----------------------------------------------------------------------------------
async def run_http(engine: Engine, mz: Harness, url: str, action: str = "http") -> RunRecord:
    workflow_id = f"probe-{abs(hash((url, action)))}"
    key = "url" if action == "http" else "endpoint"
    mz.workflow(workflow_id, f"steps:\n  - probe: {{{action}: {{{key}: {json.dumps(url)}}}}}\n")
    engine.registry = WorkflowRegistry.from_roots([mz.root])
    return await engine.run(workflow_id)


@pytest.mark.anyio
async def test_17_ssrf_http_refuses_hosts_outside_the_allowlist(mz: Harness, http_server: HttpServer) -> None:
    engine = await mz.engine(http_allowed_hosts=("api.example.com", "*.trusted.example"))
    for url in (
        http_server.url + "/x",
        f"http://localhost:{http_server.port}/x",
        "http://evil.example/x",
        "http://api.example.com.evil.example/x",
        "http://trusted.example.evil.example/",
    ):
        run = await run_http(engine, mz, url)
        assert_clean_failure(run, "is not in the HTTP allowlist", "MOZAIKS_HTTP_ALLOWED_HOSTS")
    for url in ("file:///etc/passwd", "gopher://127.0.0.1:70/", "ftp://api.example.com/x"):
        run = await run_http(engine, mz, url)
        assert_clean_failure(run, "only http and https URLs are allowed")
    assert http_server.requests == []


@pytest.mark.anyio
async def test_17_ssrf_metadata_and_link_local_addresses_are_refused_even_if_allowlisted(mz: Harness) -> None:
    allow = ("169.254.169.254", "::ffff:169.254.169.254", "metadata.google.internal", "0.0.0.0", "fe80::1")
    engine = await mz.engine(http_allowed_hosts=allow)
    for url in (
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/latest/meta-data/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://0.0.0.0:80/",
        "http://[fe80::1]/",
    ):
        run = await run_http(engine, mz, url)
        message = assert_clean_failure(run)
        assert "metadata" in message or "link-local" in message, message


@pytest.mark.anyio
async def test_17_ssrf_wildcard_allowlist_never_reaches_private_or_metadata_addresses(
    mz: Harness, http_server: HttpServer
) -> None:
    engine = await mz.engine(http_allowed_hosts=("*",))
    run = await run_http(engine, mz, http_server.url + "/x")
    assert_clean_failure(run, "non-public address", "list it explicitly")
    run = await run_http(engine, mz, "http://2852039166/latest/meta-data/")  # 169.254.169.254 as one number
    assert_clean_failure(run, "link-local/metadata")
    assert http_server.requests == []


@pytest.mark.anyio
async def test_17_ssrf_redirects_to_hosts_outside_the_allowlist_are_refused(
    mz: Harness, http_server: HttpServer
) -> None:
    engine = await mz.engine(http_allowed_hosts=("127.0.0.1", "169.254.169.254"))
    for target in (f"http://localhost:{http_server.port}/stolen", "http://169.254.169.254/latest/meta-data/"):
        run = await run_http(engine, mz, f"{http_server.url}/redirect?to={target}")
        assert_clean_failure(run)
    assert [urlsplit(r["path"]).path for r in http_server.requests] == ["/redirect", "/redirect"]  # never followed


@pytest.mark.anyio
async def test_17_ssrf_call_app_api_refuses_absolute_endpoints(mz: Harness, http_server: HttpServer) -> None:
    engine = await mz.engine({"MOZAIKS_APP_API_URL": http_server.url})
    for endpoint in (
        "http://evil.example/steal",
        "https://127.0.0.1/x",
        "//evil.example/steal",
        "api/relative",
        "\\\\evil.example\\x",
        "/\\evil.example",
    ):
        run = await run_http(engine, mz, endpoint, action="call_app_api")
        assert_clean_failure(run, "endpoint")
    assert http_server.requests == []
    ok = await run_http(engine, mz, "/api/fine", action="call_app_api")
    assert ok.status == "succeeded", ok.error


@pytest.mark.anyio
async def test_17_ssrf_call_app_api_refuses_redirects_away_from_the_app(mz: Harness, http_server: HttpServer) -> None:
    engine = await mz.engine({"MOZAIKS_APP_API_URL": http_server.url}, http_allowed_hosts=("localhost",))
    away = f"http://localhost:{http_server.port}/stolen"
    run = await run_http(engine, mz, f"/redirect?to={away}", action="call_app_api")
    assert_clean_failure(run, "redirect away from the app")
    run = await run_http(engine, mz, "/redirect?to=http://169.254.169.254/", action="call_app_api")
    assert_clean_failure(run)
    assert [urlsplit(r["path"]).path for r in http_server.requests] == ["/redirect", "/redirect"]
    same = await run_http(engine, mz, f"/redirect?to={http_server.url}/landed", action="call_app_api")
    assert same.status == "succeeded", same.error
    assert http_server.requests[-1]["path"] == "/landed"


# -- 18 -----------------------------------------------------------------------------------
@pytest.mark.anyio
@pytest.mark.parametrize(
    "path",
    ["../escape.txt", "a/../../escape.txt", "/etc/passwd", "C:/windows/x", "..\\escape.txt", "a/\x00b", "..", "", "./"],
)
async def test_18_artifact_paths_cannot_escape(mz: Harness, path: str) -> None:
    mz.workflow("wf", f"steps:\n  - artifact: {{path: {json.dumps(path)}, content: x}}\n")
    engine = await mz.engine()
    run = await engine.run("wf")
    assert_clean_failure(run, "artifact path")
    assert await engine.store.list_artifacts(run.id) == []


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("step", "name"),
    [
        ("{template: ../../outside}", "folder"),
        ("{template: /etc}", "folder"),
        ("{template: site, into: ../out}", "into"),
        ("{template: site, into: /abs/out}", "into"),
        ("{template: site, into: 'a/../../out'}", "into"),
        ("{template: site, with: {name: ../../evil}}", "rendered name"),
        ("{template: site, with: {name: /etc/evil}}", "rendered name"),
    ],
)
async def test_18_template_paths_cannot_escape(mz: Harness, step: str, name: str) -> None:
    outside = mz.tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("outside content")
    mz.workflow(
        "wf",
        f"steps:\n  - scaffold: {step}\n",
        files={"templates/site/page.txt": "page", "templates/site/{{ name | default('plain') }}.txt": "named"},
    )
    engine = await mz.engine()
    run = await engine.run("wf")
    assert_clean_failure(run)
    assert await engine.store.list_artifacts(run.id) == []
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]


@pytest.mark.anyio
async def test_18_symlinks_in_templates_are_refused(mz: Harness) -> None:
    outside = mz.tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd").write_text("root:x:0:0")
    folder = mz.workflow("file-link", "steps:\n  - scaffold: {template: site}\n", files={"templates/site/ok.txt": "ok"})
    (folder / "templates" / "site" / "link.txt").symlink_to(outside / "passwd")
    folder = mz.workflow("dir-link", "steps:\n  - scaffold: {template: site}\n", files={"templates/site/ok.txt": "ok"})
    (folder / "templates" / "site" / "nested").symlink_to(outside, target_is_directory=True)
    folder = mz.workflow(
        "root-link", "steps:\n  - scaffold: {template: linked}\n", files={"templates/site/ok.txt": "ok"}
    )
    (folder / "templates" / "linked").symlink_to(outside, target_is_directory=True)
    engine = await mz.engine()
    for workflow_id in ("file-link", "dir-link", "root-link"):
        run = await engine.run(workflow_id)
        message = assert_clean_failure(run)
        assert "symlink" in message or "not found" in message, message
        assert await engine.store.list_artifacts(run.id) == []


# -- 19 -----------------------------------------------------------------------------------
SECRET_TOOLS = '''
from mozaiks_ai import ToolContext


def from_context(context: ToolContext) -> dict:
    """Read the secret through the context and return it."""
    return {"key": context.secrets["API_KEY"]}


def leak(value: str, context: ToolContext) -> str:
    """Return the secret it was given, after streaming it as progress."""
    context.progress(f"got {value}")
    return f"tool saw {value}"


def fail_with(value: str) -> None:
    """Fail with the secret in the message."""
    raise ValueError(f"the key {value} was rejected")
'''


@pytest.mark.anyio
async def test_19_secrets_never_appear_in_events_logs_records_artifacts_or_errors(
    mz: Harness, http_server: HttpServer, caplog: pytest.LogCaptureFixture
) -> None:
    mz.workflow(
        "wf",
        f"""
        steps:
          - from_context: {{}}
          - echo: "key={{{{ secrets.API_KEY }}}}"
          - set: {{copied: "{{{{ secrets['API_KEY'] }}}}"}}
          - told: {{tool: leak, with: {{value: "{{{{ secrets.API_KEY }}}}"}}}}
          - saved: {{artifact: {{path: out/config.txt, content: "API_KEY={{{{ secrets.API_KEY }}}}"}}}}
          - rendered: {{template: conf}}
          - log: "calling with {{{{ secrets.API_KEY }}}}"
          - call:
              http:
                url: "{http_server.url}/echo"
                headers: {{Authorization: "Bearer {{{{ secrets.API_KEY }}}}"}}
          - shaky:
              tool: fail_with
              with: {{value: "{{{{ secrets.API_KEY }}}}"}}
              retry: {{max_attempts: 2, initial_delay: 10ms}}
              continue_on_error: true
          - fatal: {{tool: fail_with, with: {{value: "{{{{ secrets.API_KEY }}}}"}}}}
        """,
        files={"tools/secret_tools.py": SECRET_TOOLS, "templates/conf/env.txt": "KEY={{ secrets.API_KEY }}\n"},
    )
    engine = await mz.engine({"MOZAIKS_SECRET_API_KEY": SECRET})
    with caplog.at_level(logging.DEBUG):
        run = await engine.run("wf")
    assert run.status == "failed" and run.error is not None
    assert run.error["step"] == "fatal"
    assert run.error["message"] == "tool 'fail_with' raised ValueError: the key *** was rejected"
    assert http_server.requests[0]["headers"]["Authorization"] == f"Bearer {SECRET}"  # it was really used

    stored = await engine.get_run(run.id)
    steps = await engine.store.get_steps(run.id)
    events = await engine.store.list_events(run.id)
    artifacts = await engine.store.list_artifacts(run.id)
    by_path = {s.path: s for s in steps}
    assert by_path["echo"].output == "key=***"
    assert by_path["from_context"].output == {"key": "***"}
    assert by_path["shaky"].status == "failed"
    assert {a.path: a.content for a in artifacts} == {"out/config.txt": b"API_KEY=***", "env.txt": b"KEY=***\n"}
    assert any(e.type == "step.retrying" for e in events)
    assert any(e.type == "chunk" and "got ***" in e.data.get("chunk", "") for e in events)
    assert "calling with ***" in caplog.text

    places = {
        "events": json.dumps([e.to_dict() for e in events]),
        "steps": json.dumps([[s.path, s.output, s.error, s.data] for s in steps]),
        "run": json.dumps([stored.output, stored.error, stored.input, stored.context]),
        "artifacts": repr([(a.path, a.content) for a in artifacts]),
        "logs": caplog.text,
    }
    for place, text in places.items():
        assert SECRET not in text, f"the secret leaked into {place}"


@pytest.mark.anyio
async def test_19_secrets_in_prompts_and_event_data_are_redacted(mz: Harness) -> None:
    mz.workflow(
        "asker",
        """
        steps:
          - ask: {wait_for_input: {prompt: "Confirm {{ secrets.API_KEY }}?"}}
        """,
    )
    mz.workflow("emitter", "steps:\n  - emit_event: {type: key.used, data: {key: '{{ secrets.API_KEY }}'}}\n")
    mz.workflow("listener", "trigger: key.used\nsteps:\n  - echo: '{{ event.key }}'\n")
    engine = await mz.engine({"MOZAIKS_SECRET_API_KEY": SECRET})
    waiting = await engine.run("asker")
    assert waiting.status == "waiting"
    emitted = await engine.run("emitter")
    assert emitted.status == "succeeded", emitted.error
    (listener_id,) = emitted.output["runs"]
    for _ in range(200):
        if (await engine.get_run(listener_id)).status == "succeeded":
            break
        await asyncio.sleep(0.01)
    assert (await engine.get_run(listener_id)).output == "***"
    for run in await engine.store.list_runs(limit=10):
        texts = [
            json.dumps([e.to_dict() for e in await engine.store.list_events(run.id)]),
            json.dumps([[s.output, s.error, s.data] for s in await engine.store.get_steps(run.id)]),
            json.dumps([run.output, run.error, run.input, run.context]),
        ]
        for text in texts:
            assert SECRET not in text, run.workflow_id


@pytest.mark.anyio
async def test_19_secrets_in_http_urls_never_reach_logs(
    mz: Harness, http_server: HttpServer, caplog: pytest.LogCaptureFixture
) -> None:
    mz.workflow("wf", f"steps:\n  - http: '{http_server.url}/x?key={{{{ secrets.API_KEY }}}}'\n")
    engine = await mz.engine({"MOZAIKS_SECRET_API_KEY": SECRET})
    with caplog.at_level(logging.DEBUG):
        run = await engine.run("wf")
    assert run.status == "succeeded", run.error
    assert run.output["url"].endswith("?key=***")
    assert SECRET not in caplog.text


@pytest.mark.anyio
async def test_19_unknown_secret_fails_without_listing_values(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - echo: '{{ secrets.MISSING }}'\n")
    engine = await mz.engine({"MOZAIKS_SECRET_API_KEY": SECRET})
    run = await engine.run("wf")
    message = assert_clean_failure(run, "MISSING")
    assert SECRET not in message
    assert "MOZAIKS_SECRET_MISSING" in message


# -- 20 -----------------------------------------------------------------------------------
def _registry_with(tmp_path: Path, bad: dict[str, str]) -> tuple[WorkflowRegistry, dict[str, Path]]:
    workflows = Harness(tmp_path)  # only its writer: these tests read definitions and open no engine
    workflows.workflow("good", "name: Good\nsteps:\n  - echo: still served\n")
    sources = {wid: workflows.workflow(wid, yaml) / "workflow.yml" for wid, yaml in bad.items()}
    return WorkflowRegistry.from_roots([workflows.root]), sources


def _assert_located(error: DefinitionError, source: Path, line: int) -> None:
    assert error.file == str(source)
    assert error.line == line
    assert str(error).startswith(f"{source}:{line}: ")


def test_20_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    registry, sources = _registry_with(
        tmp_path,
        {"indent": "name: x\nsteps:\n  - echo: a\n   - echo: b\n", "flow": "steps:\n  - echo: [1, 2\n  - echo: c\n"},
    )
    assert list(registry.workflows) == ["good"]
    _assert_located(registry.invalid["indent"], sources["indent"], 4)
    _assert_located(registry.invalid["flow"], sources["flow"], 3)
    assert "malformed YAML" in str(registry.invalid["flow"])


def test_20_unknown_step_kinds_name_file_and_line(tmp_path: Path) -> None:
    registry, sources = _registry_with(
        tmp_path,
        {
            "action": "steps:\n  - echo: a\n  - teleport: now\n",
            "named": "steps:\n  - echo: a\n  - jump:\n      teleport: now\n",
            "uses": "steps:\n  - name: jump\n    uses: teleport\n",
        },
    )
    assert list(registry.workflows) == ["good"]
    _assert_located(registry.invalid["action"], sources["action"], 3)
    _assert_located(registry.invalid["named"], sources["named"], 4)
    _assert_located(registry.invalid["uses"], sources["uses"], 3)
    assert all("teleport" in str(e) or "jump" in str(e) for e in registry.invalid.values())


def test_20_wrong_types_name_file_and_line(tmp_path: Path) -> None:
    registry, sources = _registry_with(
        tmp_path,
        {
            "retry": "steps:\n  - echo: a\n  - s:\n      echo: b\n      retry: x\n",
            "timeout": "steps:\n  - s:\n      echo: b\n      timeout: soon\n",
            "steps": "name: x\nsteps: {echo: a}\n",
            "name": "name: [1]\nsteps:\n  - echo: a\n",
            "inputs": "inputs:\n  n: {type: integer, required: maybe}\nsteps:\n  - echo: a\n",
        },
    )
    assert list(registry.workflows) == ["good"]
    _assert_located(registry.invalid["retry"], sources["retry"], 5)
    assert "retry" in str(registry.invalid["retry"])
    _assert_located(registry.invalid["timeout"], sources["timeout"], 4)
    assert "timeout" in str(registry.invalid["timeout"])
    _assert_located(registry.invalid["steps"], sources["steps"], 2)
    _assert_located(registry.invalid["name"], sources["name"], 1)
    _assert_located(registry.invalid["inputs"], sources["inputs"], 2)


def test_20_sub_workflow_cycles_name_file_and_line(tmp_path: Path) -> None:
    registry, sources = _registry_with(
        tmp_path,
        {
            "a": "steps:\n  - echo: start\n  - to_b: {workflow: b}\n",
            "b": "steps:\n  - to_a: {workflow: a}\n",
            "self": "steps:\n  - loop:\n      foreach: '{{ [1] }}'\n      do:\n        - again: {workflow: self}\n",
        },
    )
    assert list(registry.workflows) == ["good"]
    _assert_located(registry.invalid["a"], sources["a"], 3)
    assert "a -> b -> a" in str(registry.invalid["a"])
    _assert_located(registry.invalid["b"], sources["b"], 2)
    _assert_located(registry.invalid["self"], sources["self"], 5)
    assert "self -> self" in str(registry.invalid["self"])


@pytest.mark.anyio
async def test_20_runtime_keeps_serving_the_other_workflows(mz: Harness) -> None:
    mz.workflow("good", "steps:\n  - echo: still served\n")
    broken = mz.workflow("broken", "steps:\n  - echo: [\n")
    mz.workflow("cyclic", "steps:\n  - again: {workflow: cyclic}\n")
    engine = await mz.engine()
    assert (await engine.run("good")).output == "still served"
    with pytest.raises(WorkflowNotFoundError, match="is invalid") as info:
        await engine.run("broken")
    assert info.value.file == str(broken / "workflow.yml") and info.value.line is not None
    with pytest.raises(WorkflowNotFoundError, match="cycle"):
        await engine.run("cyclic")
    assert len(await engine.store.list_runs()) == 1
