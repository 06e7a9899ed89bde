"""Actions that reach out: http, call_app_api, send_email (outbox and SMTP) and emit_event."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json

import pytest
from engine_harness import Harness, HttpServer, SmtpServer, check_event_log, wait_done
from mozaiks_ai.config import SmtpConfig

pytestmark = pytest.mark.anyio


async def test_http_get_and_post(mz: Harness, http_server: HttpServer) -> None:
    mz.workflow(
        "wf",
        f"""
        steps:
          - fetch: {{http: {{url: "{http_server.url}/json"}}}}
          - name: post
            uses: http
            with:
              url: "{http_server.url}/echo"
              method: POST
              headers: {{X-Test: "yes"}}
              json: {{ok: "{{{{ steps.fetch.output.body.ok }}}}"}}
              params: {{q: search}}
          - text: {{http: {{url: "{http_server.url}/echo", method: PUT, body: "plain text"}}}}
        """,
    )
    run = await mz.run("wf")
    assert run.status == "succeeded", run.error
    steps = {s.path: s.output for s in await mz.engines[0].store.get_steps(run.id)}
    assert steps["fetch"]["status"] == 200
    assert steps["fetch"]["body"] == {"ok": True}
    assert steps["fetch"]["url"] == f"{http_server.url}/json"
    post = steps["post"]["body"]
    assert post["method"] == "POST" and post["path"] == "/echo?q=search"
    assert json.loads(post["body"]) == {"ok": True}
    assert post["headers"]["X-Test"] == "yes"
    assert steps["text"]["body"]["body"] == "plain text"
    assert [r["method"] for r in http_server.requests] == ["GET", "POST", "PUT"]


async def test_http_error_status_fails_unless_told_otherwise(mz: Harness, http_server: HttpServer) -> None:
    mz.workflow(
        "wf",
        f"""
        steps:
          - tolerant: {{http: {{url: "{http_server.url}/status/503", raise_for_status: false}}}}
          - strict: {{http: {{url: "{http_server.url}/status/500"}}}}
        """,
    )
    run = await mz.run("wf")
    assert run.status == "failed" and run.error is not None
    assert run.error["step"] == "strict"
    assert "returned HTTP 500: boom" in run.error["message"]
    steps = {s.path: s for s in await mz.engines[0].store.get_steps(run.id)}
    assert steps["tolerant"].output["status"] == 503


async def test_http_follows_redirects_inside_the_allowlist(mz: Harness, http_server: HttpServer) -> None:
    target = f"{http_server.url}/json"
    mz.workflow("wf", f"steps:\n  - go: {{http: {{url: '{http_server.url}/redirect?to={target}', method: POST}}}}\n")
    run = await mz.run("wf")
    assert run.status == "succeeded", run.error
    assert run.output["body"] == {"ok": True} and run.output["url"] == target
    assert [r["method"] for r in http_server.requests] == ["POST", "GET"]  # 302 turns POST into GET


async def test_http_refuses_hosts_outside_the_allowlist(mz: Harness, http_server: HttpServer) -> None:
    mz.workflow("wf", f"steps:\n  - go: {{http: 'http://localhost:{http_server.port}/json'}}\n")
    run = await mz.run("wf")
    assert run.status == "failed" and run.error is not None
    assert "'localhost' is not in the HTTP allowlist" in run.error["message"]
    assert "MOZAIKS_HTTP_ALLOWED_HOSTS" in run.error["message"]
    assert http_server.requests == []


async def test_call_app_api(mz: Harness, http_server: HttpServer) -> None:
    mz.workflow(
        "wf",
        """
        trigger: task.created
        steps:
          - call_app_api:
              endpoint: /api/notifications
              method: POST
              body: {message: "Task created: {{ task.title }}"}
          - read: {call_app_api: /api/items}
        """,
    )
    engine = await mz.engine(
        {"MOZAIKS_APP_API_URL": http_server.url + "/", "MOZAIKS_APP_API_TOKEN": "app-token"},
        http_allowed_hosts=None,
    )
    assert engine.config.http_allowed_hosts == ()  # the app URL itself is trusted
    (started,) = await engine.emit_event("task.created", {"title": "Write tests"}, event_id="evt-1")
    run = await wait_done(engine, started.id)
    assert run.status == "succeeded", run.error
    post, get = http_server.requests
    assert (post["method"], post["path"]) == ("POST", "/api/notifications")
    assert json.loads(post["body"]) == {"message": "Task created: Write tests"}
    assert post["headers"]["Idempotency-Key"] == f"{run.id}:call_app_api"
    assert post["headers"]["Authorization"] == "Bearer app-token"
    assert post["headers"]["X-Mozaiks-Run-Id"] == run.id
    assert (get["method"], get["path"]) == ("GET", "/api/items")
    assert get["headers"]["Idempotency-Key"] == f"{run.id}:read"


async def test_call_app_api_without_an_app_url(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - call_app_api: /api/x\n")
    run = await mz.run("wf")
    assert run.status == "failed" and run.error is not None
    assert "MOZAIKS_APP_API_URL" in run.error["message"]


async def test_send_email_to_the_outbox(mz: Harness) -> None:
    mz.workflow(
        "wf",
        """
        steps:
          - notify:
              send_email:
                to: ["ada@example.com", "bob@example.com"]
                cc: carol@example.com
                subject: "New task: {{ input.title }}"
                body: "Hello, {{ input.title }} is yours."
                html: "<p>{{ input.title }}</p>"
                reply_to: boss@example.com
        """,
    )
    run = await mz.run("wf", {"title": "Ship it"})
    assert run.status == "succeeded", run.error
    assert run.output["delivery"] == "outbox"
    files = list(mz.outbox.glob("*.eml"))
    assert [f.name for f in files] == [f"{run.id}-notify.eml"]
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["To"] == "ada@example.com, bob@example.com"
    assert message["Cc"] == "carol@example.com"
    assert message["From"] == "mozaiks@localhost"
    assert message["Reply-To"] == "boss@example.com"
    assert message["Subject"] == "New task: Ship it"
    assert message["X-Mozaiks-Run-Id"] == run.id
    assert message["Message-ID"] == run.output["message_id"]
    assert message.get_body(("plain",)).get_content().strip() == "Hello, Ship it is yours."  # type: ignore[union-attr]
    assert message.get_body(("html",)).get_content().strip() == "<p>Ship it</p>"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ("{to: not-an-address, subject: x}", "invalid address"),
        ("{subject: x}", "at least one 'to'"),
        ('{to: a@example.com, subject: "a\\nBcc: evil@example.com"}', "single line"),
        ('{to: "a@example.com\\nBcc: evil@example.com"}', "invalid address"),
    ],
)
async def test_send_email_refuses_bad_headers(mz: Harness, params: str, problem: str) -> None:
    mz.workflow("wf", f"steps:\n  - send_email: {params}\n")
    run = await mz.run("wf")
    assert run.status == "failed" and run.error is not None
    assert problem in run.error["message"]
    assert not mz.outbox.exists() or list(mz.outbox.iterdir()) == []


async def test_send_email_over_smtp(mz: Harness, smtp_server: SmtpServer) -> None:
    mz.workflow(
        "wf",
        """
        steps:
          - send_email:
              to: ada@example.com
              bcc: [hidden@example.com]
              subject: Hello over SMTP
              body: "Line one\\n.leading dot line"
        """,
    )
    engine = await mz.engine(
        smtp=SmtpConfig(host="127.0.0.1", port=smtp_server.port, starttls=False, sender="bot@example.com")
    )
    run = await engine.run("wf")
    assert run.status == "succeeded", run.error
    assert run.output["delivery"] == "smtp"
    (sent,) = smtp_server.messages
    assert sent["from"] == "<bot@example.com>"
    assert sorted(sent["to"]) == ["<ada@example.com>", "<hidden@example.com>"]
    message = email.message_from_string(sent["data"], policy=email.policy.default)
    assert message["Subject"] == "Hello over SMTP"
    assert message["To"] == "ada@example.com"
    assert message["From"] == "bot@example.com"
    assert message["Bcc"] is None  # blind copies go in the envelope only
    assert message.get_content().splitlines() == ["Line one", ".leading dot line"]
    assert smtp_server.commands[0] in ("EHLO", "HELO") and smtp_server.commands[-1] == "QUIT"
    assert not mz.outbox.exists()


async def test_send_email_smtp_failure_is_an_action_error(mz: Harness) -> None:
    mz.workflow("wf", "steps:\n  - send_email: {to: a@example.com, subject: x}\n")
    engine = await mz.engine(smtp=SmtpConfig(host="127.0.0.1", port=1, starttls=False))
    run = await engine.run("wf")
    assert run.status == "failed" and run.error is not None
    assert run.error["type"] == "ActionError" and "SMTP server 127.0.0.1:1 failed" in run.error["message"]


async def test_emit_event_starts_matching_workflows_idempotently(mz: Harness) -> None:
    mz.workflow(
        "on-task",
        """
        trigger: task.created
        steps:
          - echo: "{{ task.title }} for {{ event.assignee }} via {{ trigger }}"
        """,
    )
    mz.workflow("on-any-task", 'trigger: [task.*]\nsteps:\n  - echo: "{{ event.title }}"\n')
    mz.workflow("unrelated", "trigger: user.created\nsteps:\n  - echo: no\n")
    engine = await mz.engine()
    runs = await engine.emit_event("task.created", {"title": "Write", "assignee": "ada"}, event_id="e-1")
    assert sorted(r.workflow_id for r in runs) == ["on-any-task", "on-task"]
    done = {r.workflow_id: await wait_done(engine, r.id) for r in runs}
    assert done["on-task"].output == "Write for ada via task.created"
    assert done["on-any-task"].output == "Write"
    again = await engine.emit_event("task.created", {"title": "Other"}, event_id="e-1")
    assert sorted(r.id for r in again) == sorted(r.id for r in runs)
    assert len(await engine.store.list_runs()) == 2
    assert len(await engine.emit_event("task.created", {"title": "New"})) == 2
    assert len(await engine.store.list_runs()) == 4
    assert await engine.emit_event("nothing.matches", {}) == []


async def test_emit_event_action_starts_child_runs(mz: Harness) -> None:
    mz.workflow(
        "producer",
        """
        steps:
          - created:
              emit_event: {type: task.created, data: {title: "{{ input.title }}", assignee: {email: a@example.com}}}
        """,
    )
    mz.workflow(
        "consumer",
        """
        trigger: task.created
        steps:
          - send_email: {to: "{{ task.assignee.email }}", subject: "New task: {{ task.title }}"}
        output: "{{ task.title }}"
        """,
    )
    engine = await mz.engine()
    run = await engine.run("producer", {"title": "Plan"})
    assert run.status == "succeeded", run.error
    assert run.output["type"] == "task.created" and run.output["id"] == f"{run.id}:created"
    (child_id,) = run.output["runs"]
    child = await wait_done(engine, child_id)
    assert child.status == "succeeded", child.error
    assert child.output == "Plan"
    assert child.parent_run_id == run.id
    assert child.idempotency_key == f"event:{run.id}:created:consumer"
    check_event_log(await engine.store.list_events(child.id))
    assert len(list(mz.outbox.glob("*.eml"))) == 1


async def test_emit_event_loops_are_stopped(mz: Harness) -> None:
    mz.workflow("loop", "trigger: ping\nsteps:\n  - emit_event: {type: ping}\n")
    engine = await mz.engine()
    (first,) = await engine.emit_event("ping", {}, event_id="start")
    await wait_done(engine, first.id)
    for _ in range(100):
        runs = await engine.store.list_runs(limit=100)
        if all(r.status in ("succeeded", "failed") for r in runs) and any(r.status == "failed" for r in runs):
            break
        await asyncio.sleep(0.02)
    runs = await engine.store.list_runs(limit=100)
    failed = [r for r in runs if r.status == "failed"]
    assert len(failed) == 1 and failed[0].error is not None
    assert "nested more than 8 deep" in failed[0].error["message"]
    assert len(runs) == 9
