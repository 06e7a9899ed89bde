# backend/main.py of a generated app
from mozaiks_core_runtime import App, auth, db, events

app = App("task-tracker")

@app.post("/api/tasks")
@auth.require_user
def create_task(request):
    user = auth.current_user()
    task = db.tasks.create(title=request.data["title"], owner=user.id)
    events.emit("task.created", task)        # runs matching workflows on mozaiks-ai
    return {"id": task.id}


# The example's addition (not part of the SPEC §4 snippet above): list the signed-in user's tasks, one page at a
# time (other users' tasks are never visible: the collection is owner-scoped). Used by @mozaiks/core-runtime's
# browser test.
@app.get("/api/tasks")
@auth.require_user
def list_tasks(request):
    page = db.tasks.find(limit=100, cursor=request.query.get("cursor"))
    return {"tasks": list(page), "next_cursor": page.next_cursor}
