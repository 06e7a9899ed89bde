"""A small in-memory GitHub REST API for tests, served on 127.0.0.1.

The fake speaks exactly the endpoints ``mozaiks_ai.export.create_github_repo`` uses (create a
repository, then the Git Data API: refs, blobs, trees, commits), keeps blobs, trees, commits and refs
in memory, checks the bearer token (:data:`TOKEN`) and the API headers, refuses blobs in an empty
repository (as GitHub does), answers 422 for a taken name and 401 for a bad token::

    with serve_github() as github:
        await create_github_repo(files, token=TOKEN, name="app", api_url=github.url)
        assert github.repos["app"].files("main") == files

Repositories belong to :data:`OWNER`; ``FakeGitHub.taken`` holds names refused as already taken,
``FakeGitHub.fail_trees`` makes tree creation fail with a 500 whose message quotes the token, and
``FakeGitHub.requests`` records ``(method, path, lower-cased headers)`` of every request.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["BAD_TOKEN", "OWNER", "TOKEN", "FakeGitHub", "Repo", "git_sha", "handler", "serve_github"]

TOKEN = "ghp_GOODTOKEN0123456789abcdefghijklmnopq"
BAD_TOKEN = "ghp_BADTOKEN0123456789abcdefghijklmnopqr"
OWNER = "octo"
Reply = tuple[int, dict[str, Any] | None]


def git_sha(kind: str, payload: bytes) -> str:
    return hashlib.sha1(f"{kind} {len(payload)}\0".encode() + payload, usedforsecurity=False).hexdigest()


@dataclass
class Repo:
    name: str
    private: bool
    description: str
    default_branch: str = "main"
    blobs: dict[str, bytes] = field(default_factory=dict)
    trees: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    commits: dict[str, dict[str, Any]] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)

    def json(self) -> dict[str, Any]:
        full = f"{OWNER}/{self.name}"
        return {
            "name": self.name,
            "full_name": full,
            "private": self.private,
            "description": self.description,
            "default_branch": self.default_branch,
            "html_url": f"https://github.test/{full}",
            "clone_url": f"https://github.test/{full}.git",
        }

    def add_blob(self, content: bytes) -> str:
        sha = git_sha("blob", content)
        self.blobs[sha] = content
        return sha

    def add_tree(self, entries: list[dict[str, str]]) -> str:
        sha = git_sha("tree", json.dumps(entries, sort_keys=True).encode())
        self.trees[sha] = entries
        return sha

    def add_commit(self, tree: str, parents: list[str], message: str) -> str:
        sha = git_sha("commit", json.dumps([tree, parents, message]).encode())
        self.commits[sha] = {"tree": tree, "parents": parents, "message": message}
        return sha

    def files(self, branch: str) -> dict[str, bytes]:
        tree = self.trees[self.commits[self.refs[branch]]["tree"]]
        return {entry["path"]: self.blobs[entry["sha"]] for entry in tree}


@dataclass
class FakeGitHub:
    port: int = 0
    taken: set[str] = field(default_factory=lambda: {"taken"})
    fail_trees: bool = False
    repos: dict[str, Repo] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def handle(self, method: str, path: str, headers: dict[str, str], body: Any) -> Reply:
        with self.lock:
            self.requests.append((method, path, headers))
            if headers.get("authorization") != f"Bearer {TOKEN}":
                return 401, {"message": "Bad credentials"}
            if headers.get("accept") != "application/vnd.github+json" or headers.get("x-github-api-version") != (
                "2022-11-28"
            ):
                return 400, {"message": "missing API headers"}
            if (method, path) == ("POST", "/user/repos"):
                return self.create_repo(body)
            found = re.fullmatch(rf"/repos/{OWNER}/([\w.-]+)(/.*)?", path)
            if not found or found[1] not in self.repos:
                return 404, {"message": "Not Found"}
            return self.repo_call(self.repos[found[1]], method, found[2] or "", body)

    def create_repo(self, body: dict[str, Any]) -> Reply:
        name = body["name"]
        if name in self.taken or name in self.repos:
            return 422, {
                "message": "Repository creation failed.",
                "errors": [
                    {"resource": "Repository", "field": "name", "message": "name already exists on this account"}
                ],
            }
        repo = Repo(name, body.get("private", False), body.get("description", ""))
        if body.get("auto_init"):
            readme = repo.add_blob(f"# {name}\n".encode())
            tree = repo.add_tree([{"path": "README.md", "mode": "100644", "type": "blob", "sha": readme}])
            repo.refs["main"] = repo.add_commit(tree, [], "Initial commit")
        self.repos[name] = repo
        return 201, repo.json()

    def repo_call(self, repo: Repo, method: str, rest: str, body: Any) -> Reply:
        if method == "GET" and rest.startswith("/git/ref/heads/"):
            branch = rest.removeprefix("/git/ref/heads/")
            if not repo.refs:
                return 409, {"message": "Git Repository is empty."}
            if branch not in repo.refs:
                return 404, {"message": "Not Found"}
            return 200, {"ref": f"refs/heads/{branch}", "object": {"type": "commit", "sha": repo.refs[branch]}}
        if method == "POST" and rest == "/git/blobs":
            if not repo.refs:
                return 409, {"message": "Git Repository is empty."}
            assert body["encoding"] == "base64"
            return 201, {"sha": repo.add_blob(base64.b64decode(body["content"], validate=True))}
        if method == "POST" and rest == "/git/trees":
            if self.fail_trees:
                return 500, {"message": f"boom (your token was {TOKEN})"}
            entries = body["tree"]
            if "base_tree" in body or any(e["sha"] not in repo.blobs or e["type"] != "blob" for e in entries):
                return 422, {"message": "tree.sha is not a valid blob"}
            return 201, {"sha": repo.add_tree(entries)}
        if method == "POST" and rest == "/git/commits":
            if body["tree"] not in repo.trees or any(p not in repo.commits for p in body["parents"]):
                return 422, {"message": "Tree or parent SHA does not exist"}
            return 201, {"sha": repo.add_commit(body["tree"], body["parents"], body["message"])}
        if method == "PATCH" and rest.startswith("/git/refs/heads/"):
            branch = rest.removeprefix("/git/refs/heads/")
            if branch not in repo.refs or body["sha"] not in repo.commits:
                return 422, {"message": "Reference does not exist"}
            if not body.get("force") and repo.refs[branch] not in repo.commits[body["sha"]]["parents"]:
                return 422, {"message": "Update is not a fast forward"}
            repo.refs[branch] = body["sha"]
            return 200, {"ref": f"refs/heads/{branch}", "object": {"sha": body["sha"]}}
        if method == "POST" and rest == "/git/refs":
            branch = body["ref"].removeprefix("refs/heads/")
            if branch in repo.refs or body["sha"] not in repo.commits:
                return 422, {"message": "Reference already exists"}
            repo.refs[branch] = body["sha"]
            return 201, {"ref": body["ref"], "object": {"sha": body["sha"]}}
        if method == "PATCH" and rest == "":
            if body["default_branch"] not in repo.refs:
                return 422, {"message": "default branch does not exist"}
            repo.default_branch = body["default_branch"]
            return 200, repo.json()
        if method == "DELETE" and rest.startswith("/git/refs/heads/"):
            if repo.refs.pop(rest.removeprefix("/git/refs/heads/"), None) is None:
                return 422, {"message": "Reference does not exist"}
            return 204, None
        return 404, {"message": "Not Found"}


def handler(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def reply(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, payload = fake.handle(self.command, self.path, headers, json.loads(raw) if raw else None)
            data = json.dumps(payload).encode() if payload is not None else b""
            self.send_response(status)
            if data:
                self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_DELETE = reply

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextlib.contextmanager
def serve_github(fake: FakeGitHub | None = None) -> Iterator[FakeGitHub]:
    """Serve ``fake`` (by default a new :class:`FakeGitHub`) on a free port of 127.0.0.1 for the block."""
    fake = fake or FakeGitHub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(fake))
    server.daemon_threads = True
    fake.port = server.server_address[1]
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-github", daemon=True
    )
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
