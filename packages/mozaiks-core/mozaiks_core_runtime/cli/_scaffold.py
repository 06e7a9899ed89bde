"""``mozaiks-core init``: the files of a minimal app."""

from __future__ import annotations

from pathlib import Path

__all__ = ["scaffold"]

MAIN = """from mozaiks_core_runtime import App, auth, db, events

app = App("{name}")


@app.get("/api/items")
@auth.require_user
def list_items(request):
    return list(db.items.find(sort="-created_at", limit=50))


@app.post("/api/items")
@auth.require_user
def create_item(request):
    item = db.items.create(title=request.data["title"])
    events.emit("item.created", item)
    return item, 201
"""

ENV = """MOZAIKS_ENV=development
MOZAIKS_MODE=self-hosted
MOZAIKS_DB_URL=sqlite:///./.mozaiks/app.db
# Required in production: at least 32 random bytes.
MOZAIKS_JWT_SECRET=
# Where mozaiks-ai runs; events wait in the outbox while unset.
MOZAIKS_AI_URL=
MOZAIKS_AI_TOKEN=
"""

REQUIREMENTS = "mozaiks-core-runtime>=0.1.0\n"
GITIGNORE = ".mozaiks/\n.env\n__pycache__/\n"


def scaffold(folder: Path, name: str) -> list[Path]:
    """Write a minimal app into ``folder`` without overwriting anything; return the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "main.py": MAIN.format(name=name),
        ".env.example": ENV,
        "requirements.txt": REQUIREMENTS,
        ".gitignore": GITIGNORE,
    }
    written = []
    for rel, text in files.items():
        path = folder / rel
        if not path.exists():
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written
