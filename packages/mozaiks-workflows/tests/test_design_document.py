from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mozaiks_workflows.design_alignment import align_design, check_request, design_for, load_document
from mozaiks_workflows.design_document import DesignResult, draft_design
from platform_harness import cli, model_environ, run_workflow, serve_openai_peer, step_schema, validate

IDEA = "Build me a task tracker with React and Python"
SECTIONS = ("## Problem", "## Users", "## Features", "## Data model", "## API", "## Workflows",
            "## Non-functional needs", "## Open questions", "## Assumptions")  # fmt: skip


def _result(output: dict[str, Any]) -> dict[str, Any]:
    return {"document": output["document"], "updates": output["updates"]}


def test_offline_design_document_from_an_idea(tmp_path: Path) -> None:
    result = run_workflow(tmp_path, "DesignDocument", {"idea": IDEA})

    assert result.run.status == "succeeded", result.run.error
    output = result.output
    validate(_result(output), step_schema("DesignDocument", "design"))
    doc = DesignResult.model_validate(_result(output)).document
    assert output["offline"] is True and result.completed("design")["offline"] is True
    assert output["updates"] == [] and doc.version == 1
    assert doc.title == "Task Tracker"
    assert [e.name for e in doc.data_model] == ["Task", "Project"]
    assert {"/api/tasks", "/api/projects/{id}", "/api/stats", "/api/activity"} <= {e.path for e in doc.api}
    assert {f.priority for f in doc.features} == {"must", "should", "could"}
    assert doc.workflows and doc.non_functional and doc.users
    assert output["artifact"] == "design/design-document.md"
    markdown = result.text("design/design-document.md")
    assert markdown.startswith("# Task Tracker — design document (v1)")
    assert all(section in markdown for section in SECTIONS)
    assert "| `due_date` | date | no |" in markdown
    assert "Alignment updates" not in markdown
    assert result.progress()[:3] == [
        "Reading the idea…",
        "Writing the design document…",
        "Deriving the design from the text (offline analysis)…",
    ]


def test_design_from_value_engine_output_uses_its_top_direction(tmp_path: Path) -> None:
    value = run_workflow(tmp_path, "ValueEngine", {"idea": "An invoicing tool for freelance designers"}).output

    result = run_workflow(tmp_path, "DesignDocument", {"value": value, "into": "docs/design"})

    assert result.run.status == "succeeded", result.run.error
    doc = result.output["document"]
    top = value["ideas"][0]
    assert doc["problem"] == top["problem"]
    assert top["audience"] in doc["users"][0]["description"]
    assert any("ValueEngine's top direction" in a for a in doc["assumptions"])
    assert [e["name"] for e in doc["data_model"]] == ["Invoice", "Client"]
    assert "docs/design/design-document.md" in result.artifacts


def test_alignment_with_feedback_lists_what_changed_and_why(tmp_path: Path) -> None:
    first = run_workflow(tmp_path, "DesignDocument", {"idea": IDEA}).output
    feedback = (
        "Drop the dashboard. Add a labels field to tasks. Add CSV export for tasks. "
        "Due-date reminders are a must. It must be fast on phones. Rename projects to boards."
    )

    result = run_workflow(tmp_path, "DesignDocument", {"document": first["document"], "feedback": feedback})

    assert result.run.status == "succeeded", result.run.error
    output = result.output
    validate(_result(output), step_schema("DesignDocument", "design"))
    doc = output["document"]
    assert doc["version"] == 2
    changes = [(u["section"], u["change"], u["item"]) for u in output["updates"]]
    assert changes == [
        ("features", "removed", "Dashboard"),
        ("data_model", "changed", "Task.labels"),
        ("features", "added", "CSV Export for Tasks"),
        ("features", "changed", "Due-date reminders: priority → must"),
        ("non_functional", "added", "Performance"),
        ("open_questions", "noted", "Rename projects to boards."),
    ]
    assert all(u["reason"] for u in output["updates"])
    assert "Drop the dashboard." in output["updates"][0]["reason"]
    assert "Dashboard" not in [f["name"] for f in doc["features"]]
    assert "labels" in [f["name"] for f in doc["data_model"][0]["fields"]]
    assert any("Rename projects to boards" in q for q in doc["open_questions"])
    markdown = result.text("design/design-document.md")
    assert (
        "(v2)" in markdown
        and "## Alignment updates" in markdown
        and "| data model | changed | Task.labels |" in markdown
    )
    assert "6 update(s)" in output["summary"]


def test_removing_an_entity_drops_its_api_and_references(tmp_path: Path) -> None:
    first = draft_design(IDEA).document

    aligned = align_design(first, "We do not need projects.")

    assert [e.name for e in aligned.document.data_model] == ["Task"]
    assert not [e for e in aligned.document.api if "/api/projects" in e.path]
    task = aligned.document.data_model[0]
    assert "project_id" not in [f.name for f in task.fields] and task.relations == []
    assert "Manage projects" not in [f.name for f in aligned.document.features]


def test_markdown_document_is_re_derived_and_says_so() -> None:
    result = design_for(document="# Recipe book\n\nA recipe app for home cooks.", feedback="Add meal plans.")

    assert result.document.version == 1
    assert [u.item for u in result.updates] == ["Meal Plans"]
    assert any("was markdown" in a for a in result.document.assumptions)


def test_unusable_input_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    nothing = run_workflow(tmp_path, "DesignDocument", {})
    assert nothing.run.status == "failed"
    assert "nothing to design" in nothing.error["message"] and nothing.error["step"] == "check"

    no_feedback = run_workflow(tmp_path, "DesignDocument", {"document": draft_design(IDEA).document.model_dump()})
    assert no_feedback.run.status == "failed"
    assert "without 'feedback'" in no_feedback.error["message"]

    with pytest.raises(ValueError, match="is not a design document"):
        load_document({"title": "x"})
    assert check_request(IDEA) == "draft"

    bad = cli("run", "DesignDocument", "--input", json.dumps({"idea": ""}), "--db", f"sqlite:///{tmp_path}/c.sqlite")
    assert bad.returncode == 2 and "idea must not be blank" in bad.stderr


def test_with_a_model_alignment_prompt_carries_document_and_feedback(tmp_path: Path) -> None:
    previous = draft_design(IDEA).document
    answer = align_design(previous, "Add CSV export.").model_dump()
    answer["document"]["version"] = 1  # the model forgot to bump the version: finalize fixes it
    with serve_openai_peer([{"json": answer}]) as peer:
        result = run_workflow(
            tmp_path,
            "DesignDocument",
            {"document": json.dumps(previous.model_dump()), "feedback": "Add CSV export."},
            environ=model_environ(peer),
        )

    assert result.run.status == "succeeded", result.run.error
    output = result.output
    assert output["offline"] is False and output["document"]["version"] == 2
    assert [u["item"] for u in output["updates"]] == ["CSV Export"]
    prompt = peer.requests[0]["messages"][-1]["content"]
    assert "Add CSV export." in prompt and '"title": "Task Tracker"' in prompt
    assert "*Offline draft: no language model" not in result.text("design/design-document.md")
