"""Built-in actions, expressions, conditions, artifacts, templates and the event log of a run."""

from __future__ import annotations

import json
import logging

import pytest
from engine_harness import Harness, HttpServer, check_event_log
from mozaiks_ai import InputValidationError
from mozaiks_ai.errors import WorkflowNotFoundError

pytestmark = pytest.mark.anyio

BUMP = """
from pathlib import Path


def bump(path: str) -> int:
    \"\"\"Append one mark to a file; return how many it holds.\"\"\"
    file = Path(path)
    file.write_text(file.read_text() + "x" if file.exists() else "x")
    return len(file.read_text())
"""


async def test_echo_set_and_vars(mz: Harness) -> None:
    mz.workflow(
        "wf",
        """
        name: Vars
        inputs:
          name: {type: string, default: World}
        steps:
          - echo: "Hello {{ input.name }}"
          - set: {count: 3, who: "{{ steps.echo.output }}"}
          - echo: "{{ vars.count + 1 }}"
          - summary: {echo: {message: "{{ vars.who }} x{{ vars.count }}"}}
        """,
    )
    run = await mz.run("wf", {"name": "Ada"})
    assert run.status == "succeeded", run.error
    assert run.output == "Hello Ada x3"
    steps = {s.path: s for s in await mz.engines[0].store.get_steps(run.id)}
    assert steps["echo"].output == "Hello Ada"
    assert steps["set"].output == {"count": 3, "who": "Hello Ada"}
    assert steps["echo_2"].output == 4


async def test_expressions_keep_their_type_when_alone(mz: Harness) -> None:
    mz.workflow(
        "wf",
        """
        steps:
          - set:
              items: "{{ [1, 2, 3] }}"
              mapping: "{{ {'a': 1} }}"
              number: "{{ 2 * 21 }}"
              flag: "{{ 1 > 2 }}"
              nothing: "{{ none }}"
              spaced: "  {{ 'x' ~ 'y' }}  "
              text: "n={{ 2 * 21 }}"
              block: "{% for i in [1, 2] %}{{ i }}{% endfor %}"
          - echo: "{{ vars['items'] | sum }}"
        output:
          vars: "{{ vars }}"
          total: "{{ steps.echo.output }}"
          literal: plain text
          list: ["{{ vars.number }}", 7]
        """,
    )
    run = await mz.run("wf")
    assert run.status == "succeeded", run.error
    assert run.output["vars"] == {
        "items": [1, 2, 3],
        "mapping": {"a": 1},
        "number": 42,
        "flag": False,
        "nothing": None,
        "spaced": "xy",
        "text": "n=42",
        "block": "12",
    }
    assert run.output["total"] == 6
    assert run.output["literal"] == "plain text"
    assert run.output["list"] == [42, 7]


async def test_default_output_is_the_last_step_output(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - echo: first\n  - echo: last\n")
    run = await mz.run("wf")
    assert run.output == "last"


async def test_undefined_name_fails_the_step_cleanly(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - echo: ok\n  - broken: {echo: '{{ input.missing.deeper }}'}\n  - echo: never\n")
    run = await mz.run("wf")
    assert run.status == "failed"
    assert run.error is not None
    assert run.error["step"] == "broken"
    assert run.error["type"] == "ExpressionError"
    assert "missing" in run.error["message"]
    paths = [s.path for s in await mz.engines[0].store.get_steps(run.id)]
    assert "echo_2" not in paths


async def test_if_skips_a_step(mz: Harness) -> None:
    mz.workflow(
        "wf",
        """
        inputs:
          shout: {type: boolean, default: false}
        steps:
          - name: loud
            uses: echo
            with: {message: LOUD}
            if: "{{ input.shout }}"
          - quiet:
              echo: quiet
              if: "{{ not input.shout }}"
          - string_false: {echo: x, if: "false"}
          - report: {echo: "{{ steps.loud.status }}/{{ steps.loud.output }}/{{ steps.quiet.status }}"}
        """,
    )
    run = await mz.run("wf")
    assert run.status == "succeeded", run.error
    assert run.output == "skipped/None/completed"
    engine = mz.engines[0]
    steps = {s.path: s.status for s in await engine.store.get_steps(run.id)}
    assert steps == {"loud": "skipped", "quiet": "completed", "string_false": "skipped", "report": "completed"}
    events = await engine.store.list_events(run.id)
    skipped = [e for e in events if e.type == "step.skipped"]
    assert [e.step for e in skipped] == ["loud", "string_false"]
    assert not any(e.type == "step.started" and e.step == "loud" for e in events)
    check_event_log(events)
    shouted = await engine.run("wf", {"shout": True})
    assert shouted.output == "completed/LOUD/skipped"


async def test_log_action_streams_and_logs(mz: Harness, caplog: pytest.LogCaptureFixture) -> None:
    mz.workflow("wf", "steps:\n  - log: 'hello {{ 1 + 1 }}'\n  - log: {message: careful, level: warning}\n")
    with caplog.at_level(logging.INFO, logger="mozaiks_ai"):
        run = await mz.run("wf")
    assert run.status == "succeeded"
    assert "hello 2" in caplog.text and "careful" in caplog.text
    assert any(r.levelno == logging.WARNING and "careful" in r.getMessage() for r in caplog.records)
    chunks = [e for e in await mz.engines[0].store.list_events(run.id) if e.type == "chunk"]
    assert [(c.step, c.data["kind"], c.data["chunk"]) for c in chunks] == [
        ("log", "progress", "hello 2"),
        ("log_2", "progress", "careful"),
    ]


async def test_bad_log_level_fails(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - log: {message: x, level: loud}\n")
    run = await mz.run("wf")
    assert run.status == "failed" and run.error is not None
    assert "log level" in run.error["message"]


async def test_use_mozaiks_tool_is_skipped_in_self_hosted_mode(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - use_mozaiks_tool: {tool: validation_engine, action: create_campaign}\n")
    run = await mz.run("wf")
    assert run.status == "succeeded", run.error
    assert run.output["skipped"] is True
    assert (run.output["tool"], run.output["action"]) == ("validation_engine", "create_campaign")
    assert "self-hosted" in run.output["reason"]
    events = await mz.engines[0].store.list_events(run.id)
    assert any(e.type == "chunk" and "skipped validation_engine" in e.data["chunk"] for e in events)


async def test_model_step_runs_offline_without_a_provider_key(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - think: {model: default, prompt: 'Summarise'}\n")
    run = await mz.run("wf")
    assert run.status == "succeeded", run.error
    assert run.output.startswith("[offline]")
    check_event_log(await mz.engines[0].store.list_events(run.id))


async def test_agent_step_with_an_unknown_agent_fails_clearly(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - think: {agent: nobody, message: 'Summarise'}\n")
    run = await mz.run("wf")
    assert run.status == "failed" and run.error is not None
    assert "unknown agent 'nobody'" in run.error["message"]
    assert run.error["step"] == "think"
    check_event_log(await mz.engines[0].store.list_events(run.id))


async def test_artifact_action(mz: Harness) -> None:
    mz.workflow(
        "wf",
        """
        steps:
          - report:
              artifact:
                path: reports/summary.md
                content: "# Total {{ 40 + 2 }}"
          - data: {artifact: {path: ./data/result.json, content: {a: [1, 2]}}}
          - typed: {artifact: {path: page.html, content: "<p>", content_type: text/html}}
        """,
    )
    run = await mz.run("wf")
    assert run.status == "succeeded", run.error
    engine = mz.engines[0]
    artifacts = {a.path: a for a in await engine.store.list_artifacts(run.id)}
    assert sorted(artifacts) == ["data/result.json", "page.html", "reports/summary.md"]
    assert artifacts["reports/summary.md"].content == b"# Total 42"
    assert json.loads(artifacts["data/result.json"].content) == {"a": [1, 2]}
    assert artifacts["data/result.json"].content_type == "application/json"
    assert artifacts["page.html"].content_type == "text/html"
    steps = {s.path: s.output for s in await engine.store.get_steps(run.id)}
    assert steps["report"] == {"path": "reports/summary.md", "size": 10}
    created = [e for e in await engine.store.list_events(run.id) if e.type == "artifact.created"]
    assert [(e.step, e.data["path"]) for e in created] == [
        ("report", "reports/summary.md"),
        ("data", "data/result.json"),
        ("typed", "page.html"),
    ]


async def test_template_step_renders_a_folder_tree(mz: Harness) -> None:
    mz.workflow(
        "wf",
        """
        inputs:
          app: {type: string, default: tracker}
        steps:
          - set: {title: Task Tracker}
          - scaffold:
              template: webapp
              into: "generated/{{ input.app }}"
              with: {port: 8080}
        output: "{{ steps.scaffold.output }}"
        """,
        files={
            "templates/webapp/README.md.j2": "# {{ vars.title }}\nport {{ port }}\n",
            "templates/webapp/{{ input.app }}/main.py": "APP = '{{ input.app }}'\n",
            "templates/webapp/static/raw.txt": "{% raw %}{{ not rendered }}{% endraw %}\n",
            "templates/other/ignored.txt": "not part of webapp",
        },
    )
    (mz.root / "wf" / "templates" / "webapp" / "static" / "logo.bin").write_bytes(b"\xff\xfe\x00")
    run = await mz.run("wf", {"app": "tasks"})
    assert run.status == "succeeded", run.error
    engine = mz.engines[0]
    artifacts = {a.path: a.content for a in await engine.store.list_artifacts(run.id)}
    assert artifacts == {
        "generated/tasks/README.md": b"# Task Tracker\nport 8080\n",
        "generated/tasks/tasks/main.py": b"APP = 'tasks'\n",
        "generated/tasks/static/raw.txt": b"{{ not rendered }}\n",
        "generated/tasks/static/logo.bin": b"\xff\xfe\x00",
    }
    assert run.output["count"] == 4
    assert sorted(run.output["files"]) == sorted(artifacts)
    created = [e for e in await engine.store.list_events(run.id) if e.type == "artifact.created"]
    assert sorted(e.data["path"] for e in created) == sorted(artifacts)
    assert {e.step for e in created} == {"scaffold"}


async def test_template_with_an_undefined_variable_fails_naming_the_file(mz: Harness) -> None:
    mz.workflow(
        "wf",
        "steps:\n  - scaffold: {template: t}\n",
        files={"templates/t/ok.txt": "fine", "templates/t/bad.txt": "{{ nope }}"},
    )
    run = await mz.run("wf")
    assert run.status == "failed" and run.error is not None
    assert "bad.txt" in run.error["message"] and "nope" in run.error["message"]
    assert await mz.engines[0].store.list_artifacts(run.id) == []


async def test_unknown_template_folder_fails(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - scaffold: {template: missing}\n", files={"templates/t/a.txt": "a"})
    run = await mz.run("wf")
    assert run.status == "failed" and run.error is not None
    assert "'missing' not found" in run.error["message"]


async def test_event_log_contract_and_workflow_hash(mz: Harness) -> None:
    folder = mz.workflow(
        "wf",
        """
        steps:
          - set: {names: [a, b, c]}
          - greet_each:
              foreach: "{{ vars.names }}"
              do:
                - echo: "hi {{ item }}"
                - log: "greeted {{ item }}"
          - both:
              parallel:
                - left: {echo: l}
                - right: {echo: r}
          - skipped: {echo: no, if: "{{ false }}"}
        """,
    )
    engine = await mz.engine()
    workflow = engine.registry.get("wf")
    run = await engine.run("wf")
    assert run.status == "succeeded", run.error
    assert run.workflow_hash == workflow.content_hash != ""
    assert workflow.source == folder / "workflow.yml"
    events = await engine.store.list_events(run.id)
    check_event_log(events)
    assert events[0].data["workflow_hash"] == workflow.content_hash
    assert events[-1].type == "run.completed"
    assert events[-1].data["output"] == run.output
    step_paths = {e.step for e in events if e.type == "step.started"}
    assert step_paths == {
        "set",
        "greet_each",
        "greet_each[0].echo",
        "greet_each[0].log",
        "greet_each[1].echo",
        "greet_each[1].log",
        "greet_each[2].echo",
        "greet_each[2].log",
        "both",
        "both.left",
        "both.right",
    }
    completed = {e.step: e.data["output"] for e in events if e.type == "step.completed"}
    assert completed["greet_each[2].echo"] == "hi c"
    assert all(e.ts > 0 and e.run_id == run.id for e in events)
    stored = await engine.get_run(run.id)
    assert stored.workflow_hash == workflow.content_hash


async def test_idempotency_key_returns_the_same_run(mz: Harness) -> None:
    counter = mz.tmp_path / "count.txt"
    mz.workflow(
        "wf",
        "steps:\n  - count: {tool: bump, with: {path: '{{ input.path }}'}}\n",
        tools={"bump": BUMP},
    )
    engine = await mz.engine()
    first = await engine.run("wf", {"path": str(counter)}, idempotency_key="order-1")
    second = await engine.run("wf", {"path": str(counter)}, idempotency_key="order-1")
    assert first.id == second.id
    assert second.status == "succeeded", second.error
    assert counter.read_text() == "x"
    other = await engine.run("wf", {"path": str(counter)}, idempotency_key="order-2")
    assert other.id != first.id
    assert counter.read_text() == "xx"


async def test_bad_input_creates_no_run(mz: Harness) -> None:
    mz.workflow("wf", "inputs:\n  message: {type: string, required: true, min_length: 1}\nsteps:\n  - echo: hi\n")
    engine = await mz.engine()
    with pytest.raises(InputValidationError, match="must not be empty"):
        await engine.run("wf", {"message": ""})
    assert await engine.store.list_runs() == []


async def test_invalid_workflows_do_not_stop_the_engine(mz: Harness) -> None:
    mz.workflow("good", "steps:\n  - echo: ok\n")
    bad = mz.workflow("bad", "steps:\n  - frobnicate: 1\n")
    engine = await mz.engine()
    assert (await engine.run("good")).output == "ok"
    with pytest.raises(WorkflowNotFoundError) as info:
        await engine.run("bad")
    assert info.value.file == str(bad / "workflow.yml") and info.value.line == 2


async def test_workflows_enabled_limits_what_the_engine_serves(mz: Harness) -> None:
    mz.workflow("a", "steps:\n  - echo: a\n")
    mz.workflow("b", "steps:\n  - echo: b\n")
    engine = await mz.engine({"WORKFLOWS_ENABLED": "b"})
    assert list(engine.registry.workflows) == ["b"]
    with pytest.raises(WorkflowNotFoundError, match="unknown workflow 'a'; available: b"):
        await engine.run("a")
    assert (await engine.run("b")).output == "b"


async def test_live_events_match_the_stored_log(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - each:\n      foreach: '{{ [1, 2] }}'\n      do:\n        - log: 'n={{ item }}'\n")
    engine = await mz.engine()
    live: list[tuple[int, str, str | None]] = []
    unsubscribe = engine.bus.subscribe(lambda e: live.append((e.seq, e.type, e.step)))
    run = await engine.run("wf")
    unsubscribe()
    stored = await engine.store.list_events(run.id)
    assert live == [(e.seq, e.type, e.step) for e in stored]
    tail = await engine.store.list_events(run.id, after=3)
    assert [e.seq for e in tail] == list(range(4, len(stored) + 1))


async def test_use_mozaiks_tool_calls_the_platform_in_managed_mode(mz: Harness, http_server: HttpServer) -> None:
    mz.workflow("wf", "steps:\n  - use_mozaiks_tool: {tool: validation_engine, action: create_campaign, budget: 5}\n")
    engine = await mz.engine(
        {"MOZAIKS_MODE": "managed", "MOZAIKS_PLATFORM_URL": http_server.url, "MOZAIKS_PLATFORM_TOKEN": "plat-token"}
    )
    run = await engine.run("wf")
    assert run.status == "succeeded", run.error
    (request,) = http_server.requests
    assert (request["method"], request["path"]) == ("POST", "/api/tools/validation_engine/create_campaign")
    assert request["headers"]["Authorization"] == "Bearer plat-token"
    assert request["headers"]["Idempotency-Key"] == f"{run.id}:use_mozaiks_tool"
    assert json.loads(request["body"]) == {"app_id": "default", "budget": 5}


async def test_use_mozaiks_tool_in_managed_mode_needs_the_platform_url(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - use_mozaiks_tool: {tool: t}\n")
    engine = await mz.engine({"MOZAIKS_MODE": "managed"})
    run = await engine.run("wf")
    assert run.status == "failed" and run.error is not None
    assert "MOZAIKS_PLATFORM_URL is not set" in run.error["message"]


async def test_an_event_starts_a_run_whose_input_is_the_event_data(mz: Harness) -> None:
    mz.workflow(
        "notify",
        "trigger: task.created\ninputs:\n  title: {type: string, required: true, min_length: 1}\n"
        "steps:\n  - echo: '{{ input.title }} / {{ task.title }} / {{ event.title }}'\n",
    )
    engine = await mz.engine()
    (run,) = await engine.emit_event("task.created", {"title": "Ship"}, event_id="e1")
    await engine.drain()
    assert (await engine.get_run(run.id)).output == "Ship / Ship / Ship"
    assert await engine.emit_event("task.created", {"title": ""}, event_id="e2") == [], "invalid data starts nothing"
