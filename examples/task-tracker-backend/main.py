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
