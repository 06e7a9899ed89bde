"""ChatUI in a real browser against a real server: the page at ``/`` and the embeddable widget.

Screenshots are kept under ``tests/browser/screenshots/`` (git-ignored) for a person to look at.
"""

from __future__ import annotations

import itertools
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from chatui_harness import TOKEN, EmbedServer, Server

pytestmark = pytest.mark.browser


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def choose(page: Any, name: str) -> None:
    """Pick a workflow in the sidebar."""
    radio = page.get_by_role("radio", name=name, exact=True)
    radio.check()
    _expect()(page.locator(".mz-target-name")).to_have_text(name)


def send(scope: Any, text: str) -> None:
    scope.get_by_label("Message", exact=True).fill(text)
    scope.get_by_role("button", name="Send").click()


def lines(run: Any, kind: str = "progress") -> list[str]:
    texts: list[str] = run.locator(f".mz-line--{kind}").all_inner_texts()
    return texts


def test_run_streams_progress_then_shows_output_and_files(
    page: Any, api: Server, shot: Callable[[Any, str], Path], tmp_path: Path
) -> None:
    expect = _expect()
    response = page.goto(api.url + "/")
    csp = response.headers["content-security-policy"]  # the bundle must run under the server's policy
    assert "script-src 'self'" in csp and "default-src 'self'" in csp, csp
    expect(page).to_have_title("Mozaiks")
    sidebar = page.get_by_role("complementary", name="Choose a workflow")
    for name in ("Approval", "Hello World", "Long Stream", "Report Writer"):
        expect(sidebar.get_by_role("radio", name=name, exact=True)).to_be_visible()
    expect(sidebar).to_contain_text("Streams its progress, then writes a report and notes as files.")
    expect(page.locator(".mz-conn")).to_have_text("Connected")

    choose(page, "Report Writer")
    send(page, "Quarterly numbers")
    run = page.locator("article.mz-run")
    expect(run.locator(".mz-msg--user")).to_have_text("Quarterly numbers")
    # progress arrives while the run is still going
    expect(run.locator(".mz-line--progress").first).to_have_text("Working on part 1 of 4")
    expect(run.locator(".mz-badge")).to_have_text("Running")
    shot(page, "01-streaming")

    expect(run.locator(".mz-badge")).to_have_text("Completed", timeout=20_000)
    assert lines(run) == [f"Working on part {i} of 4" for i in range(1, 5)]
    expect(run.locator(".mz-output")).to_have_text("Finished: 4 parts done")
    expect(run.locator('.mz-step[data-path="work"]')).to_have_attribute("data-status", "completed")
    files = run.get_by_role("region", name="Files")
    expect(files.locator(".mz-file")).to_have_count(2)
    assert sorted(files.locator(".mz-link").all_inner_texts()) == ["notes.txt", "reports/summary.md"]
    expect(files).to_contain_text("Files (2)")
    expect(page.get_by_role("button", name="Cancel run")).to_be_hidden()
    shot(page, "02-completed-with-files")

    with page.expect_download() as info:
        files.get_by_role("button", name="Download zip").click()
    download = info.value
    assert re.fullmatch(r"report-writer-[0-9a-f-]{8}\.zip", download.suggested_filename), download.suggested_filename
    target = tmp_path / download.suggested_filename
    download.save_as(str(target))
    with zipfile.ZipFile(target) as archive:
        assert sorted(archive.namelist()) == ["notes.txt", "reports/summary.md"]
        assert "Request: Quarterly numbers" in archive.read("reports/summary.md").decode()
        assert archive.read("notes.txt").decode() == "4 parts done"

    with page.expect_download() as info:
        files.get_by_role("button", name="notes.txt").click()
    single = tmp_path / "single.txt"
    info.value.save_as(str(single))
    assert single.read_text() == "4 parts done"


def test_wait_for_input_form_is_answered_and_the_run_completes(
    page: Any, api: Server, shot: Callable[[Any, str], Path]
) -> None:
    expect = _expect()
    page.goto(api.url + "/")
    choose(page, "Approval")
    send(page, "the budget")
    run = page.locator("article.mz-run")
    form = run.locator("form.mz-input-form")
    expect(form).to_be_visible()
    expect(form).to_contain_text("Who approves this request, and is it approved?")
    expect(run.locator(".mz-badge")).to_have_text("Waiting for you")
    approver = form.get_by_label("Approver")
    approved = form.get_by_role("checkbox", name="Approved")
    expect(approver).to_have_attribute("type", "text")
    expect(approver).to_have_attribute("aria-required", "true")
    expect(form).to_contain_text("Your name")
    expect(approved).not_to_be_checked()

    form.get_by_role("button", name="Submit answer").click()  # the required name is missing
    expect(form.locator('[data-field="approver"] .mz-field-error')).to_have_text("This field is required.")
    expect(approver).to_have_attribute("aria-invalid", "true")
    expect(approver).to_be_focused()

    approver.fill("Ada")
    approved.check()
    shot(page, "03-input-form")
    form.get_by_role("button", name="Submit answer").click()
    expect(form).to_have_count(0)
    expect(run.locator(".mz-output")).to_have_text("Ada answered approved=True", timeout=20_000)
    expect(run.locator(".mz-badge")).to_have_text("Completed")
    expect(run.locator(".mz-line--answer")).to_have_text('Answer: {"approver":"Ada","approved":true}')
    shot(page, "04-input-answered")


def test_reconnect_resumes_without_losing_or_repeating_events(
    page: Any, api: Server, shot: Callable[[Any, str], Path]
) -> None:
    expect = _expect()
    routes: list[Any] = []
    client_messages: list[dict[str, Any]] = []

    def handle(ws: Any) -> None:
        routes.append(ws)
        if len(routes) == 2:
            ws.close(code=4000, reason="still down")  # the first reconnect attempt fails too: events pile up
            return
        server = ws.connect_to_server()

        def from_page(message: str | bytes) -> None:
            client_messages.append(json.loads(message))
            server.send(message)

        ws.on_message(from_page)

    page.route_web_socket(re.compile(r"/api/chat"), handle)
    page.goto(api.url + "/")
    choose(page, "Long Stream")
    expect(page.locator(".mz-conn")).to_have_text("Connected")
    send(page, "go long")
    run = page.locator("article.mz-run")
    expect(run.locator(".mz-line--progress").nth(2)).to_be_visible()
    before = len(lines(run))

    routes[0].close(code=4000, reason="network dropped")  # the page's socket goes away mid-run
    expect(page.locator(".mz-conn")).to_have_text("Connection lost, reconnecting…")
    expect(run.locator(".mz-badge")).to_have_text("Completed", timeout=30_000)
    expect(page.locator(".mz-conn")).to_have_text("Connected")

    assert before < 16, "the socket was dropped after the run had finished: the test proves nothing"
    assert len(routes) >= 3, f"expected a failed and a successful reconnect, saw {len(routes)} sockets"
    assert lines(run) == [f"Working on part {i} of 16" for i in range(1, 17)]
    expect(page.locator("article.mz-run")).to_have_count(1)
    expect(page.locator(".mz-output")).to_have_count(1)
    expect(run.locator(".mz-output")).to_have_text("Long stream: 16 parts done")
    expect(run.locator(".mz-step")).to_have_count(1)
    resumes = [m for m in client_messages if m.get("type") == "resume"]
    assert resumes, client_messages
    assert resumes[0]["after"] >= before and resumes[0]["runId"] == run.get_attribute("data-run-id")
    assert resumes[0]["sessionId"] == client_messages[0]["sessionId"]

    # errors the server reports are shown, and can be dismissed
    routes[-1].send(json.dumps({"type": "error", "error": "Something went wrong on the server"}))
    notice = page.get_by_role("alert").filter(has_text="Something went wrong on the server")
    expect(notice).to_be_visible()
    shot(page, "05-reconnected")
    notice.get_by_role("button", name="Dismiss").click()
    expect(notice).to_have_count(0)


REPLY_GROWTH = """() => {
  // record the newest agent reply's text at every DOM change: a live reply grows step by step
  window.__replyTexts = [];
  const transcript = document.querySelector(".mz-transcript");
  new MutationObserver(() => {
    const replies = transcript.querySelectorAll("article.mz-run--agent .mz-reply .mz-line--token");
    const text = replies.length ? replies[replies.length - 1].textContent : null;
    const seen = window.__replyTexts;
    if (text !== null && seen[seen.length - 1] !== text) seen.push(text);
  }).observe(transcript, {subtree: true, childList: true, characterData: true});
}"""


FORGET_SESSION_TARGET = """() => {
  for (const key of Object.keys(localStorage)) {
    if (key.endsWith(".sessionTarget")) localStorage.removeItem(key);
    if (key.endsWith(".target")) localStorage.setItem(key, "workflow:hello-world");
  }
}"""


def _synthetic_tool_run(run_id: str) -> list[dict[str, Any]]:
    """An agent chat with tool calls, as the server streams one (the offline provider never calls tools)."""

    def reply(event_type: str, **fields: Any) -> dict[str, Any]:
        return {"type": event_type, "step": "reply", **fields}

    def tokens(*pieces: str) -> list[dict[str, Any]]:
        return [reply("chunk", kind="token", chunk=piece) for piece in pieces]

    events: list[dict[str, Any]] = [
        {"type": "run.started", "workflow": "agent:helper", "input": {"message": "How far along is the report?"}},
        reply("step.started", name="reply", kind="agent", uses="helper"),
        *tokens("Let me ", "check. "),
        reply("tool.started", call_id="call_1", name="stream_progress", arguments={"count": 2, "delay": 0}),
        reply("tool.completed", call_id="call_1", name="stream_progress", result="2 parts done"),
        reply("tool.started", call_id="call_2", name="read_file", arguments={"path": "reports/summary.md"}),
        reply("tool.completed", call_id="call_2", name="read_file", result={"error": "no such file"}),
        *tokens("Two parts ", "are done."),
        reply("usage", provider="test", model="test", input_tokens=1200, output_tokens=34),
        reply("step.completed", name="reply", output="Two parts are done."),
        {"type": "run.completed", "status": "succeeded", "output": "Two parts are done."},
    ]
    base = {"run_id": run_id, "session_id": None, "ts": 4_000_000_000.0}
    return [{**base, **event, "seq": seq} for seq, event in enumerate(events, start=1)]


def test_agents_are_listed_and_chatted_with_offline_live_and_remembered(
    page: Any, api: Server, shot: Callable[[Any, str], Path]
) -> None:
    expect = _expect()
    sockets: list[Any] = []
    client_messages: list[dict[str, Any]] = []

    def handle(ws: Any) -> None:
        sockets.append(ws)
        server = ws.connect_to_server()

        def from_page(message: str | bytes) -> None:
            client_messages.append(json.loads(message))
            server.send(message)

        ws.on_message(from_page)

    page.route_web_socket(re.compile(r"/api/chat"), handle)
    page.goto(api.url + "/")
    sidebar = page.get_by_role("complementary", name="Choose a workflow or an agent")
    agents = sidebar.get_by_role("group", name="Agents")
    expect(agents.get_by_role("radio", name="Ask", exact=True)).to_be_visible()  # the built-in agent
    expect(agents.get_by_role("radio", name="Helper", exact=True)).to_be_visible()  # report-writer/agents/helper.json
    expect(agents).to_contain_text("Helps plan reports")
    expect(agents).to_contain_text("Tools: stream_progress")
    workflows = sidebar.get_by_role("group", name="Workflows")
    expect(workflows.get_by_role("radio", name="Hello World", exact=True)).to_be_visible()
    expect(page.locator(".mz-conn")).to_have_text("Connected")
    page.evaluate(REPLY_GROWTH)

    # the built-in `ask` agent, answered by the offline provider (the server has no model key)
    choose(page, "Ask")
    send(page, "What is two plus two?")
    ask = page.locator("article.mz-run").first
    answer = '[offline] You asked: "What is two plus two?"'
    expect(ask.locator(".mz-reply .mz-line--token")).to_have_text(answer)
    expect(ask.locator(".mz-badge")).to_have_text("Completed")
    badge = ask.locator(".mz-tag--offline")
    expect(badge).to_be_visible()
    expect(badge).to_have_text("offline")
    expect(badge).to_have_attribute("title", re.compile("offline provider.*not written by a language model"))
    expect(ask.locator(".mz-run-meta")).to_contain_text("Ask · run ")
    expect(ask.locator(".mz-usage")).to_have_text(re.compile(r"^\d+ tokens$"))
    expect(ask.locator(".mz-steps")).to_be_hidden()  # a chat shows its reply, not a step list
    expect(ask.locator(".mz-output")).to_have_count(0)  # the streamed reply is the answer: not shown twice
    growth: list[str] = page.evaluate("window.__replyTexts")
    assert growth[-1] == answer, growth
    assert len(growth) >= 3, f"the reply appeared at once, not token by token: {growth}"
    assert all(b.startswith(a) and len(b) > len(a) for a, b in itertools.pairwise(growth)), growth
    sent = [m for m in client_messages if m.get("type") == "message"]
    assert sent[0]["agent"] == "ask" and "workflow" not in sent[0], sent[0]

    # an agent from a workflow folder's agents/
    choose(page, "Helper")
    send(page, "Plan the quarterly report")
    helper = page.locator("article.mz-run").nth(1)
    expect(helper.locator(".mz-reply .mz-line--token")).to_have_text('[offline] You asked: "Plan the quarterly report"')
    expect(helper.locator(".mz-badge")).to_have_text("Completed")
    expect(helper.locator(".mz-tag--offline")).to_be_visible()
    expect(helper.locator(".mz-run-meta")).to_contain_text("Helper · run ")
    sent = [m for m in client_messages if m.get("type") == "message"]
    assert sent[1]["agent"] == "helper" and "workflow" not in sent[1], sent[1]

    # the session remembers what it talks to: after a reload, Helper is still the target and the chat is replayed
    page.reload()
    expect(page.locator(".mz-conn")).to_have_text("Connected")
    expect(page.locator(".mz-target-name")).to_have_text("Helper")
    expect(page.get_by_role("radio", name="Helper", exact=True)).to_be_checked()
    runs = page.locator("article.mz-run")
    expect(runs).to_have_count(2)
    expect(runs.locator(".mz-tag--offline")).to_have_count(2)
    expect(runs.nth(1).locator(".mz-line--token")).to_contain_text("Plan the quarterly report")
    send(page, "And the summary?")  # goes to the session's agent
    expect(runs).to_have_count(3)
    expect(runs.nth(2).locator(".mz-badge")).to_have_text("Completed")
    sent = [m for m in client_messages if m.get("type") == "message"]
    assert sent[-1]["agent"] == "helper" and sent[-1]["sessionId"] == sent[0]["sessionId"], sent[-1]

    # a session continued where nothing about it is remembered (another tab or device): its latest run decides
    page.evaluate(FORGET_SESSION_TARGET)
    page.reload()
    expect(runs).to_have_count(3)
    expect(page.locator(".mz-target-name")).to_have_text("Helper")

    # tool calls, compact and expandable (injected into the socket: the offline provider never calls tools)
    for event in _synthetic_tool_run("synthetic-tool-run"):
        sockets[-1].send(json.dumps(event))
    tools_run = page.locator('article.mz-run[data-run-id="synthetic-tool-run"]')
    expect(tools_run.locator(".mz-badge")).to_have_text("Completed")
    calls = tools_run.locator(".mz-line--tool")
    expect(calls).to_have_count(2)
    expect(calls.nth(0)).to_have_attribute("data-status", "done")
    expect(calls.nth(0).locator("summary")).to_have_text('✓stream_progress({"count":2,"delay":0})→ 2 parts done')
    expect(calls.nth(1)).to_have_attribute("data-status", "error")
    expect(calls.nth(1).locator("summary")).to_contain_text('→ {"error":"no such file"}')
    expect(tools_run.locator(".mz-line--token")).to_have_text(["Let me check. ", "Two parts are done."])
    expect(tools_run.locator(".mz-tag--offline")).to_be_hidden()  # a model's answer gets no offline badge
    expect(tools_run.locator(".mz-usage")).to_have_text("1,234 tokens")
    calls.nth(1).locator("summary").click()
    expect(calls.nth(1).locator(".mz-tool-pre").nth(0)).to_have_text('{\n  "path": "reports/summary.md"\n}')
    expect(calls.nth(1).locator(".mz-tool-label").nth(1)).to_have_text("Error")
    page.locator(".mz-transcript").evaluate("t => { t.scrollTop = t.scrollHeight; }")
    shot(page, "08-agents")


def test_cancel_stops_the_active_run(page: Any, api: Server) -> None:
    expect = _expect()
    page.goto(api.url + "/")
    choose(page, "Long Stream")
    send(page, "stop me")
    run = page.locator("article.mz-run")
    expect(run.locator(".mz-line--progress").first).to_be_visible()
    page.get_by_role("button", name="Cancel run").click()
    expect(run.locator(".mz-badge")).to_have_text("Cancelled", timeout=20_000)
    expect(run).to_contain_text("The run was cancelled.")
    expect(page.get_by_role("button", name=re.compile("Cancel"))).to_be_hidden()
    assert len(lines(run)) < 16


def test_token_from_settings_then_reload_restores_the_conversation(
    page: Any, secure_api: Server, shot: Callable[[Any, str], Path]
) -> None:
    expect = _expect()
    page.goto(secure_api.url + "/")
    expect(page.locator(".mz-picker-status")).to_have_text("Sign-in needed: add an access token in Settings.")
    token_field = page.get_by_label("Access token")
    expect(token_field).to_be_visible()
    expect(page.get_by_role("button", name="Settings")).to_have_attribute("aria-expanded", "true")
    shot(page, "06-sign-in-needed")
    token_field.fill(TOKEN)
    page.get_by_role("button", name="Save").click()
    expect(token_field).to_be_hidden()
    expect(page.get_by_role("radio", name="Hello World", exact=True)).to_be_visible()
    expect(page.locator(".mz-conn")).to_have_text("Connected")

    choose(page, "Hello World")
    page.get_by_text("Workflow inputs").click()
    page.get_by_label("Name").fill("Ada")
    send(page, "hello")
    run = page.locator("article.mz-run")
    expect(run.locator(".mz-output")).to_have_text("Hello, Ada!")

    page.reload()  # the token and the session are remembered; the transcript is replayed
    expect(page.locator(".mz-conn")).to_have_text("Connected")
    expect(page.locator("article.mz-run .mz-output")).to_have_text("Hello, Ada!")
    expect(page.locator("article.mz-run .mz-msg--user")).to_have_text("hello")
    expect(page.locator("article.mz-run")).to_have_count(1)


def test_token_in_the_url_is_used_and_removed_from_the_address(page: Any, secure_api: Server) -> None:
    expect = _expect()
    page.goto(f"{secure_api.url}/?token={TOKEN}")
    expect(page.get_by_role("radio", name="Hello World", exact=True)).to_be_visible()
    assert "token" not in page.url
    choose(page, "Hello World")
    send(page, "hi")
    expect(page.locator("article.mz-run .mz-output")).to_have_text("Hello, World!")


def test_widget_on_a_plain_page_of_another_origin(
    page: Any, secure_api: Server, embed_server: EmbedServer, shot: Callable[[Any, str], Path]
) -> None:
    expect = _expect()
    embed_server.pages["/shop.html"] = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme shop</title>
<style>body {{ font-family: Georgia, serif; margin: 40px; background: #fbfaf7; }}
button {{ background: red; font-size: 30px; }} .mz-app {{ display: none; }}</style></head>
<body><h1>Acme shop</h1><p>A plain page that knows nothing about Mozaiks but one script tag.</p>
<script src="{secure_api.url}/chatui/widget.js" data-mozaiks-url="{secure_api.url}" data-token="{TOKEN}"
        data-title="Acme assistant" data-workflow="hello-world"></script>
</body></html>"""
    page.goto(embed_server.url + "/shop.html")
    launcher = page.get_by_role("button", name="Open chat")
    expect(launcher).to_be_visible()
    dialog = page.get_by_role("dialog", name="Acme assistant")
    expect(dialog).to_be_hidden()
    launcher.click()
    expect(dialog).to_be_visible()
    expect(page.locator("button.mz-launcher")).to_have_attribute("aria-expanded", "true")
    expect(dialog.locator(".mz-conn")).to_have_text("Connected")
    expect(dialog.locator(".mz-picker-summary-name")).to_have_text("Hello World")
    expect(dialog.get_by_label("Message", exact=True)).to_be_focused()
    send(dialog, "hi from the shop")
    expect(dialog.locator("article.mz-run .mz-output")).to_have_text("Hello, World!")
    expect(dialog.locator("article.mz-run .mz-badge")).to_have_text("Completed")
    shot(page, "07-widget")

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(launcher).to_be_focused()
    page.evaluate("window.MozaiksChat.open()")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Close chat").click()
    expect(dialog).to_be_hidden()
