"""Kinds of apps the offline extractor recognises, each with the entities such an app usually stores.

A domain is chosen by keywords (``crm``, ``task tracker``) and by how many of its entities the message names;
:func:`best_domain` scores them deterministically (ties go to the domain listed first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import vocabulary as v
from .blueprint import Blueprint

__all__ = ["DOMAINS", "Domain", "best_domain"]


@dataclass(frozen=True)
class Domain:
    """A kind of app.

    Attributes:
        key: Short id (``crm``).
        app_name: Display name used when the message names none (``CRM``).
        kind: How assumptions describe it (``a CRM``).
        keywords: Lowercase words or phrases that point to it.
        entities: Its blueprints, targets first.
        primary: The entity its notifications workflow listens to.
        purpose: Completes "… to <purpose>" in the description.
    """

    key: str
    app_name: str
    kind: str
    keywords: tuple[str, ...]
    entities: tuple[Blueprint, ...]
    primary: str
    purpose: str


DOMAINS: tuple[Domain, ...] = (
    Domain("tasks", "Task Tracker", "a task tracker",
           ("task tracker", "task manager", "task management", "todo", "to-do", "to do list", "todo list", "kanban",
            "project management", "project tracker", "tasks", "chores", "trello", "asana", "todoist"),
           (v.PROJECT, v.TASK), "Task", "organise tasks in projects and see what is due"),
    Domain("crm", "CRM", "a CRM",
           ("crm", "customer relationship", "sales pipeline", "pipeline", "deals", "leads", "prospects"),
           (v.COMPANY, v.CONTACT, v.DEAL), "Deal", "keep track of contacts, companies and the deals in the pipeline"),
    Domain("blog", "Blog", "a blog",
           ("blog", "blogging", "cms", "content management", "publishing", "newsletter", "articles", "posts"),
           (v.AUTHOR, v.CATEGORY, v.TAG, v.POST, v.COMMENT), "Post", "write, publish and discuss posts"),
    Domain("inventory", "Inventory Manager", "an inventory manager",
           ("inventory", "stock", "warehouse", "warehouses", "stock levels", "stock control", "supply chain"),
           (v.SUPPLIER, v.WAREHOUSE, v.CATEGORY, v.PRODUCT, v.STOCK_MOVEMENT), "StockMovement",
           "track products, stock levels across warehouses, and suppliers"),
    Domain("clinic", "Clinic Scheduler", "a clinic scheduler",
           ("clinic", "patients", "patient", "medical", "dental", "doctor", "doctors", "therapy", "healthcare"),
           (v.DOCTOR, v.PATIENT, v.APPOINTMENT), "Appointment", "schedule patient appointments with doctors"),
    Domain("booking", "Booking App", "a booking app",
           ("booking", "bookings", "book a slot", "reservation system", "calendar booking"),
           (v.SERVICE, v.CUSTOMER, v.BOOKING), "Booking", "take bookings for services and keep customers on file"),
    Domain("appointments", "Appointment Scheduler", "an appointment scheduler",
           ("appointment", "appointments", "salon", "barber", "barbershop", "spa", "scheduling"),
           (v.SERVICE, v.CUSTOMER, v.APPOINTMENT), "Appointment", "book appointments for services and customers"),
    Domain("recipes", "Recipe Book", "a recipe book",
           ("recipe", "recipes", "cookbook", "cooking", "meal planner", "meal planning", "ingredients"),
           (v.CATEGORY, v.INGREDIENT, v.RECIPE, v.RECIPE_INGREDIENT), "Recipe",
           "collect recipes with their ingredients"),
    Domain("expenses", "Expense Tracker", "an expense tracker",
           ("expense", "expenses", "spending", "budget", "budgeting", "money tracker", "expense tracker"),
           (v.CATEGORY, v.BUDGET, v.EXPENSE), "Expense", "record expenses by category and keep to a budget"),
    Domain("habits", "Habit Tracker", "a habit tracker",
           ("habit", "habits", "habit tracker", "streak", "streaks", "routine", "routines"),
           (v.HABIT, v.CHECK_IN), "CheckIn", "build habits by checking in every day"),
    Domain("events", "Event Planner", "an event planner",
           ("event planner", "event planning", "event management", "events", "ticketing", "tickets", "conference",
            "meetup", "meetups", "rsvp", "concerts", "festival"),
           (v.VENUE, v.EVENT, v.TICKET), "Event", "plan events at venues and sell tickets"),
    Domain("library", "Library", "a library lending app",
           ("library", "book lending", "lending library", "borrow", "borrowing", "lend", "lending", "loans",
            "borrowers"),
           (v.AUTHOR, v.BOOK, v.MEMBER, v.LOAN), "Loan", "catalogue books and track who borrowed what"),
    Domain("reading", "Reading List", "a reading list",
           ("reading list", "reading", "books", "bookshelf", "book tracker", "goodreads", "books i've read",
            "books i read", "book club"),
           (v.AUTHOR, v.READ_BOOK, v.QUOTE), "Book", "track the books you read, rate them and keep quotes"),
    Domain("wiki", "Knowledge Base", "a knowledge base",
           ("knowledge base", "wiki", "documentation", "docs", "internal docs", "faq", "help center", "help centre"),
           (v.CATEGORY, v.ARTICLE, v.TAG), "KnowledgeArticle", "write and organise help articles"),
    Domain("helpdesk", "Helpdesk", "a helpdesk",
           ("helpdesk", "help desk", "support tickets", "support ticket", "ticketing system", "customer support",
            "service desk", "tickets", "support"),
           (v.CUSTOMER, v.SUPPORT_TICKET, v.REPLY, v.ARTICLE), "Ticket",
           "handle support tickets and reply to customers"),
    Domain("fitness", "Workout Log", "a workout log",
           ("fitness", "workout", "workouts", "gym", "exercise", "exercises", "training log", "training", "lifting",
            "running"),
           (v.EXERCISE, v.WORKOUT, v.WORKOUT_SET, v.GOAL), "Workout", "log workouts and progress towards goals"),
    Domain("realestate", "Property Listings", "a real-estate listings app",
           ("real estate", "real-estate", "realtor", "property listings", "listings", "properties", "rental",
            "rentals", "apartments", "housing"),
           (v.AGENT, v.LISTING, v.INQUIRY, v.VIEWING), "Listing", "publish property listings and follow up inquiries"),
    Domain("school", "School Manager", "a school manager",
           ("school", "courses", "course", "students", "student", "classes", "classroom", "teachers", "lms",
            "learning management", "university", "enrollment", "enrolment", "grades"),
           (v.TEACHER, v.COURSE, v.STUDENT, v.ENROLLMENT, v.ASSIGNMENT), "Enrollment",
           "manage courses, students and their enrollments"),
    Domain("restaurant", "Restaurant Manager", "a restaurant app",
           ("restaurant", "cafe", "menu", "food orders", "takeaway", "diner", "bistro", "pizzeria", "orders",
            "table reservations"),
           (v.MENU_ITEM, v.ORDER, v.RESERVATION), "Order", "run the menu, orders and table reservations"),
    Domain("notes", "Notes", "a notes app",
           ("notes", "note taking", "note-taking", "notebook", "journal", "journaling", "diary", "memos", "notion",
            "evernote"),
           (v.NOTEBOOK, v.NOTE, v.TAG), "Note", "write and organise notes in notebooks"),
    Domain("invoicing", "Invoicing", "an invoicing app",
           ("invoice", "invoices", "invoicing", "billing", "payments"),
           (v.CUSTOMER, v.INVOICE, v.PAYMENT_RECORD), "Invoice", "bill customers and record their payments"),
    Domain("hr", "HR Manager", "an HR app",
           ("hr", "human resources", "employees", "employee", "staff", "leave requests", "time off", "payroll"),
           (v.DEPARTMENT, v.EMPLOYEE, v.LEAVE_REQUEST), "LeaveRequest", "manage employees and their leave requests"),
    Domain("timetracking", "Time Tracker", "a time tracker",
           ("time tracker", "time tracking", "timesheet", "timesheets", "billable hours", "hours worked"),
           (v.PROJECT, v.TIME_ENTRY), "TimeEntry", "log hours against projects"),
    Domain("bugs", "Bug Tracker", "a bug tracker",
           ("bug tracker", "issue tracker", "bugs", "issues", "bug reports", "defects", "jira"),
           (v.PROJECT, v.ISSUE), "Issue", "report and triage issues per project"),
    Domain("travel", "Trip Planner", "a trip planner",
           ("travel", "trip", "trips", "itinerary", "itineraries", "vacation", "holiday planner"),
           (v.TRIP, v.ITINERARY_ITEM), "Trip", "plan trips day by day"),
    Domain("jobs", "Job Board", "a job board",
           ("job board", "jobs", "hiring", "recruiting", "recruitment", "applicant tracking", "ats", "candidates"),
           (v.JOB, v.CANDIDATE), "Candidate", "post jobs and follow candidates through hiring"),
    Domain("shop", "Online Shop", "an online shop",
           ("shop", "cart", "shopping cart", "checkout", "shopping", "e-commerce", "ecommerce", "online store",
            "webshop", "marketplace"),
           (v.CATEGORY, v.PRODUCT, v.CUSTOMER, v.ORDER, v.REVIEW), "Order", "sell products and manage orders"),
    Domain("finance", "Finance Tracker", "a personal finance tracker",
           ("personal finance", "finance tracker", "finances", "money", "bank", "transactions", "net worth",
            "accounts and transactions"),
           (v.ACCOUNT, v.CATEGORY, v.TRANSACTION, v.BUDGET), "Transaction",
           "follow money across accounts, categories and budgets"),
    Domain("watchlist", "Watchlist", "a watchlist",
           ("watchlist", "watch list", "movies", "films", "tv shows", "series to watch", "imdb", "letterboxd"),
           (v.MOVIE, v.REVIEW), "Movie", "keep a list of movies and shows to watch and review them"),
    Domain("pets", "Pet Care", "a pet care app",
           ("pet", "pets", "vet", "veterinary", "dog walking", "pet sitting"),
           (v.PET, v.APPOINTMENT), "Pet", "keep track of pets and their appointments"),
)  # fmt: skip


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z0-9])" + re.escape(phrase) + r"(?![a-z0-9])")


#: Per domain, its keyword patterns with their weight (two per word: "task tracker" outweighs "tasks").
_KEYWORDS = {domain.key: tuple((2 * len(k.split()), _phrase_pattern(k)) for k in domain.keywords) for domain in DOMAINS}


def _score(domain: Domain, text: str, named: set[str]) -> int:
    keyword_score = sum(weight for weight, pattern in _KEYWORDS[domain.key] if pattern.search(text))
    entity_score = sum(1 for item in domain.entities if item.name in named)
    if keyword_score == 0 and entity_score < 2:
        return 0
    return keyword_score + entity_score


def best_domain(text: str, named: set[str]) -> Domain | None:
    """The domain that fits ``text`` best, or ``None``.

    Args:
        text: The lowercased, ASCII-folded message.
        named: Names of the curated entities the message names explicitly.

    Returns:
        The highest-scoring domain: keywords count twice (phrases per word), each named entity of the domain once;
        a domain needs a keyword or two named entities to count at all.
    """
    best: Domain | None = None
    best_score = 0
    for domain in DOMAINS:
        score = _score(domain, text, named)
        if score > best_score:
            best, best_score = domain, score
    return best
