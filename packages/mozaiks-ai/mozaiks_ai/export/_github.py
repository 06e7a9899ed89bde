"""Create a new GitHub repository holding a run's files, through the REST API and the caller's token.

GitHub's Git Data API refuses blobs in an empty repository, so the repository is created with
``auto_init`` (one README commit); then each distinct file content becomes a base64 blob, the blobs a
full tree (the README is not kept unless the run produced one), the tree a commit whose parent is the
initial commit, and the branch is moved onto it.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from mozaiks_ai.errors import ExportError
from mozaiks_ai.export._paths import check_files
from mozaiks_ai.export._redact import redact
from mozaiks_ai.export._remote import check_branch

__all__ = ["GITHUB_API_URL", "create_github_repo"]

GITHUB_API_URL = "https://api.github.com"
_NAME = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
_TOKEN = re.compile(r"^[\x21-\x7e]{1,500}$")
# auto_init's commit can take a moment to appear right after the repository is created.
_REF_RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0, 3.0)
_SCOPES = "a classic token with the 'repo' scope, or a fine-grained one with Administration and Contents write access"


class _StatusError(ExportError):
    """GitHub answered with an unexpected status."""

    def __init__(self, message: str, status: int) -> None:
        self.status = status
        super().__init__(message)


@dataclass(frozen=True)
class _GitHub:
    client: httpx.AsyncClient
    api: str
    token: str = field(repr=False)
    timeout: float = 30.0

    async def call(self, method: str, path: str, body: Any = None, *, expect: int) -> dict[str, Any]:
        """Send one request; return its JSON object or raise an ExportError without the token."""
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }
        try:
            response = await self.client.request(
                method, self.api + path, json=body, headers=headers, timeout=self.timeout
            )
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise ExportError(
                f"cannot reach the GitHub API at {redact(self.api)} ({type(exc).__name__}); "
                "check the network and the configured GitHub API URL"
            ) from None
        if response.status_code != expect:
            detail = redact(_describe(response), (self.token,))
            raise _StatusError(
                f"GitHub answered {response.status_code} to {method} {path}: {detail}", response.status_code
            )
        if response.status_code == 204:
            return {}
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise ExportError(f"GitHub answered {method} {path} with something other than a JSON object")
        return data


def _describe(response: httpx.Response) -> str:
    """GitHub's ``message`` plus the ``errors[].message`` details, or the start of the body."""
    try:
        data = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if not isinstance(data, dict):
        return str(data)[:300]
    parts = [str(data.get("message") or response.reason_phrase)]
    for error in data.get("errors") or []:
        if isinstance(error, dict) and error.get("message"):
            parts.append(str(error["message"]))
        elif isinstance(error, str):
            parts.append(error)
    return "; ".join(parts)[:500]


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise ExportError(f"GitHub's answer lacks {key!r}; is the configured GitHub API URL right?")
    return value


def _check_arguments(token: str, name: str, api_url: str) -> None:
    if not isinstance(token, str) or not _TOKEN.match(token):
        raise ExportError(f"the GitHub token is empty or malformed; paste {_SCOPES}")
    if not isinstance(name, str) or not _NAME.match(name) or name in (".", "..") or name.lower().endswith(".git"):
        shown = repr(name[:100]) if isinstance(name, str) else type(name).__name__
        raise ExportError(
            f"repository name {shown} is not allowed; use 1-100 ASCII letters, digits, '.', '-' or '_' "
            "(not '.', '..' or a name ending in '.git')"
        )
    if not isinstance(api_url, str) or not api_url.startswith(("https://", "http://")):
        raise ExportError("the GitHub API URL must start with https:// (set MOZAIKS_GITHUB_API_URL)")


async def _create_repo(gh: _GitHub, name: str, private: bool, description: str) -> dict[str, Any]:
    body = {"name": name, "private": private, "description": description, "auto_init": True}
    try:
        return await gh.call("POST", "/user/repos", body, expect=201)
    except _StatusError as exc:
        if exc.status == 401:
            raise ExportError(f"GitHub refused the token (401): it is invalid or expired; create {_SCOPES}") from None
        if exc.status in (403, 404):
            raise ExportError(
                f"the GitHub token may not create repositories ({exc}); use {_SCOPES}, or retry later if rate-limited"
            ) from None
        if exc.status == 422:
            raise ExportError(
                f"GitHub could not create repository {name!r} ({exc}); the name is probably taken on this "
                "account: choose another name"
            ) from None
        raise


async def _head_commit(gh: _GitHub, base: str, branch: str) -> str:
    """Return the sha the ``auto_init`` branch points at, waiting briefly for it to appear."""
    for delay in (*_REF_RETRY_DELAYS, None):
        try:
            ref = await gh.call("GET", f"{base}/git/ref/heads/{branch}", expect=200)
        except _StatusError as exc:
            if exc.status not in (404, 409) or delay is None:
                raise
            await asyncio.sleep(delay)
        else:
            target = ref.get("object")
            if not isinstance(target, dict):
                raise ExportError(f"GitHub's answer for branch {branch!r} lacks 'object'")
            return _text(target, "sha")
    raise AssertionError("unreachable")  # pragma: no cover


async def _upload_tree(gh: _GitHub, base: str, files: dict[str, bytes]) -> str:
    """Upload each distinct content once as a blob; return the sha of a tree holding every file."""
    blobs: dict[str, str] = {}
    entries: list[dict[str, str]] = []
    for path in sorted(files):
        content = files[path]
        digest = hashlib.sha256(content).hexdigest()
        if digest not in blobs:
            encoded = base64.b64encode(content).decode("ascii")
            blob = await gh.call("POST", f"{base}/git/blobs", {"content": encoded, "encoding": "base64"}, expect=201)
            blobs[digest] = _text(blob, "sha")
        entries.append({"path": path, "mode": "100644", "type": "blob", "sha": blobs[digest]})
    return _text(await gh.call("POST", f"{base}/git/trees", {"tree": entries}, expect=201), "sha")


async def _commit_files(gh: _GitHub, repo: dict[str, Any], files: dict[str, bytes], branch: str, message: str) -> str:
    base = f"/repos/{_text(repo, 'full_name')}"
    initial_branch = str(repo.get("default_branch") or "main")
    parent = await _head_commit(gh, base, initial_branch)
    tree = await _upload_tree(gh, base, files)
    body = {"message": message, "tree": tree, "parents": [parent]}
    commit = _text(await gh.call("POST", f"{base}/git/commits", body, expect=201), "sha")
    if branch == initial_branch:
        await gh.call("PATCH", f"{base}/git/refs/heads/{branch}", {"sha": commit, "force": True}, expect=200)
    else:
        # A new repository has one branch: create ours, make it the default, drop auto_init's.
        await gh.call("POST", f"{base}/git/refs", {"ref": f"refs/heads/{branch}", "sha": commit}, expect=201)
        await gh.call("PATCH", base, {"default_branch": branch}, expect=200)
        await gh.call("DELETE", f"{base}/git/refs/heads/{initial_branch}", expect=204)
    return commit


async def create_github_repo(
    files: Mapping[str, bytes],
    *,
    token: str,
    name: str,
    private: bool = True,
    description: str = "",
    api_url: str = GITHUB_API_URL,
    client: httpx.AsyncClient | None = None,
    branch: str = "main",
    message: str = "Initial commit (generated by Mozaiks)",
    timeout: float = 30.0,
) -> dict[str, Any]:
    """Create a new repository for the token's user and commit ``files`` to it.

    Args:
        files: Relative POSIX path → content (binary files are fine: every blob is sent as base64).
        token: The caller's GitHub token; sent only as ``Authorization: Bearer`` and never echoed.
        name: The repository name (ASCII letters, digits, ``.``, ``-``, ``_``).
        private: Create a private repository.
        description: The repository description.
        api_url: The REST API base (GitHub Enterprise: ``https://host/api/v3``).
        client: An HTTP client to use (redirects should be off); by default a private one.
        branch: The branch holding the files; it becomes the default branch.
        message: The commit message.
        timeout: Seconds each API request may take.

    Returns:
        ``{"html_url", "clone_url", "full_name": "owner/name", "commit": <sha>, "files": <count>}``.

    Raises:
        ExportError: Bad arguments, a refused token (401/403), a taken name (422) or another API failure;
            never contains the token.
    """
    checked = check_files(files)
    if not checked:
        raise ExportError("there are no files to push; the run produced no artifacts")
    check_branch(branch)
    _check_arguments(token, name, api_url)
    http = client or httpx.AsyncClient(follow_redirects=False, trust_env=False)
    try:
        gh = _GitHub(http, api_url.rstrip("/"), token, timeout)
        repo = await _create_repo(gh, name, private, description)
        full_name = _text(repo, "full_name")
        try:
            commit = await _commit_files(gh, repo, checked, branch, message)
        except ExportError as exc:
            raise ExportError(
                f"repository {full_name} was created but adding the files failed: {exc}; "
                "delete the repository or deploy again with another name"
            ) from None
    finally:
        if client is None:
            await http.aclose()
    return {
        "html_url": _text(repo, "html_url"),
        "clone_url": _text(repo, "clone_url"),
        "full_name": full_name,
        "commit": commit,
        "files": len(checked),
    }
