"""The curated entities the offline extractor knows, with typed fields, relations and aliases.

Blueprints are listed targets-first (``Project`` before ``Task``) so relations read naturally. :data:`CATALOG` maps
every alias (lowercase singular word or phrase) to its blueprint; domains (:mod:`.domains`) group blueprints.
"""

from __future__ import annotations

from .blueprint import Blueprint, boolean, date, datetime, email, enum, integer, number, string, text, url

__all__ = ["BLUEPRINTS", "CATALOG", "blueprint"]

_PRIORITY = enum("priority", ("low", "medium", "high"), "medium")

PROJECT = Blueprint(
    "Project",
    (string("name", required=True), text("description"), enum("status", ("active", "on_hold", "completed")),
     date("due_date")),
    aliases=("project", "board", "todo list"),
)  # fmt: skip
TASK = Blueprint(
    "Task",
    (string("title", required=True), text("description"), enum("status", ("todo", "in_progress", "done")),
     _PRIORITY, date("due_date")),
    relations=(("project_id", "Project", False),),
    title_field="title",
    aliases=("task", "todo", "to-do", "to do", "chore", "action item"),
)  # fmt: skip
COMPANY = Blueprint(
    "Company",
    (string("name", required=True), string("industry"), url("website"), string("phone")),
    aliases=("company", "organization", "organisation"),
)
CONTACT = Blueprint(
    "Contact",
    (string("name", required=True), email(), string("phone"), string("job_title"), text("notes")),
    relations=(("company_id", "Company", False),),
    aliases=("contact", "lead", "prospect"),
)
DEAL = Blueprint(
    "Deal",
    (string("title", required=True), number("value", default=0),
     enum("stage", ("lead", "qualified", "proposal", "negotiation", "won", "lost")), date("close_date"), text("notes")),
    relations=(("company_id", "Company", False), ("contact_id", "Contact", False)),
    title_field="title",
    aliases=("deal", "opportunity", "sale", "pipeline"),
    message="New deal: {{ event.title }}",
)  # fmt: skip
AUTHOR = Blueprint(
    "Author",
    (string("name", required=True), email(), text("bio")),
    aliases=("author", "writer"),
)
TAG = Blueprint("Tag", (string("name", required=True), string("color")), aliases=("tag", "label"))
CATEGORY = Blueprint(
    "Category",
    (string("name", required=True), text("description"), string("color")),
    aliases=("category", "genre", "topic"),
)
POST = Blueprint(
    "Post",
    (string("title", required=True), text("body"), enum("status", ("draft", "published", "archived")),
     date("published_on"), url("cover_image_url")),
    relations=(("author_id", "Author", False), ("category_id", "Category", False), ("tag_id", "Tag", False)),
    title_field="title",
    aliases=("post", "article", "blog post", "story"),
)  # fmt: skip
COMMENT = Blueprint(
    "Comment",
    (string("author_name", required=True), text("body", required=True), boolean("approved")),
    relations=(("post_id", "Post", True),),
    title_field="author_name",
    aliases=("comment",),
    message="New comment by {{ event.author_name }}",
)
SUPPLIER = Blueprint(
    "Supplier",
    (string("name", required=True), string("contact_name"), email(), string("phone")),
    aliases=("supplier", "vendor"),
)
WAREHOUSE = Blueprint(
    "Warehouse",
    (string("name", required=True), string("address"), integer("capacity")),
    aliases=("warehouse", "location", "store location", "storage location", "stockroom"),
)
PRODUCT = Blueprint(
    "Product",
    (string("name", required=True), string("sku"), text("description"), number("price", default=0),
     integer("quantity", default=0), integer("reorder_level", default=0)),
    relations=(("supplier_id", "Supplier", False), ("category_id", "Category", False)),
    aliases=("product", "item", "stock item", "merchandise", "sku"),
)  # fmt: skip
STOCK_MOVEMENT = Blueprint(
    "StockMovement",
    (enum("direction", ("in", "out", "adjustment"), required=True), integer("quantity", required=True),
     date("moved_on"), text("note")),
    relations=(("product_id", "Product", True), ("warehouse_id", "Warehouse", False)),
    title_field="direction",
    aliases=("stock movement", "movement", "stock change", "stock level", "transfer"),
    message="Stock {{ event.direction }}: {{ event.quantity }} units",
)  # fmt: skip
CUSTOMER = Blueprint(
    "Customer",
    (string("name", required=True), email(), string("phone"), text("notes")),
    aliases=("customer", "client", "patron"),
)
SERVICE = Blueprint(
    "Service",
    (string("name", required=True), text("description"), integer("duration_minutes", default=60),
     number("price", default=0)),
    aliases=("service", "treatment", "offering"),
)  # fmt: skip
BOOKING = Blueprint(
    "Booking",
    (string("title", required=True), datetime("starts_at", required=True),
     enum("status", ("requested", "confirmed", "cancelled", "completed")), text("notes")),
    relations=(("service_id", "Service", False), ("customer_id", "Customer", False)),
    title_field="title",
    aliases=("booking", "reservation slot"),
    message="New booking: {{ event.title }} at {{ event.starts_at }}",
)  # fmt: skip
APPOINTMENT = Blueprint(
    "Appointment",
    BOOKING.fields,
    relations=(*BOOKING.relations, ("patient_id", "Patient", False), ("doctor_id", "Doctor", False)),
    title_field="title",
    aliases=("appointment", "visit"),
    message="New appointment: {{ event.title }} at {{ event.starts_at }}",
)
INGREDIENT = Blueprint(
    "Ingredient",
    (string("name", required=True), string("unit"), boolean("in_pantry")),
    aliases=("ingredient",),
)
RECIPE = Blueprint(
    "Recipe",
    (string("title", required=True), text("description"), text("instructions"), integer("servings", default=2),
     integer("prep_time_minutes"), string("cuisine"), enum("difficulty", ("easy", "medium", "hard")),
     url("image_url")),
    relations=(("category_id", "Category", False),),
    title_field="title",
    aliases=("recipe", "dish", "meal"),
)  # fmt: skip
RECIPE_INGREDIENT = Blueprint(
    "RecipeIngredient",
    (string("amount", required=True), text("note")),
    relations=(("recipe_id", "Recipe", True), ("ingredient_id", "Ingredient", True)),
    title_field="amount",
    aliases=("recipe ingredient",),
    message="Ingredient added to a recipe: {{ event.amount }}",
)
EXPENSE = Blueprint(
    "Expense",
    (string("title", required=True), number("amount", required=True), date("spent_on"),
     enum("payment_method", ("card", "cash", "transfer", "other")), text("notes")),
    relations=(("category_id", "Category", False),),
    title_field="title",
    aliases=("expense", "spending", "cost", "bill", "purchase"),
    message="New expense: {{ event.title }} ({{ event.amount }})",
)  # fmt: skip
INCOME = Blueprint(
    "Income",
    (string("source", required=True), number("amount", required=True), date("received_on"), text("notes")),
    relations=(("category_id", "Category", False),),
    title_field="source",
    aliases=("income", "earning", "revenue", "salary"),
    message="New income from {{ event.source }}: {{ event.amount }}",
)
BUDGET = Blueprint(
    "Budget",
    (string("name", required=True), number("amount", required=True),
     enum("period", ("monthly", "weekly", "yearly")), date("starts_on")),
    relations=(("category_id", "Category", False),),
    aliases=("budget",),
)  # fmt: skip
HABIT = Blueprint(
    "Habit",
    (string("name", required=True), text("description"), enum("frequency", ("daily", "weekly", "monthly")),
     integer("target_per_period", default=1), boolean("active", default=True)),
    aliases=("habit", "routine"),
)  # fmt: skip
CHECK_IN = Blueprint(
    "CheckIn",
    (enum("result", ("done", "skipped", "missed"), required=True), date("logged_on", required=True), text("note")),
    relations=(("habit_id", "Habit", True),),
    title_field="result",
    aliases=("check in", "check-in", "checkin", "streak", "habit log", "log entry"),
    message="Habit check-in: {{ event.result }} on {{ event.logged_on }}",
)
VENUE = Blueprint(
    "Venue",
    (string("name", required=True), string("address"), integer("capacity")),
    aliases=("venue",),
)
EVENT = Blueprint(
    "Event",
    (string("title", required=True), text("description"), datetime("starts_at", required=True), datetime("ends_at"),
     enum("status", ("draft", "published", "cancelled")), integer("capacity"), number("ticket_price", default=0)),
    relations=(("venue_id", "Venue", False),),
    title_field="title",
    aliases=("event", "meetup", "conference", "party", "gig", "concert", "wedding"),
    message="New event: {{ event.title }} on {{ event.starts_at }}",
)  # fmt: skip
TICKET = Blueprint(
    "Ticket",
    (string("holder_name", required=True), email(), number("price", default=0),
     enum("status", ("reserved", "paid", "checked_in", "cancelled"))),
    relations=(("event_id", "Event", True),),
    title_field="holder_name",
    aliases=("ticket", "registration", "rsvp"),
    message="Ticket issued to {{ event.holder_name }}",
)  # fmt: skip
ATTENDEE = Blueprint(
    "Attendee",
    (string("name", required=True), email(), boolean("checked_in")),
    relations=(("event_id", "Event", False),),
    aliases=("attendee", "guest", "participant"),
)
BOOK = Blueprint(
    "Book",
    (string("title", required=True), string("isbn"), string("genre"), integer("published_year"),
     integer("copies", default=1), url("cover_url")),
    relations=(("author_id", "Author", False),),
    title_field="title",
    aliases=("book", "novel"),
)  # fmt: skip
READ_BOOK = Blueprint(
    "Book",
    (string("title", required=True), enum("status", ("want_to_read", "reading", "finished")), integer("rating"),
     date("finished_on"), text("notes")),
    relations=(("author_id", "Author", False),),
    title_field="title",
    aliases=("book", "novel", "read"),
)  # fmt: skip
QUOTE = Blueprint(
    "Quote",
    (string("excerpt", required=True), integer("page"), text("note")),
    relations=(("book_id", "Book", False),),
    title_field="excerpt",
    aliases=("quote", "highlight", "excerpt"),
)
MEMBER = Blueprint(
    "Member",
    (string("name", required=True), email(), string("phone"), date("joined_on"),
     enum("status", ("active", "suspended", "left"))),
    aliases=("member", "borrower", "reader", "user", "subscriber"),
)  # fmt: skip
LOAN = Blueprint(
    "Loan",
    (enum("status", ("borrowed", "returned", "overdue"), required=True), date("borrowed_on", required=True),
     date("due_on"), date("returned_on")),
    relations=(("book_id", "Book", True), ("member_id", "Member", True)),
    title_field="status",
    aliases=("loan", "lending", "checkout", "borrowing", "rental"),
    message="Book lent out on {{ event.borrowed_on }}",
)  # fmt: skip
SUPPORT_TICKET = Blueprint(
    "Ticket",
    (string("subject", required=True), text("description"), enum("status", ("open", "pending", "resolved", "closed")),
     enum("priority", ("low", "medium", "high", "urgent"), "medium"),
     enum("channel", ("web", "email", "chat", "phone"))),
    relations=(("customer_id", "Customer", False),),
    title_field="subject",
    aliases=("ticket", "support ticket", "case"),
    message="New ticket: {{ event.subject }}",
)  # fmt: skip
REPLY = Blueprint(
    "Reply",
    (string("author_name", required=True), text("body", required=True), boolean("internal")),
    relations=(("ticket_id", "Ticket", True),),
    title_field="author_name",
    aliases=("reply", "response", "answer"),
    message="New reply by {{ event.author_name }}",
)
ARTICLE = Blueprint(
    "KnowledgeArticle",
    (string("title", required=True), text("body"), enum("status", ("draft", "published"))),
    title_field="title",
    aliases=("knowledge article", "faq", "help article", "knowledge base article"),
)
EXERCISE = Blueprint(
    "Exercise",
    (string("name", required=True),
     enum("muscle_group", ("full_body", "chest", "back", "legs", "shoulders", "arms", "core", "cardio")),
     string("equipment")),
    aliases=("exercise", "movement type", "lift"),
)  # fmt: skip
WORKOUT = Blueprint(
    "Workout",
    (string("title", required=True), date("performed_on", required=True), integer("duration_minutes"),
     enum("intensity", ("moderate", "light", "hard")), text("notes")),
    title_field="title",
    aliases=("workout", "training", "training session", "exercise session"),
    message="Workout logged: {{ event.title }} on {{ event.performed_on }}",
)  # fmt: skip
WORKOUT_SET = Blueprint(
    "WorkoutSet",
    (string("summary", required=True), integer("sets", default=1), integer("reps"), number("weight_kg")),
    relations=(("workout_id", "Workout", True), ("exercise_id", "Exercise", False)),
    title_field="summary",
    aliases=("workout set",),
)
GOAL = Blueprint(
    "Goal",
    (string("title", required=True), date("target_date"), boolean("achieved")),
    title_field="title",
    aliases=("goal", "objective"),
)
AGENT = Blueprint(
    "Agent",
    (string("name", required=True), email(), string("phone"), string("agency")),
    aliases=("agent", "realtor", "broker"),
)
LISTING = Blueprint(
    "Listing",
    (string("title", required=True), string("address", required=True), number("price", required=True),
     enum("offer", ("sale", "rent")), enum("property_kind", ("house", "apartment", "condo", "land", "commercial")),
     integer("bedrooms"), integer("bathrooms"), number("area_sqm"),
     enum("status", ("available", "under_offer", "sold", "rented")), url("photo_url")),
    relations=(("agent_id", "Agent", False),),
    title_field="title",
    aliases=("listing", "property", "apartment", "house", "rental listing"),
    message="New listing: {{ event.title }} at {{ event.address }}",
)  # fmt: skip
INQUIRY = Blueprint(
    "Inquiry",
    (string("name", required=True), email(required=True), string("phone"), text("message")),
    relations=(("listing_id", "Listing", False),),
    aliases=("inquiry", "enquiry", "lead request"),
    message="New inquiry from {{ event.name }}",
)
VIEWING = Blueprint(
    "Viewing",
    (string("visitor_name", required=True), datetime("scheduled_at", required=True),
     enum("status", ("scheduled", "done", "cancelled"))),
    relations=(("listing_id", "Listing", True),),
    title_field="visitor_name",
    aliases=("viewing", "showing", "open house"),
)  # fmt: skip
TEACHER = Blueprint(
    "Teacher",
    (string("name", required=True), email(), string("subject")),
    aliases=("teacher", "instructor", "tutor", "professor", "lecturer"),
)
COURSE = Blueprint(
    "Course",
    (string("title", required=True), string("code"), text("description"), integer("credits"), date("starts_on"),
     date("ends_on")),
    relations=(("teacher_id", "Teacher", False),),
    title_field="title",
    aliases=("course", "class", "subject", "module", "lesson"),
)  # fmt: skip
STUDENT = Blueprint(
    "Student",
    (string("name", required=True), email(), date("enrolled_on"), string("grade_level")),
    aliases=("student", "pupil", "learner"),
)
ENROLLMENT = Blueprint(
    "Enrollment",
    (enum("status", ("enrolled", "completed", "dropped"), required=True), string("grade")),
    relations=(("student_id", "Student", True), ("course_id", "Course", True)),
    title_field="status",
    aliases=("enrollment", "enrolment", "registration"),
    message="New enrollment ({{ event.status }})",
)
ASSIGNMENT = Blueprint(
    "Assignment",
    (string("title", required=True), text("description"), date("due_date"), integer("max_points", default=100)),
    relations=(("course_id", "Course", False),),
    title_field="title",
    aliases=("assignment", "homework", "exam", "quiz"),
)
MENU_ITEM = Blueprint(
    "MenuItem",
    (string("name", required=True), text("description"), number("price", required=True),
     enum("course", ("main", "starter", "dessert", "drink", "side")), boolean("available", default=True)),
    aliases=("menu item", "menu", "dish", "food item"),
)  # fmt: skip
ORDER = Blueprint(
    "Order",
    (string("customer_name", required=True), text("items"),
     enum("status", ("received", "preparing", "ready", "served", "paid", "cancelled")),
     enum("fulfilment", ("dine_in", "takeaway", "delivery")), integer("table_number"), number("total", default=0)),
    relations=(("customer_id", "Customer", False),),
    title_field="customer_name",
    aliases=("order", "purchase order"),
    message="New order for {{ event.customer_name }}",
)  # fmt: skip
RESERVATION = Blueprint(
    "Reservation",
    (string("guest_name", required=True), datetime("reserved_for", required=True),
     integer("party_size", default=2), string("phone"),
     enum("status", ("booked", "seated", "cancelled", "no_show"))),
    title_field="guest_name",
    aliases=("reservation", "table booking"),
    message="New reservation for {{ event.guest_name }} at {{ event.reserved_for }}",
)  # fmt: skip
NOTE = Blueprint(
    "Note",
    (string("title", required=True), text("body"), boolean("pinned")),
    relations=(("notebook_id", "Notebook", False),),
    title_field="title",
    aliases=("note", "memo", "journal entry", "diary entry"),
)
NOTEBOOK = Blueprint("Notebook", (string("name", required=True), text("description")), aliases=("notebook", "folder"))
INVOICE = Blueprint(
    "Invoice",
    (string("invoice_number", required=True), number("amount", required=True), date("issued_on"), date("due_on"),
     enum("status", ("draft", "sent", "paid", "overdue", "void"))),
    relations=(("customer_id", "Customer", False),),
    title_field="invoice_number",
    aliases=("invoice", "bill"),
    message="Invoice {{ event.invoice_number }} created ({{ event.amount }})",
)  # fmt: skip
PAYMENT_RECORD = Blueprint(
    "PaymentRecord",
    (string("reference", required=True), number("amount", required=True), date("paid_on"),
     enum("method", ("card", "transfer", "cash", "other"))),
    relations=(("invoice_id", "Invoice", False), ("customer_id", "Customer", False)),
    title_field="reference",
    aliases=("payment", "payment record"),
    message="Payment {{ event.reference }} recorded ({{ event.amount }})",
)  # fmt: skip
EMPLOYEE = Blueprint(
    "Employee",
    (string("name", required=True), email(), string("job_title"), date("hired_on"),
     enum("status", ("active", "on_leave", "left"))),
    relations=(("department_id", "Department", False),),
    aliases=("employee", "staff member", "worker", "team member", "colleague"),
)  # fmt: skip
DEPARTMENT = Blueprint(
    "Department", (string("name", required=True), text("description")), aliases=("department", "team")
)
LEAVE_REQUEST = Blueprint(
    "LeaveRequest",
    (string("reason", required=True), date("starts_on", required=True), date("ends_on"),
     enum("status", ("pending", "approved", "rejected"))),
    relations=(("employee_id", "Employee", True),),
    title_field="reason",
    aliases=("leave request", "time off", "vacation", "holiday request", "absence"),
    message="Leave requested: {{ event.reason }} from {{ event.starts_on }}",
)  # fmt: skip
TIME_ENTRY = Blueprint(
    "TimeEntry",
    (string("description", required=True), date("worked_on", required=True), number("hours", required=True),
     boolean("billable", default=True)),
    relations=(("project_id", "Project", False),),
    title_field="description",
    aliases=("time entry", "timesheet", "time log"),
    message="Time logged: {{ event.hours }} h on {{ event.description }}",
)  # fmt: skip
ISSUE = Blueprint(
    "Issue",
    (string("title", required=True), text("description"), enum("status", ("open", "in_progress", "resolved", "closed")),
     enum("severity", ("minor", "major", "critical"), "major"), _PRIORITY),
    relations=(("project_id", "Project", False),),
    title_field="title",
    aliases=("issue", "bug", "defect", "bug report"),
    message="New issue: {{ event.title }}",
)  # fmt: skip
PATIENT = Blueprint(
    "Patient",
    (string("name", required=True), date("date_of_birth"), email(), string("phone"), text("notes")),
    aliases=("patient",),
)
DOCTOR = Blueprint(
    "Doctor",
    (string("name", required=True), string("specialty"), email()),
    aliases=("doctor", "physician", "therapist", "dentist", "practitioner"),
)
TRIP = Blueprint(
    "Trip",
    (string("name", required=True), string("destination"), date("starts_on"), date("ends_on"),
     number("budget", default=0)),
    aliases=("trip", "journey", "vacation plan", "holiday"),
)  # fmt: skip
ITINERARY_ITEM = Blueprint(
    "ItineraryItem",
    (string("title", required=True), datetime("starts_at"), string("location"), number("cost", default=0)),
    relations=(("trip_id", "Trip", True),),
    title_field="title",
    aliases=("itinerary item", "itinerary"),
)
JOB = Blueprint(
    "Job",
    (string("title", required=True), text("description"), string("location"),
     enum("status", ("open", "paused", "closed")), number("salary")),
    title_field="title",
    aliases=("job", "job posting", "position", "vacancy", "opening"),
)  # fmt: skip
CANDIDATE = Blueprint(
    "Candidate",
    (string("name", required=True), email(), url("resume_url"),
     enum("stage", ("applied", "screening", "interview", "offer", "hired", "rejected"))),
    relations=(("job_id", "Job", False),),
    aliases=("candidate", "applicant"),
    message="New candidate: {{ event.name }}",
)  # fmt: skip
REVIEW = Blueprint(
    "Review",
    (string("title", required=True), integer("rating", required=True, default=5), text("body")),
    title_field="title",
    aliases=("review", "rating", "feedback", "testimonial"),
    message="New review: {{ event.title }} ({{ event.rating }} stars)",
)
ACCOUNT = Blueprint(
    "Account",
    (string("name", required=True), string("institution"),
     enum("kind", ("checking", "savings", "credit_card", "cash", "investment")), number("opening_balance", default=0)),
    aliases=("bank account", "wallet"),
)  # fmt: skip
TRANSACTION = Blueprint(
    "Transaction",
    (string("description", required=True), number("amount", required=True), enum("direction", ("expense", "income")),
     date("occurred_on")),
    relations=(("account_id", "Account", False), ("category_id", "Category", False)),
    title_field="description",
    aliases=("transaction",),
    message="New transaction: {{ event.description }} ({{ event.amount }})",
)  # fmt: skip
MOVIE = Blueprint(
    "Movie",
    (string("title", required=True), integer("release_year"), string("genre"),
     enum("status", ("to_watch", "watching", "watched")), integer("rating"), text("notes")),
    title_field="title",
    aliases=("movie", "film", "show", "tv show", "series"),
)  # fmt: skip
PET = Blueprint(
    "Pet",
    (string("name", required=True), string("species"), string("breed"), date("birth_date"), text("notes")),
    aliases=("pet", "animal", "dog", "cat"),
)

BLUEPRINTS: tuple[Blueprint, ...] = (
    PROJECT, TASK, COMPANY, CONTACT, DEAL, AUTHOR, TAG, CATEGORY, POST, COMMENT, SUPPLIER, WAREHOUSE, PRODUCT,
    STOCK_MOVEMENT, CUSTOMER, SERVICE, BOOKING, APPOINTMENT, INGREDIENT, RECIPE, RECIPE_INGREDIENT, EXPENSE, INCOME,
    BUDGET, HABIT, CHECK_IN, VENUE, EVENT, TICKET, ATTENDEE, BOOK, MEMBER, LOAN, REPLY, ARTICLE, EXERCISE,
    WORKOUT, WORKOUT_SET, GOAL, AGENT, LISTING, INQUIRY, VIEWING, TEACHER, COURSE, STUDENT, ENROLLMENT, ASSIGNMENT,
    MENU_ITEM, ORDER, RESERVATION, NOTE, NOTEBOOK, INVOICE, PAYMENT_RECORD, EMPLOYEE, DEPARTMENT, LEAVE_REQUEST,
    TIME_ENTRY, ISSUE, PATIENT, DOCTOR, TRIP, ITINERARY_ITEM, JOB, CANDIDATE, REVIEW, ACCOUNT, TRANSACTION, MOVIE,
    PET, READ_BOOK, QUOTE,
)  # fmt: skip


def _catalog() -> dict[str, Blueprint]:
    catalog: dict[str, Blueprint] = {}
    for item in BLUEPRINTS:  # the first blueprint claiming an alias keeps it
        for alias in item.aliases:
            catalog.setdefault(alias, item)
    return catalog


#: Alias (lowercase singular word or phrase) → blueprint, for nouns named outside a recognised domain.
CATALOG: dict[str, Blueprint] = _catalog()

_BY_NAME = {item.name: item for item in reversed(BLUEPRINTS)}


def blueprint(name: str) -> Blueprint:
    """The first curated blueprint called ``name`` (``KeyError`` when there is none)."""
    return _BY_NAME[name]
