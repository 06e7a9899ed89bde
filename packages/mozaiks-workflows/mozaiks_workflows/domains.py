"""A small catalogue of product domains the offline analyses recognise in an idea's words.

Each :class:`Domain` holds what a product person would guess about an app of that kind: who uses it, the
problem it solves, the records it keeps, the automations it usually has and the ad targeting that fits it.
The offline paths of ValueEngine, DesignDocument and ValidationEngine start from the best-matching domain
(:func:`match_domain`) and say so in their assumptions; :data:`GENERIC` is used when nothing matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["DOMAINS", "GENERIC", "Domain", "EntityHint", "match_domain"]


@dataclass(frozen=True)
class EntityHint:
    """A record an app of a domain keeps.

    Attributes:
        name: PascalCase singular (``Task``).
        fields: ``(snake_case name, type)`` pairs; types are those of the app spec (``string``, ``text``,
            ``date``, ``enum:a|b|c`` …). The first field names a record.
        relations: Names of entities it refers to.
    """

    name: str
    fields: tuple[tuple[str, str], ...]
    relations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Domain:
    """What the offline analyses assume about one kind of product.

    Attributes:
        key: Stable identifier (``tasks``).
        label: Human name (``task management``).
        triggers: Words that point to the domain (matched on word stems).
        audience: The most likely first users.
        niche: A narrower segment worth testing first.
        problem: The problem such products solve, in one sentence.
        outcome: What users get, used in value propositions and ad copy.
        b2b: Whether buyers are mostly businesses.
        entities: Records the app keeps (the first is the main one).
        automations: ``(name, trigger event, action)`` triples of typical workflows.
        interests: Ad-targeting interests.
        job_titles: Ad-targeting job titles (business audiences).
    """

    key: str
    label: str
    triggers: tuple[str, ...]
    audience: str
    niche: str
    problem: str
    outcome: str
    b2b: bool
    entities: tuple[EntityHint, ...]
    automations: tuple[tuple[str, str, str], ...]
    interests: tuple[str, ...]
    job_titles: tuple[str, ...] = ()


_STATUS = "enum:todo|in_progress|done"

DOMAINS: tuple[Domain, ...] = (
    Domain(
        "tasks", "task management",
        ("task", "todo", "to-do", "kanban", "sprint", "project", "deadline", "chore"),
        "small teams and freelancers juggling work across projects",
        "agencies that share progress with their clients",
        "work gets lost between chat threads, spreadsheets and memory, so deadlines slip",
        "everyone sees what is due, who owns it and what is done",
        True,
        (
            EntityHint("Task", (("title", "string"), ("description", "text"), ("status", _STATUS),
                                ("due_date", "date"), ("priority", "enum:low|medium|high")), ("Project",)),
            EntityHint("Project", (("name", "string"), ("description", "text"))),
        ),
        (("Task notifications", "task.created", "notify the owner and log the activity"),
         ("Due-date reminders", "schedule: daily", "remind owners of tasks due tomorrow")),
        ("productivity software", "project management", "remote work"),
        ("project manager", "operations manager", "founder", "team lead"),
    ),
    Domain(
        "crm", "customer relationship management",
        ("crm", "lead", "deal", "pipeline", "sales", "prospect", "contact"),
        "founders and small sales teams",
        "solo consultants who sell high-value services",
        "leads go cold because follow-ups live in inboxes and nobody sees the pipeline",
        "every lead gets a timely follow-up and the pipeline is visible at a glance",
        True,
        (
            EntityHint("Contact", (("name", "string"), ("email", "email"), ("company", "string"), ("notes", "text"))),
            EntityHint("Deal", (("title", "string"), ("value", "number"),
                                ("stage", "enum:lead|qualified|proposal|won|lost"), ("close_date", "date")),
                       ("Contact",)),
        ),
        (("Lead follow-ups", "contact.created", "log the lead and draft a first follow-up"),
         ("Stale-deal nudges", "schedule: daily", "flag deals with no activity for 7 days")),
        ("sales", "customer relationship management", "small business"),
        ("founder", "sales manager", "account executive", "business development manager"),
    ),
    Domain(
        "fitness", "fitness and training",
        ("workout", "fitness", "gym", "exercise", "training", "running", "athlete", "coach", "lift"),
        "people who train on their own several times a week",
        "personal trainers who coach clients remotely",
        "training without a plan or a log makes progress invisible and motivation fades",
        "a clear plan, a quick log of every session and visible progress",
        False,
        (
            EntityHint("Workout", (("name", "string"), ("date", "date"), ("duration_minutes", "integer"),
                                   ("notes", "text"))),
            EntityHint("Exercise", (("name", "string"), ("sets", "integer"), ("reps", "integer"),
                                    ("weight_kg", "number")), ("Workout",)),
        ),
        (("Workout streaks", "workout.created", "update streaks and log the activity"),
         ("Weekly summaries", "schedule: weekly", "email a summary of the week's training")),
        ("fitness", "weight training", "running", "health and wellness"),
    ),
    Domain(
        "habits", "habit tracking",
        ("habit", "streak", "routine", "journal", "mood", "goal", "meditation"),
        "people building daily routines",
        "students building study habits",
        "good intentions fade without a simple daily check-in and visible streaks",
        "a daily check-in that takes seconds and streaks that keep people going",
        False,
        (
            EntityHint("Habit", (("name", "string"), ("frequency", "enum:daily|weekly"), ("goal", "text"))),
            EntityHint("CheckIn", (("date", "date"), ("done", "boolean"), ("note", "text")), ("Habit",)),
        ),
        (("Streak updates", "check_in.created", "update the streak and log the activity"),
         ("Evening reminders", "schedule: daily", "remind users who have not checked in today")),
        ("self-improvement", "productivity", "mindfulness"),
    ),
    Domain(
        "finance", "personal finance",
        ("expense", "budget", "spending", "finance", "money", "saving", "receipt", "bill"),
        "young professionals trying to stick to a monthly budget",
        "couples who share household expenses",
        "spending is scattered across cards and accounts, so budgets are guesses",
        "one place that shows where the money goes and what is left this month",
        False,
        (
            EntityHint("Expense", (("description", "string"), ("amount", "number"), ("date", "date"),
                                   ("category", "enum:housing|food|transport|fun|other"))),
            EntityHint("Budget", (("name", "string"), ("monthly_limit", "number"))),
        ),
        (("Monthly totals", "expense.created", "update the month's totals and log the activity"),
         ("Budget alerts", "schedule: daily", "warn when a category passes 80 % of its budget")),
        ("personal finance", "budgeting", "saving money"),
    ),
    Domain(
        "invoicing", "invoicing and billing",
        ("invoice", "invoicing", "billing", "quote", "estimate", "freelance", "freelancer", "payment", "bookkeeping"),
        "freelancers and small agencies who bill clients",
        "independent designers and developers billing monthly retainers",
        "invoices are built by hand and late payments are chased manually",
        "invoices go out in minutes and overdue payments are followed up automatically",
        True,
        (
            EntityHint("Invoice", (("number", "string"), ("amount", "number"), ("due_date", "date"),
                                   ("status", "enum:draft|sent|paid|overdue")), ("Client",)),
            EntityHint("Client", (("name", "string"), ("email", "email"), ("address", "text"))),
        ),
        (("Invoice e-mails", "invoice.created", "email the client and log the activity"),
         ("Overdue reminders", "schedule: daily", "remind clients of overdue invoices")),
        ("freelancing", "small business", "accounting software"),
        ("freelancer", "founder", "office manager", "bookkeeper"),
    ),
    Domain(
        "booking", "bookings and appointments",
        ("booking", "appointment", "reservation", "schedule", "salon", "clinic", "calendar", "slot"),
        "small service businesses that take appointments",
        "independent salons and barbers",
        "bookings by phone and chat cause double-bookings and no-shows",
        "customers book open slots themselves and get reminders, so fewer no-shows",
        True,
        (
            EntityHint("Appointment", (("customer_name", "string"), ("starts_at", "datetime"),
                                       ("status", "enum:booked|confirmed|cancelled|done"), ("notes", "text")),
                       ("Service",)),
            EntityHint("Service", (("name", "string"), ("duration_minutes", "integer"), ("price", "number"))),
        ),
        (("Booking confirmations", "appointment.created", "send a confirmation and log the activity"),
         ("Appointment reminders", "schedule: daily", "remind customers of tomorrow's appointments")),
        ("small business", "beauty salons", "appointment scheduling"),
        ("owner", "salon manager", "practice manager", "office manager"),
    ),
    Domain(
        "recipes", "cooking and meal planning",
        ("recipe", "meal", "cook", "cooking", "food", "grocery", "ingredient", "kitchen", "diet"),
        "home cooks who plan meals for a household",
        "parents planning a week of family dinners",
        "deciding what to cook and what to buy every day takes time and wastes food",
        "a week of meals planned in minutes with a shopping list that writes itself",
        False,
        (
            EntityHint("Recipe", (("title", "string"), ("ingredients", "text"), ("instructions", "text"),
                                  ("prep_minutes", "integer"))),
            EntityHint("MealPlan", (("week_of", "date"), ("notes", "text")), ("Recipe",)),
        ),
        (("Recipe activity log", "recipe.created", "log the activity"),
         ("Weekly meal plans", "schedule: weekly", "send the week's plan and shopping list")),
        ("cooking", "meal planning", "healthy eating"),
    ),
    Domain(
        "learning", "education and courses",
        ("course", "lesson", "student", "learn", "learning", "tutor", "teacher", "quiz", "class", "study"),
        "independent teachers and tutors",
        "tutors who run small online cohorts",
        "course material, progress and feedback are spread over email and documents",
        "students follow lessons in one place and teachers see who is falling behind",
        True,
        (
            EntityHint("Course", (("title", "string"), ("description", "text"),
                                  ("level", "enum:beginner|intermediate|advanced"))),
            EntityHint("Lesson", (("title", "string"), ("content", "text"), ("position", "integer")), ("Course",)),
        ),
        (("Lesson notifications", "lesson.created", "notify enrolled students and log the activity"),
         ("Progress nudges", "schedule: weekly", "remind students who have not opened a lesson this week")),
        ("online learning", "education technology", "tutoring"),
        ("teacher", "tutor", "instructional designer", "training manager"),
    ),
    Domain(
        "events", "events and ticketing",
        ("event", "ticket", "conference", "meetup", "rsvp", "attendee", "workshop", "festival"),
        "organisers of community events and meetups",
        "organisers of recurring local meetups",
        "RSVPs, reminders and check-ins are juggled across forms, spreadsheets and email",
        "one page to publish an event, collect RSVPs and remind attendees",
        True,
        (
            EntityHint("Event", (("title", "string"), ("starts_at", "datetime"), ("location", "string"),
                                 ("capacity", "integer"))),
            EntityHint("Attendee", (("name", "string"), ("email", "email"),
                                    ("status", "enum:going|waitlist|cancelled")), ("Event",)),
        ),
        (("RSVP confirmations", "attendee.created", "email the attendee and log the activity"),
         ("Event reminders", "schedule: daily", "remind attendees the day before")),
        ("event planning", "meetups", "community building"),
        ("event manager", "community manager", "marketing manager"),
    ),
    Domain(
        "inventory", "inventory and orders",
        ("inventory", "stock", "warehouse", "shop", "store", "order", "ecommerce", "e-commerce", "product",
         "supplier"),
        "small shops selling physical products",
        "independent online shops with fewer than 500 products",
        "stock levels live in spreadsheets, so items sell out or overstock unnoticed",
        "accurate stock levels and reorder alerts before items run out",
        True,
        (
            EntityHint("Product", (("name", "string"), ("sku", "string"), ("quantity", "integer"),
                                   ("price", "number"))),
            EntityHint("Order", (("reference", "string"), ("quantity", "integer"),
                                 ("status", "enum:new|shipped|delivered|cancelled")), ("Product",)),
        ),
        (("Stock updates", "order.created", "update stock and log the activity"),
         ("Low-stock alerts", "schedule: daily", "list products below their reorder level")),
        ("ecommerce", "retail", "small business"),
        ("store owner", "operations manager", "ecommerce manager"),
    ),
    Domain(
        "content", "publishing and newsletters",
        ("blog", "post", "article", "newsletter", "content", "writing", "writer", "publish", "podcast"),
        "independent writers and creators",
        "niche newsletter writers growing their first 1,000 subscribers",
        "drafts, ideas and publishing schedules are scattered, so publishing is irregular",
        "a steady publishing rhythm with drafts, schedule and audience in one place",
        False,
        (
            EntityHint("Post", (("title", "string"), ("body", "text"), ("status", "enum:draft|scheduled|published"),
                                ("publish_date", "date"))),
            EntityHint("Subscriber", (("email", "email"), ("name", "string"))),
        ),
        (("Subscriber notifications", "post.created", "log the activity and notify subscribers"),
         ("Publishing reminders", "schedule: weekly", "remind the writer of scheduled posts")),
        ("blogging", "content creation", "newsletters"),
    ),
    Domain(
        "property", "property and rentals",
        ("property", "rent", "rental", "tenant", "landlord", "lease", "apartment", "real estate"),
        "small landlords managing a few rental units",
        "landlords with 2–10 units who self-manage",
        "rent, repairs and lease dates are tracked in notes and memory",
        "rent status, repairs and lease renewals tracked for every unit",
        True,
        (
            EntityHint("Property", (("name", "string"), ("address", "text"), ("monthly_rent", "number"))),
            EntityHint("Tenant", (("name", "string"), ("email", "email"), ("lease_end", "date")), ("Property",)),
        ),
        (("Tenant welcome notes", "tenant.created", "log the activity and send a welcome note"),
         ("Lease renewal reminders", "schedule: weekly", "list leases ending in the next 60 days")),
        ("real estate investing", "property management"),
        ("landlord", "property manager"),
    ),
    Domain(
        "hiring", "recruiting",
        ("hiring", "recruit", "recruiting", "candidate", "applicant", "interview", "job", "resume"),
        "small companies hiring without a recruiter",
        "startups making their first ten hires",
        "candidates fall through the cracks between inboxes, calendars and spreadsheets",
        "every candidate's stage is visible and nobody waits weeks for an answer",
        True,
        (
            EntityHint("Job", (("title", "string"), ("description", "text"), ("status", "enum:open|paused|closed"))),
            EntityHint("Candidate", (("name", "string"), ("email", "email"),
                                     ("stage", "enum:applied|screen|interview|offer|hired|rejected")), ("Job",)),
        ),
        (("Application acknowledgements", "candidate.created", "acknowledge the candidate and log the activity"),
         ("Stale-candidate nudges", "schedule: daily", "flag candidates waiting more than 5 days")),
        ("human resources", "recruiting", "startups"),
        ("founder", "hr manager", "talent acquisition", "hiring manager"),
    ),
    Domain(
        "support", "customer support",
        ("support", "helpdesk", "help desk", "ticket", "complaint", "customer service", "faq"),
        "small software companies supporting their customers",
        "SaaS teams of 2–10 people without a support tool",
        "support requests arrive everywhere and some are never answered",
        "every request is tracked to an answer and common questions answer themselves",
        True,
        (
            EntityHint("Ticket", (("subject", "string"), ("description", "text"),
                                  ("status", "enum:open|pending|resolved"), ("priority", "enum:low|normal|urgent"))),
            EntityHint("Customer", (("name", "string"), ("email", "email"))),
        ),
        (("Ticket acknowledgements", "ticket.created", "acknowledge the customer and log the activity"),
         ("SLA alerts", "schedule: hourly", "flag urgent tickets open for more than 4 hours")),
        ("customer service", "SaaS", "small business"),
        ("support manager", "customer success manager", "founder"),
    ),
    Domain(
        "notes", "notes and knowledge",
        ("note", "notes", "knowledge", "wiki", "bookmark", "document", "docs", "research"),
        "knowledge workers who collect notes and links",
        "researchers and students managing reading notes",
        "useful notes and links are saved everywhere and found nowhere",
        "everything saved in one searchable place, organised by tags",
        False,
        (
            EntityHint("Note", (("title", "string"), ("body", "text"), ("url", "url"))),
            EntityHint("Tag", (("name", "string"), ("color", "string"))),
        ),
        (("Note activity log", "note.created", "log the activity"),
         ("Weekly reviews", "schedule: weekly", "send the week's notes for review")),
        ("productivity", "note-taking", "personal knowledge management"),
    ),
    Domain(
        "travel", "travel planning",
        ("travel", "trip", "itinerary", "vacation", "holiday", "flight", "hotel", "destination"),
        "people planning trips with friends or family",
        "groups of friends planning a shared trip",
        "plans, bookings and budgets for a trip are split across chats and emails",
        "one shared itinerary with bookings, costs and who-pays-what",
        False,
        (
            EntityHint("Trip", (("name", "string"), ("destination", "string"), ("start_date", "date"),
                                ("end_date", "date"))),
            EntityHint("Activity", (("title", "string"), ("date", "date"), ("cost", "number"), ("notes", "text")),
                       ("Trip",)),
        ),
        (("Trip activity updates", "activity_item.created", "log the activity for trip members"),
         ("Trip countdown reminders", "schedule: daily", "remind members of open bookings a week before departure")),
        ("travel", "adventure travel", "budget travel"),
    ),
)  # fmt: skip

GENERIC = Domain(
    "generic",
    "general productivity",
    (),
    "individuals and small teams who need to keep track of this",
    "the people who feel this need every week",
    "the information lives in spreadsheets, notes and chat, so it is hard to keep up to date",
    "one place to record, find and share it",
    False,
    (),
    (("Activity log", "record.created", "log the activity"),),
    ("productivity", "small business"),
)

_WORD = re.compile(r"[a-z][a-z0-9'-]*")
_ENDINGS = ("ing", "er", "ers", "ed", "d")


def _stem(word: str) -> str:
    """A crude stem: enough to match ``tasks``/``task`` and ``bookings``/``booking``."""
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def match_domain(text: str) -> tuple[Domain, list[str]]:
    """Return the domain whose trigger words occur most often in ``text``, with the words that matched.

    Ties go to the domain listed first; with no match the result is :data:`GENERIC` and no words.
    """
    lowered = text.lower()
    stems = [_stem(w) for w in _WORD.findall(lowered)]
    best: tuple[int, Domain, list[str]] = (0, GENERIC, [])
    for domain in DOMAINS:
        hits: list[str] = []
        for trigger in domain.triggers:
            if " " in trigger or "-" in trigger:
                count = lowered.count(trigger)
            else:
                stem = _stem(trigger)
                count = sum(1 for s in stems if s == stem or any(s == stem + end for end in _ENDINGS))
            if count:
                hits.extend([trigger] * count)
        if len(hits) > best[0]:
            best = (len(hits), domain, sorted(set(hits), key=hits.index))
    return best[1], best[2]
