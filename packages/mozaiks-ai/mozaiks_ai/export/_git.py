"""Push a run's files to a git remote as the first commit of a new repository.

Git runs as a subprocess (never through a shell) in a throw-away directory, isolated from the
machine's git configuration: no system or global config, no hooks, no credential helpers, no
terminal prompts, no redirects, and only the one protocol the validated remote needs.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mozaiks_ai.errors import ExportError
from mozaiks_ai.export._paths import check_files
from mozaiks_ai.export._redact import redact
from mozaiks_ai.export._remote import Remote, check_branch, check_remote

__all__ = ["push_git"]

# Variables of the server's environment git may still see: how to reach ssh and trusted CAs.
_KEPT_GIT_VARIABLES = frozenset({"GIT_SSH", "GIT_SSH_COMMAND", "GIT_SSL_CAINFO", "GIT_SSL_CAPATH", "GIT_EXEC_PATH"})
_ISOLATION = (
    f"core.hooksPath={os.devnull}",
    f"core.excludesFile={os.devnull}",
    f"core.attributesFile={os.devnull}",
    "core.fsmonitor=false",
    "core.autocrlf=false",
    "commit.gpgSign=false",
    "credential.helper=",
    "http.followRedirects=false",
)
_EMAIL = re.compile(r"^[^<>\s@]+@[^<>\s@]+$")
_MAX_STDERR = 1500
_HINTS = (
    (
        ("non-fast-forward", "fetch first", "[rejected]"),
        "the remote branch already has commits; push to a new, empty repository",
    ),
    (
        ("authentication failed", "could not read username", "permission denied", "error: 403"),
        "check the credentials in the URL (or the server's SSH key) and that they may push to this repository",
    ),
    (("not found", "does not appear to be a git repository", "error: 404"), "check that the repository exists"),
    (
        ("could not resolve host", "failed to connect", "connection refused", "timed out"),
        "check that the remote is reachable",
    ),
)


def _environment(protocol: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in _KEPT_GIT_VARIABLES}
    env.pop("SSH_ASKPASS", None)
    env.update(
        GIT_TERMINAL_PROMPT="0",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_ALLOW_PROTOCOL=protocol,
    )
    env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
    return env


def _kill(process: asyncio.subprocess.Process) -> None:
    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            process.kill()
    except ProcessLookupError:
        pass


def _failure(step: str, stderr: str, secrets: tuple[str, ...]) -> ExportError:
    text = " ".join(redact(stderr, secrets).split())[-_MAX_STDERR:] or "no output"
    lowered = text.lower()
    hint = next((h for needles, h in _HINTS if any(n in lowered for n in needles)), "see git's output")
    return ExportError(f"git {step} failed: {text}; {hint}")


@dataclass(frozen=True)
class _Git:
    """Runs git commands with one environment, timeout and set of secrets to scrub."""

    env: dict[str, str]
    timeout: float
    secrets: tuple[str, ...]

    async def __call__(self, cwd: Path, *args: str, config: tuple[str, ...] = ()) -> str:
        """Run ``git <args>`` in ``cwd``; return its stdout or raise an ExportError without credentials."""
        isolation = [item for setting in (*_ISOLATION, *config) for item in ("-c", setting)]
        try:
            process = await asyncio.create_subprocess_exec(
                "git",
                *isolation,
                *args,
                cwd=cwd,
                env=self.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,  # no controlling terminal for ssh to prompt on; one group to kill
            )
        except FileNotFoundError:
            raise ExportError("git is not installed or not on PATH; install git to deploy with mode 'git'") from None
        try:
            stdout, stderr = await asyncio.wait_for(process.communicate(), self.timeout)
        except TimeoutError:
            _kill(process)
            await process.wait()
            raise ExportError(
                f"git {args[0]} timed out after {self.timeout:g}s; check that the remote is reachable"
            ) from None
        except BaseException:
            _kill(process)
            raise
        if process.returncode != 0:
            raise _failure(args[0], stderr.decode("utf-8", "replace"), self.secrets)
        return stdout.decode("utf-8", "replace")


def _check_identity(message: str, author_name: str, author_email: str) -> None:
    if not isinstance(message, str) or not message.strip() or "\x00" in message:
        raise ExportError("commit message must be a non-empty string without NUL characters")
    if not isinstance(author_name, str) or not author_name.strip() or any(c in author_name for c in "<>\n\r\x00"):
        raise ExportError("author_name must be a non-empty name without '<', '>' or line breaks")
    if not isinstance(author_email, str) or not _EMAIL.match(author_email):
        raise ExportError(f"author_email {author_email!r} is not an e-mail address like mozaiks@localhost")


def _check_not_git_metadata(paths: list[str]) -> None:
    for path in paths:
        # ".git" in any case, and the ".git." / ".git " spellings some filesystems treat as ".git".
        if any(part.rstrip(". ").lower() == ".git" for part in path.split("/")):
            raise ExportError(f"file {path!r} is inside '.git', which git reserves for itself; rename it")


def _write_files(folder: Path, files: dict[str, bytes]) -> None:
    for path, content in files.items():
        target = folder.joinpath(*path.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


async def push_git(
    files: Mapping[str, bytes],
    *,
    remote_url: str,
    branch: str = "main",
    message: str,
    author_name: str = "Mozaiks",
    author_email: str = "mozaiks@localhost",
    allow_local: bool = False,
    allowed_hosts: tuple[str, ...] = (),
    timeout: float = 120.0,
) -> dict[str, Any]:
    """Commit ``files`` as the first commit of a new repository and push it to ``remote_url``.

    The remote branch must not exist yet (or be empty): the push is never forced. Files ignored by a
    ``.gitignore`` among ``files`` are left out, as ``git add -A`` would.

    Args:
        files: Relative POSIX path → content.
        remote_url: ``https://host/owner/repo.git`` (credentials may be embedded and are never echoed),
            ``ssh://host/owner/repo.git``, ``git@host:owner/repo.git``; ``file://`` URLs and absolute
            paths only with ``allow_local``.
        branch: The branch to create.
        message: The commit message.
        author_name: Author and committer name.
        author_email: Author and committer e-mail.
        allow_local: Accept local remotes (development and tests; a server flag turns it on).
        allowed_hosts: The HTTP allowlist applied to ``https://`` hosts (empty: any public host).
        timeout: Seconds each git command may take.

    Returns:
        ``{"remote": <URL without credentials>, "branch", "commit": <sha>, "files": <files committed>}``.

    Raises:
        ExportError: A refused path, remote, branch or identity, or git failed; never contains credentials.
    """
    checked = check_files(files)
    if not checked:
        raise ExportError("there are no files to push; the run produced no artifacts")
    _check_not_git_metadata(list(checked))
    check_branch(branch)
    _check_identity(message, author_name, author_email)
    remote: Remote = await check_remote(remote_url, allow_local=allow_local, allowed_hosts=allowed_hosts)
    git = _Git(_environment(remote.protocol), timeout, remote.secrets)
    with tempfile.TemporaryDirectory(prefix="mozaiks-export-") as tmp:
        work = Path(tmp) / "repo"
        await git(Path(tmp), "init", "-q", f"--initial-branch={branch}", str(work))
        await asyncio.to_thread(_write_files, work, checked)
        await git(work, "add", "-A")
        committed = (await git(work, "ls-files", "-z")).count("\x00")
        if committed == 0:
            raise ExportError("every file is excluded by the project's .gitignore; nothing to commit")
        identity = (f"user.name={author_name}", f"user.email={author_email}")
        await git(work, "commit", "-q", "--no-verify", "-m", message, config=identity)
        commit = (await git(work, "rev-parse", "HEAD")).strip()
        # "--" ends git's options: the validated URL can never be read as one.
        await git(work, "push", "-q", "--no-verify", "--", remote.url, f"HEAD:refs/heads/{branch}")
    return {"remote": remote.display, "branch": branch, "commit": commit, "files": committed}
