from __future__ import annotations

import json
from pathlib import Path

import pytest
from mozaiks_workflows.value_report import RankedIdea, ValueReport, evaluate_idea, rank_ideas
from platform_harness import cli, model_environ, run_workflow, serve_openai_peer, step_schema, validate

IDEA = "A habit tracker for students with streaks, reminders and a weekly summary"


def _report(output: dict[str, object]) -> dict[str, object]:
    return {k: output[k] for k in ("idea", "summary", "ideas", "assumptions")}


def test_offline_run_ranks_directions_and_writes_the_report(tmp_path: Path) -> None:
    result = run_workflow(tmp_path, "ValueEngine", {"idea": IDEA})

    assert result.run.status == "succeeded", result.run.error
    output = result.output
    validate(_report(output), step_schema("ValueEngine", "value"))
    report = ValueReport.model_validate(_report(output))
    assert output["offline"] is True
    assert report.idea == IDEA
    assert [i.rank for i in report.ideas] == [1, 2, 3]
    assert [i.score for i in report.ideas] == sorted((i.score for i in report.ideas), reverse=True)
    assert all(i.adjustments and 0 <= i.score <= 100 for i in report.ideas)
    assert any(i.audience == "students" for i in report.ideas), "the audience the pitch names is used"
    assert any("Offline analysis" in a for a in report.assumptions)
    # the runtime labels the model step's answer as offline, and progress streams to clients
    assert result.completed("value")["offline"] is True
    assert result.progress()[:2] == ["Reading the idea…", "Ranking 3 directions…"]
    # the readable report
    assert output["report"] == "value-engine/report.md"
    markdown = result.text("value-engine/report.md")
    assert markdown.startswith(f"# Value report: {report.ideas[0].title}")
    assert "*Offline analysis" in markdown
    for idea in report.ideas:
        assert f"## {idea.rank}. {idea.title} — {idea.score}/100" in markdown
        assert idea.adjustments[0] in markdown


def test_offline_analysis_is_deterministic_and_says_what_it_assumed(tmp_path: Path) -> None:
    first = run_workflow(tmp_path, "ValueEngine", {"idea": "Build me a task tracker with React and Python", "count": 5})
    second = run_workflow(
        tmp_path, "ValueEngine", {"idea": "Build me a task tracker with React and Python", "count": 5}
    )

    assert first.output == second.output
    assert len(first.output["ideas"]) == 5
    assumptions = " ".join(first.output["assumptions"])
    assert "task management" in assumptions
    assert "names no audience" in assumptions and "names no problem" in assumptions
    assert "react, python" in assumptions


def test_report_folder_is_configurable(tmp_path: Path) -> None:
    result = run_workflow(tmp_path, "ValueEngine", {"idea": IDEA, "count": 1, "into": "docs/value"})

    assert result.output["report"] == "docs/value/report.md"
    assert set(result.artifacts) == {"docs/value/report.md"}


def test_cli_runs_offline_and_refuses_an_empty_idea(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/cli.sqlite"
    ok = cli("run", "ValueEngine", "--input", json.dumps({"idea": IDEA}), "--json", "-q", "--db", db)
    assert ok.returncode == 0, ok.stderr
    body = json.loads(ok.stdout)
    assert body["status"] == "succeeded" and body["output"]["offline"] is True

    bad = cli("run", "ValueEngine", "--input", json.dumps({"idea": ""}), "--json", "--db", db)
    assert bad.returncode == 2
    assert "idea must not be blank" in bad.stderr


def test_with_a_model_the_answer_is_validated_and_reranked(tmp_path: Path) -> None:
    answer = {
        "idea": "reworded by the model",
        "summary": "Two directions.",
        "ideas": [
            {"rank": 1, "title": "Study streaks", "pitch": "p", "problem": "Students lose momentum.",
             "audience": "university students", "value_proposition": "v", "score": 61, "rationale": "r",
             "adjustments": ["Interview ten students."]},
            {"rank": 2, "title": "Study groups", "pitch": "p", "problem": "Studying alone is hard.",
             "audience": "study groups", "value_proposition": "v", "score": 74, "rationale": "r",
             "adjustments": ["Pilot with one class."]},
        ],
        "assumptions": ["No market data."],
    }  # fmt: skip
    with serve_openai_peer([{"json": answer}]) as peer:
        result = run_workflow(tmp_path, "ValueEngine", {"idea": IDEA, "count": 2}, environ=model_environ(peer))

    assert result.run.status == "succeeded", result.run.error
    output = result.output
    assert output["offline"] is False
    assert "offline" not in result.completed("value")
    assert output["idea"] == IDEA, "the idea is kept as given"
    assert [(i["rank"], i["title"]) for i in output["ideas"]] == [(1, "Study groups"), (2, "Study streaks")]
    validate(_report(output), step_schema("ValueEngine", "value"))
    prompt = json.dumps(peer.requests[0]["messages"])
    assert IDEA in prompt and "output_schema" not in prompt and "value_proposition" in prompt
    markdown = result.text("value-engine/report.md")
    assert "Study groups" in markdown and "Offline analysis" not in markdown


def test_a_model_answer_outside_the_schema_is_asked_again(tmp_path: Path) -> None:
    good = evaluate_idea(IDEA, 1).model_dump()
    with serve_openai_peer([{"json": {"ideas": []}}, {"json": good}]) as peer:
        result = run_workflow(tmp_path, "ValueEngine", {"idea": IDEA, "count": 1}, environ=model_environ(peer))

    assert result.run.status == "succeeded", result.run.error
    assert peer.count == 2
    assert any(e.type == "step.retrying" and e.step == "value" for e in result.events)


def test_evaluate_idea_refuses_blank_ideas_and_bad_counts() -> None:
    with pytest.raises(ValueError, match="the idea is empty"):
        evaluate_idea("   ")
    with pytest.raises(ValueError, match="between 1 and 5"):
        evaluate_idea("a CRM", 6)


def test_rank_ideas_orders_by_score_and_keeps_ties_stable() -> None:
    def idea(title: str, score: int) -> RankedIdea:
        return RankedIdea(rank=9, title=title, pitch="p", problem="p", audience="a", value_proposition="v",
                          score=score, rationale="r", adjustments=["x"])  # fmt: skip

    ranked = rank_ideas([idea("a", 50), idea("b", 70), idea("c", 50)])
    assert [(i.rank, i.title) for i in ranked] == [(1, "b"), (2, "a"), (3, "c")]
