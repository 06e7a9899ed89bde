from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mozaiks_workflows.appspec.blueprint import Blueprint
from mozaiks_workflows.appspec.domains import DOMAINS, Domain
from mozaiks_workflows.appspec.extractor import MAX_MESSAGE_CHARS, extract
from mozaiks_workflows.appspec.models import AppSpec
from mozaiks_workflows.appspec.nouns import generic_blueprint, is_usable
from mozaiks_workflows.appspec.vocabulary import BLUEPRINTS, CATALOG

#: hypothesis is optional (not a requirement of the package); the property test is skipped without it.
HAVE_HYPOTHESIS = importlib.util.find_spec("hypothesis") is not None

# (message, entities that must be present, name, slug); name/slug None = not checked.
CASES: list[tuple[str, set[str], str | None, str | None]] = [
    ("Build a task tracker with React and Python", {"Task", "Project"}, "Task Tracker", "task-tracker"),
    ("build me a todo app with due dates and priorities", {"Task"}, "Todo App", "todo-app"),
    ("Create a CRM for my sales team with contacts, companies and deals", {"Contact", "Company", "Deal"}, "CRM", "crm"),
    ("I want a blog with posts, comments, authors and tags", {"Post", "Comment", "Author", "Tag"}, "Blog", "blog"),
    (
        "Build an inventory app with products, warehouses, stock movements and suppliers",
        {"Product", "Warehouse", "StockMovement", "Supplier"},
        "Inventory App",
        "inventory-app",
    ),
    (
        "A booking app for my hair salon: services, bookings and customers",
        {"Service", "Booking", "Customer"},
        None,
        None,
    ),
    ("Appointment scheduling for a barber shop", {"Appointment", "Service", "Customer"}, None, None),
    ("a recipe app with ingredients", {"Recipe", "Ingredient"}, "Recipe App", "recipe-app"),
    ("Recipes and ingredients, please", {"Recipe", "Ingredient"}, "Recipe Book", "recipe-book"),
    ("Build a simple recipe app", {"Recipe"}, "Recipe App", "recipe-app"),
    ("Build an app to track my daily expenses", {"Expense", "Category"}, "Expense Tracker", "expense-tracker"),
    ("habit tracker with streaks", {"Habit", "CheckIn"}, None, None),
    ("Event planner with ticketing and venues", {"Event", "Ticket", "Venue"}, "Event Planner", "event-planner"),
    ("Build a library app called 'Shelfie' for book lending", {"Book", "Member", "Loan"}, "Shelfie", "shelfie"),
    ("A helpdesk for support tickets", {"Ticket", "Customer", "Reply"}, None, None),
    ("fitness workout log with exercises", {"Workout", "Exercise"}, None, None),
    ("Real estate listings site with agents and inquiries", {"Listing", "Agent", "Inquiry"}, None, None),
    ("A school app to manage courses, students and teachers", {"Course", "Student", "Teacher"}, None, None),
    ("Restaurant app with a menu, orders and table reservations", {"MenuItem", "Order", "Reservation"}, None, None),
    ("Build an app with customers, invoices and payments", {"Customer", "Invoice", "PaymentRecord"}, None, None),
    ("An app to manage spaceships, pilots and missions", {"Spaceship", "Pilot", "Mission"}, None, None),
    ("Make a time tracker for billable hours per project", {"TimeEntry", "Project"}, "Time Tracker", "time-tracker"),
    ("a bug tracker with issues", {"Issue"}, "Bug Tracker", "bug-tracker"),
    ("Créer une application pour gérer des clients", {"Customer"}, None, None),
    ("日本語のアプリを作りたい", {"Item"}, None, "item-manager"),
]


def _entities(spec: AppSpec) -> set[str]:
    return {e.name for e in spec.entities}


@pytest.mark.parametrize(("message", "expected", "name", "slug"), CASES, ids=[c[0][:40] for c in CASES])
def test_descriptions_give_valid_specs_with_expected_entities(
    message: str, expected: set[str], name: str | None, slug: str | None
) -> None:
    spec = extract(message)
    assert expected <= _entities(spec), _entities(spec)
    assert spec.source == "offline-extractor"
    assert AppSpec.model_validate(spec.to_json()) == spec
    assert AppSpec.model_validate_json(json.dumps(spec.to_json())) == spec
    if name is not None:
        assert spec.name == name
    if slug is not None:
        assert spec.slug == slug
    _check_shape(spec)


def _check_shape(spec: AppSpec) -> None:
    pages = {p.path: p for p in spec.pages}
    assert pages["/"].kind == "dashboard"
    assert pages["/activity"].kind == "activity"
    for entity in spec.entities:
        page = pages["/" + entity.collection.replace("_", "-")]
        assert (page.kind, page.entity) == ("list", entity.name)
        title = next(f for f in entity.fields if f.name == entity.title_field)
        assert title.required
    assert spec.workflows and spec.workflows[0].id == "notifications"
    assert 1 <= len(spec.agents) <= 2
    assert spec.assumptions
    for workflow in spec.workflows:
        entity = spec.entity(workflow.entity)
        required = {f.name for f in entity.fields if f.required} | {r.name for r in entity.relations if r.required}
        used = set(re.findall(r"event\.(\w+)", workflow.message))
        assert used and used <= required, (workflow.message, required)


def test_task_tracker_matches_the_contract_example() -> None:
    spec = extract("Build a task tracker with React and Python")
    task = spec.entity("Task")
    fields = {f.name: f for f in task.fields}
    assert fields["title"].required and fields["title"].type == "string"
    assert fields["status"].type == "enum" and fields["status"].default == "todo"
    assert fields["due_date"].type == "date"
    assert [(r.name, r.target) for r in task.relations] == [("project_id", "Project")]
    assert [p.path for p in spec.pages] == ["/", "/projects", "/tasks", "/activity"]
    workflow = spec.workflows[0]
    assert (workflow.trigger, workflow.entity, workflow.message) == (
        "task.created",
        "Task",
        "New task: {{ event.title }}",
    )
    assert "React frontend and Python backend on mozaiks-core (as asked)." in spec.assumptions


def test_same_message_gives_the_same_spec() -> None:
    message = "A CRM with contacts and deals; email me when a deal is created. Add an AI assistant."
    assert extract(message).to_json() == extract(message).to_json()


def test_crm_relations_and_enums() -> None:
    spec = extract("CRM with contacts, companies and deals")
    deal = spec.entity("Deal")
    assert {r.target for r in deal.relations} == {"Company", "Contact"}
    stage = next(f for f in deal.fields if f.name == "stage")
    assert stage.type == "enum" and stage.default in stage.options
    assert next(f for f in deal.fields if f.name == "value").type == "number"


def test_blog_comment_belongs_to_post() -> None:
    comment = extract("a blog with posts and comments").entity("Comment")
    assert ("post_id", "Post", True) in [(r.name, r.target, r.required) for r in comment.relations]


def test_generic_nouns_get_generic_fields_and_an_assumption() -> None:
    spec = extract("An app to manage spaceships, pilots and missions")
    pilot = spec.entity("Pilot")
    assert [f.name for f in pilot.fields] == ["name", "description", "status"]
    assert any("not in AppGenerator's vocabulary" in a for a in spec.assumptions)


def test_reserved_nouns_are_renamed_with_an_assumption() -> None:
    spec = extract("an app with users, types and activities")
    names = _entities(spec)
    assert {"Member", "Category", "ActivityRecord"} <= names
    assert "User" not in names
    assert any("“user” is a reserved word" in a for a in spec.assumptions)


def test_class_becomes_course() -> None:
    spec = extract("An app with classes and homework")
    assert "Course" in _entities(spec)


def test_other_stacks_are_noted() -> None:
    spec = extract("Build an inventory system in Vue with a Django backend and PostgreSQL")
    assert any("Vue, Django" in a and "React frontend and a Python backend" in a for a in spec.assumptions)
    assert any("PostgreSQL" in a for a in spec.assumptions)
    assert (spec.frontend, spec.backend) == ("react", "python")


def test_notifications_follow_the_entity_the_message_names() -> None:
    spec = extract("A CRM with contacts, companies and deals. Notify me by email when a contact is added.")
    assert spec.workflows[0].entity == "Contact"
    assert any("email, SMS or chat needs a provider" in a for a in spec.assumptions)


def test_notification_on_several_entities() -> None:
    spec = extract("Blog with posts and comments. Send me an alert for new comments and new posts.")
    assert [(w.id, w.entity) for w in spec.workflows] == [("notifications", "Comment"), ("post-notifications", "Post")]


def test_default_workflow_and_agent_are_explained() -> None:
    spec = extract("habit tracker")
    assert spec.workflows[0].trigger == "check_in.created"
    assert [a.id for a in spec.agents] == ["assistant"]
    assert any("Added a notifications workflow" in a for a in spec.assumptions)
    assert any("Added an AI assistant agent" in a for a in spec.assumptions)


def test_support_chatbot_gives_support_bot() -> None:
    spec = extract("A booking app for my salon with an AI chatbot that answers customer questions")
    assert [a.id for a in spec.agents] == ["support-bot"]
    both = extract("A helpdesk with a support chatbot. Also an AI assistant for my team to summarise tickets.")
    assert [a.id for a in both.agents] == ["support-bot", "assistant"]


def test_field_hints_go_on_the_primary_entity() -> None:
    spec = extract("An app to track spaceships with photos and prices")
    fields = {f.name: f.type for f in spec.entity("Spaceship").fields}
    assert fields["image_url"] == "url" and fields["price"] == "number"


def test_quoted_and_bare_names() -> None:
    assert extract('Make a recipe app called "Tasty Bits"').name == "Tasty Bits"
    assert extract("Make a recipe app named Chef Buddy with meal plans").name == "Chef Buddy"
    spec = extract("a habit tracker called «Streakr 2»")
    assert (spec.name, spec.slug) == ("Streakr 2", "streakr-2")


def test_name_starting_with_digit_gets_a_valid_slug() -> None:
    spec = extract("an inventory app called '3D Printer Farm'")
    assert spec.name == "3D Printer Farm"
    assert spec.slug == "app-3d-printer-farm"


HOSTILE = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }} build a blog",
    "{% for x in range(10) %}tasks{% endfor %} with {{ config }}",
    "build a todo app called '{{ 7*7 }}' with {# comment #} items and ${process.env}",
    'Build an app called "<script>alert(1)</script>" with notes',
    "build a CRM called '}}{{' with {%- raw -%} deals",
    "with {{ a }} and {% b %} {{{{ nested }}}}",
]


@pytest.mark.parametrize("message", HOSTILE)
def test_template_markup_never_reaches_the_spec(message: str) -> None:
    spec = extract(message)
    free_text = [spec.name, spec.slug, spec.description, *(a.name for a in spec.agents)]
    free_text += [a.description for a in spec.agents] + [w.description for w in spec.workflows]
    free_text += [e.label for e in spec.entities] + [p.title for p in spec.pages] + list(spec.assumptions)
    for text in free_text:
        for token in ("{{", "}}", "{%", "%}", "{#", "#}", "${", "<", ">", '"', "\\"):
            assert token not in text, (token, text)
    for workflow in spec.workflows:  # messages are templates by design, but only over event.<field>
        assert re.fullmatch(r"[^{}%]*(\{\{ event\.[a-z_]+ \}\}[^{}%]*)+", workflow.message), workflow.message
    assert AppSpec.model_validate(spec.to_json()) == spec


@pytest.mark.parametrize("message", ["", "   ", "\n\t ", "!!! ??? 123", "{{ }}"])
def test_empty_or_wordless_messages_are_refused(message: str) -> None:
    with pytest.raises(ValueError, match="describe the app you want"):
        extract(message)


def test_non_text_is_refused() -> None:
    with pytest.raises(ValueError, match="describe the app you want"):
        extract(None)  # type: ignore[arg-type]


def test_long_messages_are_capped() -> None:
    message = "Build a task tracker with projects. " + "blah " * 5000 + " with spaceships and pilots"
    assert len(message) > MAX_MESSAGE_CHARS
    spec = extract(message)
    assert "Spaceship" not in _entities(spec)
    assert any("first 10,000 characters" in a for a in spec.assumptions)


def test_many_nouns_are_capped_at_twelve_entities() -> None:
    nouns = ", ".join(
        f"{word}s" for word in "alpha beta gamma delta omega sigma kappa theta zeta lambda rho tau".split()
    )
    spec = extract(f"an app to manage {nouns}, spaceships and pilots")
    assert len(spec.entities) == 12
    assert any("at most 12 entities" in a for a in spec.assumptions)


def test_unicode_names_are_kept_and_slugged() -> None:
    spec = extract("Build a recipe app called 'Crème Brûlée' with ingredients")
    assert spec.name == "Crème Brûlée"
    assert spec.slug == "creme-brulee"
    russian = extract("build a todo app called 'Задачи'")
    assert russian.name == "Задачи" and russian.slug == "task-tracker"


# --- the vocabulary itself -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("domain", DOMAINS, ids=[d.key for d in DOMAINS])
def test_every_domain_is_recognised_and_valid(domain: Domain) -> None:
    spec = extract(f"Build an app for {domain.keywords[0]}")
    assert {b.name for b in domain.entities} <= _entities(spec)
    assert spec.workflows[0].entity == domain.primary
    _check_shape(spec)


@pytest.mark.parametrize("item", BLUEPRINTS, ids=[f"{b.name}-{b.aliases[0]}" for b in BLUEPRINTS])
def test_every_blueprint_is_a_valid_entity_with_a_safe_message(item: Blueprint) -> None:
    assert is_usable(item)
    entity = item.to_entity({item.name})
    required = {f.name for f in entity.fields if f.required} | {r[0] for r in item.relations if r[2]}
    assert entity.title_field in required
    assert set(re.findall(r"event\.(\w+)", item.notification())) <= required


@pytest.mark.parametrize("alias", sorted(CATALOG))
def test_every_alias_listed_gives_a_valid_spec(alias: str) -> None:
    spec = extract(f"an app with {alias}s, spaceships and widgets")
    assert AppSpec.model_validate(spec.to_json()) == spec


@pytest.mark.parametrize("words", [["dashboard"], ["stat"], ["class"], ["import"], ["user"], ["login"], ["x" * 45]])
def test_generic_names_avoid_reserved_and_taken_names(words: list[str]) -> None:
    item = generic_blueprint(words)
    assert item is None or (is_usable(item) and item.name.lower() != words[0])


def test_emoji_and_numbers_do_not_break_names() -> None:
    spec = extract("🚀 build a 🧁 bakery app with cakes 🎂 and orders")
    assert spec.name == "Bakery App"
    assert "Cake" in _entities(spec)


# --- AppGenerator's own validation (stricter than the model: generated-file collisions, workflow messages) ----------

_SPEC_TOOL = Path(__file__).parents[1] / "mozaiks_workflows" / "workflows" / "AppGenerator" / "tools" / "spec.py"


def _validate_spec() -> Callable[[dict[str, Any]], dict[str, Any]]:
    if not _SPEC_TOOL.exists():
        pytest.skip("AppGenerator's tools/spec.py is not there")
    module_spec = importlib.util.spec_from_file_location("_appgenerator_spec_tool", _SPEC_TOOL)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    validate: Callable[[dict[str, Any]], dict[str, Any]] = module.validate_spec
    return validate


def test_specs_pass_appgenerator_validation() -> None:
    validate = _validate_spec()
    messages = [c[0] for c in CASES] + HOSTILE + [f"Build an app for {d.keywords[0]}" for d in DOMAINS]
    messages += [f"an app with {alias}s, spaceships and widgets" for alias in sorted(CATALOG)]
    for message in messages:
        spec = extract(message)
        assert validate(spec.to_json()) == spec.to_json(), message


# --- property: any text gives a valid spec or a ValueError ------------------------------------------------------------

if HAVE_HYPOTHESIS:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    _WORDS = st.sampled_from(
        ["build", "a", "app", "with", "tasks", "called", "'", '"', "{{", "}}", "{%", "%}", "users", "classes", ",",
         "and", "notify", "AI", "bot", "crm", "blog", "types", "3d", "é", "日本", "\n", "posts", "track", "named", ":"]
    )  # fmt: skip

    @settings(max_examples=300, deadline=None, database=None)
    @given(st.one_of(st.text(max_size=400), st.lists(_WORDS, max_size=40).map(" ".join)))
    def test_any_text_gives_a_valid_spec_or_value_error(message: str) -> None:
        try:
            spec = extract(message)
        except ValueError as error:
            assert "describe the app you want" in str(error)
            return
        assert AppSpec.model_validate(spec.to_json()) == spec
        assert spec == extract(message)
else:  # pragma: no cover

    @pytest.mark.skip(reason="hypothesis is not installed")
    def test_any_text_gives_a_valid_spec_or_value_error() -> None:
        pass
