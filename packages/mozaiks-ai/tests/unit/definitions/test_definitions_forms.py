"""The three step forms of SPEC §3.2, auto-naming, modifiers and durations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mozaiks_ai import Workflow, WorkflowLoader
from mozaiks_ai._durations import parse_duration
from mozaiks_ai.definitions import RetryPolicy, Step

TOOLS = '''
from mozaiks_ai import tool


@tool
def append_mark(path: str) -> str:
    """Append a mark."""
    return path


def not_a_tool() -> None:
    """Not marked, so not a tool (the module marks some functions)."""
'''


def load(write: Callable[..., Path], yaml: str, **kwargs: object) -> Workflow:
    source = write("wf", yaml, **kwargs)
    return WorkflowLoader(source.parent.parent).load("wf")


def by_name(workflow: Workflow) -> dict[str, Step]:
    return {step.name: step for step in workflow.steps}


def test_action_form_scalar_and_mapping(write_workflow: Callable[..., Path]) -> None:
    wf = load(
        write_workflow,
        """
        steps:
          - echo: "Hello {{ input.name }}"
          - send_email: {to: a@example.com, subject: Hi}
          - sleep: 2s
        """,
    )
    echo, email, sleep = wf.steps
    assert (echo.name, echo.kind, echo.uses, echo.params) == ("echo", "action", "echo", "Hello {{ input.name }}")
    assert (email.name, email.kind, email.uses) == ("send_email", "action", "send_email")
    assert email.params == {"to": "a@example.com", "subject": "Hi"}
    assert (sleep.name, sleep.params) == ("sleep", "2s")


def test_action_form_repeated_actions_are_auto_numbered(write_workflow: Callable[..., Path]) -> None:
    wf = load(
        write_workflow,
        """
        steps:
          - echo: one
          - log: noted
          - echo: two
          - echo: three
          - log: again
        """,
    )
    assert [s.name for s in wf.steps] == ["echo", "log", "echo_2", "echo_3", "log_2"]


def test_auto_numbering_skips_names_taken_explicitly(write_workflow: Callable[..., Path]) -> None:
    wf = load(
        write_workflow,
        """
        steps:
          - echo_2: {echo: explicit}
          - echo: a
          - echo: b
        """,
    )
    assert [s.name for s in wf.steps] == ["echo_2", "echo", "echo_3"]


def test_action_form_tool_name_is_a_tool_step(write_workflow: Callable[..., Path]) -> None:
    wf = load(write_workflow, "steps:\n  - append_mark: {path: x}\n", tools={"marks": TOOLS})
    (step,) = wf.steps
    assert (step.name, step.kind, step.uses, step.params) == ("append_mark", "tool", "append_mark", {"path": "x"})
    assert wf.tools == ("append_mark",)


def test_named_form_with_each_kind(write_workflow: Callable[..., Path]) -> None:
    wf = load(
        write_workflow,
        """
        steps:
          - summary: {echo: "done"}
          - mark_a: {tool: append_mark, with: {path: "x"}}
          - fetch: {uses: http, with: {url: "https://example.com"}}
          - think: {model: default, prompt: prompts/a.md, output_schema: {type: object}}
          - helper: {agent: support-bot, message: "hi"}
          - scaffold: {template: app, into: out}
          - child: {workflow: other, input: {a: 1}}
          - both:
              parallel:
                - left: {echo: l}
                - right: {echo: r}
          - each:
              foreach: "{{ [1, 2] }}"
              as: n
              max_concurrency: 2
              do:
                - echo: "{{ n }}"
          - ask: {wait_for_input: {prompt: "Name?", schema: {type: string}}}
        """,
        tools={"marks": TOOLS},
    )
    steps = by_name(wf)
    kinds = {name: step.kind for name, step in steps.items()}
    assert kinds == {
        "summary": "action",
        "mark_a": "tool",
        "fetch": "action",
        "think": "model",
        "helper": "agent",
        "scaffold": "template",
        "child": "workflow",
        "both": "parallel",
        "each": "foreach",
        "ask": "wait_for_input",
    }
    assert steps["summary"].params == "done"
    assert (steps["mark_a"].uses, steps["mark_a"].params) == ("append_mark", {"path": "x"})
    assert (steps["fetch"].uses, steps["fetch"].params) == ("http", {"url": "https://example.com"})
    assert steps["think"].uses == "default"
    assert steps["think"].params == {"prompt": "prompts/a.md", "output_schema": {"type": "object"}}
    assert (steps["helper"].uses, steps["helper"].params) == ("support-bot", {"message": "hi"})
    assert (steps["scaffold"].uses, steps["scaffold"].params) == ("app", {"into": "out"})
    assert (steps["child"].uses, steps["child"].params) == ("other", {"input": {"a": 1}})
    assert [s.name for s in steps["both"].steps] == ["left", "right"]
    each = steps["each"]
    assert (each.foreach, each.item_name, each.max_concurrency) == ("{{ [1, 2] }}", "n", 2)
    assert [s.name for s in each.steps] == ["echo"]
    assert steps["ask"].params == {"prompt": "Name?", "schema": {"type": "string"}}


def test_named_wait_for_input_with_a_prompt_string_keeps_the_prompt(write_workflow: Callable[..., Path]) -> None:
    wf = load(write_workflow, 'steps:\n  - ask: {wait_for_input: "Your name?", schema: {type: string}}\n')
    (ask,) = wf.steps
    assert ask.kind == "wait_for_input"
    assert ask.params == {"prompt": "Your name?", "schema": {"type": "string"}}


def test_explicit_form_with_uses_and_with(write_workflow: Callable[..., Path]) -> None:
    wf = load(
        write_workflow,
        """
        steps:
          - name: notify_slack
            uses: http
            with: {url: "https://hooks.example/x", method: POST, json: {text: hi}}
          - name: mark
            uses: append_mark
            with: {path: p}
          - name: via_tool_key
            tool: append_mark
            with: {path: q}
        """,
        tools={"marks": TOOLS},
    )
    notify, mark, via_tool = wf.steps
    assert (notify.name, notify.kind, notify.uses) == ("notify_slack", "action", "http")
    assert notify.params == {"url": "https://hooks.example/x", "method": "POST", "json": {"text": "hi"}}
    assert (mark.kind, mark.uses, mark.params) == ("tool", "append_mark", {"path": "p"})
    assert (via_tool.kind, via_tool.uses, via_tool.params) == ("tool", "append_mark", {"path": "q"})


def test_modifiers_in_every_form(write_workflow: Callable[..., Path]) -> None:
    wf = load(
        write_workflow,
        """
        steps:
          - echo: a
            if: "{{ input.go }}"
            retry: 4
            timeout: 500ms
            continue_on_error: true
          - named:
              echo: b
              retry: {max_attempts: 3, backoff: exponential, initial_delay: 1s, max_delay: 5m}
              timeout: 30s
          - outer:
              echo: c
            timeout: 1h
            if: "{{ false }}"
          - name: explicit
            uses: echo
            with: {message: d}
            if: "{{ task.priority == 'high' }}"
            retry: {max_attempts: 2, backoff: fixed, initial_delay: 250ms}
            timeout: 2
            continue_on_error: false
        """,
    )
    steps = by_name(wf)
    echo = steps["echo"]
    assert echo.condition == "{{ input.go }}"
    assert echo.retry == RetryPolicy(max_attempts=4)
    assert echo.timeout == 0.5
    assert echo.continue_on_error is True
    named = steps["named"]
    assert named.retry is not None
    assert (named.retry.max_attempts, named.retry.backoff) == (3, "exponential")
    assert (named.retry.initial_delay, named.retry.max_delay) == (1.0, 300.0)
    assert named.timeout == 30.0
    assert named.condition is None and named.continue_on_error is False
    outer = steps["outer"]
    assert (outer.timeout, outer.condition) == (3600.0, "{{ false }}")
    explicit = steps["explicit"]
    assert explicit.retry == RetryPolicy(max_attempts=2, backoff="fixed", initial_delay=0.25)
    assert (explicit.timeout, explicit.continue_on_error) == (2.0, False)


def test_steps_remember_their_line(write_workflow: Callable[..., Path]) -> None:
    wf = load(write_workflow, "name: x\nsteps:\n  - echo: a\n\n  - greet: {echo: b}\n")
    assert [s.line for s in wf.steps] == [3, 5]


def test_nested_step_names_are_unique_per_sibling_list(write_workflow: Callable[..., Path]) -> None:
    wf = load(
        write_workflow,
        """
        steps:
          - echo: top
          - loop:
              foreach: "{{ [1] }}"
              do:
                - echo: a
                - echo: b
        """,
    )
    assert [s.name for s in wf.steps] == ["echo", "loop"]
    assert [s.name for s in wf.steps[1].steps] == ["echo", "echo_2"]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("500ms", 0.5),
        ("30s", 30.0),
        ("5m", 300.0),
        ("1h", 3600.0),
        ("2d", 172800.0),
        ("1.5s", 1.5),
        (3, 3.0),
        (0.25, 0.25),
        ("10", 10.0),
        (" 2 s ", 2.0),
    ],
)
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("bad", ["soon", "1 week", "-1s", -1, True, None, [1], "ms"])
def test_bad_durations_are_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(bad)


@given(st.integers(min_value=0, max_value=10**6), st.sampled_from([("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]))
def test_duration_units_scale(amount: int, unit: tuple[str, float]) -> None:
    suffix, factor = unit
    assert parse_duration(f"{amount}{suffix}") == pytest.approx(amount * factor)


def test_retry_delays() -> None:
    exponential = RetryPolicy(max_attempts=5, initial_delay="100ms", max_delay="300ms")
    assert [exponential.delay(n) for n in (1, 2, 3, 4)] == pytest.approx([0.1, 0.2, 0.3, 0.3])
    fixed = RetryPolicy(backoff="fixed", initial_delay=2)
    assert [fixed.delay(n) for n in (1, 2, 3)] == [2.0, 2.0, 2.0]


def test_a_step_named_after_its_tool_is_a_named_step(tmp_path: Path) -> None:
    folder = tmp_path / "wf"
    (folder / "tools").mkdir(parents=True)
    (folder / "tools" / "t.py").write_text("def bump(n: int) -> int:\n    return n + 1\n")
    (folder / "workflow.yml").write_text(
        "steps:\n  - bump: {tool: bump, with: {n: 1}}\n  - bump_again: {bump: {n: 2}}\n"
    )
    from mozaiks_ai import WorkflowLoader

    steps = WorkflowLoader(tmp_path).load("wf").steps
    assert [(s.name, s.kind, s.uses, s.params) for s in steps] == [
        ("bump", "tool", "bump", {"n": 1}),
        ("bump_again", "tool", "bump", {"n": 2}),
    ]
