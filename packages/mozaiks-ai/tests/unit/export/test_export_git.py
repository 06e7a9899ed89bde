"""``push_git``: a real push to a local bare repository, and every remote it must refuse."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from mozaiks_ai.errors import ExportError
from mozaiks_ai.export import push_git

FILES = {
    "README.md": b"# Task tracker\n",
    "backend/app/main.py": b"print('hello')\n",
    "frontend/src/App.tsx": b"export default function App() { return null }\n",
    "frontend/public/logo.png": bytes(range(256)),
    "backend/app/__init__.py": b"",
}
GIT_ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_TERMINAL_PROMPT": "0"}


def git(*args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def bare(tmp_path: Path) -> Path:
    path = tmp_path / "remote.git"
    git("init", "-q", "--bare", str(path))
    return path


def clone(remote: Path, dest: Path, branch: str) -> dict[str, bytes]:
    git("clone", "-q", "--branch", branch, str(remote), str(dest))
    return {
        p.relative_to(dest).as_posix(): p.read_bytes()
        for p in dest.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(dest).parts
    }


@pytest.mark.anyio
async def test_push_git_creates_the_first_commit_of_a_bare_repository(bare: Path, tmp_path: Path) -> None:
    result = await push_git(FILES, remote_url=str(bare), message="Initial commit", allow_local=True)

    assert result["remote"] == str(bare)
    assert result["branch"] == "main"
    assert result["files"] == len(FILES)
    assert clone(bare, tmp_path / "clone", "main") == FILES
    log = git("log", "--format=%H|%an|%ae|%cn|%ce|%s|%P", cwd=tmp_path / "clone").splitlines()
    assert log == [f"{result['commit']}|Mozaiks|mozaiks@localhost|Mozaiks|mozaiks@localhost|Initial commit|"]


@pytest.mark.anyio
async def test_push_git_to_a_file_url_and_another_branch(bare: Path, tmp_path: Path) -> None:
    files = {**FILES, ".gitignore": b"*.log\n", "debug.log": b"noise"}
    result = await push_git(
        files,
        remote_url=f"file://{bare}",
        branch="release/v1",
        message="Ship it",
        author_name="Ada",
        author_email="ada@example.com",
        allow_local=True,
    )

    assert result["branch"] == "release/v1"
    assert result["files"] == len(FILES) + 1  # debug.log is ignored, as `git add -A` does
    assert clone(bare, tmp_path / "clone", "release/v1") == {**FILES, ".gitignore": b"*.log\n"}
    assert git("log", "-1", "--format=%an <%ae>", cwd=tmp_path / "clone").strip() == "Ada <ada@example.com>"


@pytest.mark.anyio
async def test_push_git_never_overwrites_existing_history(bare: Path) -> None:
    await push_git({"a.txt": b"1"}, remote_url=str(bare), message="first", allow_local=True)
    with pytest.raises(ExportError, match="new, empty repository"):
        await push_git({"a.txt": b"2"}, remote_url=str(bare), message="second", allow_local=True)


@pytest.mark.anyio
async def test_push_git_reports_a_missing_repository(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"git push failed: .*repository exists"):
        await push_git(FILES, remote_url=str(tmp_path / "nowhere.git"), message="m", allow_local=True)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("url", "allow_local", "problem"),
    [
        ("file:///{bare}", False, "local path or file:// URL is disabled"),
        ("{bare}", False, "local path or file:// URL is disabled"),
        ("relative/repo.git", True, "must be an absolute path"),
        ("file://otherhost/srv/r.git", True, "must name a local path"),
        ("ext::sh -c touch% {marker}", True, "remote helpers"),
        ("fd::3", True, "remote helpers"),
        ("--upload-pack=touch {marker}", True, "must not start with '-'"),
        ("-oProxyCommand=touch {marker}", True, "must not start with '-'"),
        ("ssh://-oProxyCommand=touch%20{marker}/x", True, "not a valid ssh address"),
        ("ssh://git@host/-x.git", True, "not a valid ssh address"),
        ("https://169.254.169.254/x.git", True, "link-local/metadata"),
        ("https://[fe80::1]/x.git", True, "link-local/metadata"),
        ("https://metadata.google.internal/x.git", True, "metadata"),
        ("ssh://169.254.169.254/x.git", True, "link-local/metadata"),
        ("git@169.254.169.254:x.git", True, "link-local/metadata"),
        ("https://127.0.0.1/x.git", True, "non-public address"),
        ("https://10.0.0.1/x.git", False, "non-public address"),
        ("https://example.com", True, "needs a host and a repository path"),
        ("http://example.com/x.git", True, "scheme 'http' is not allowed"),
        ("git://example.com/x.git", True, "scheme 'git' is not allowed"),
        ("https://example.com/x.git\n--upload-pack=x", True, "control characters"),
        ("https://example.com/a b.git", True, "spaces"),
        ("", True, "empty"),
    ],
)
async def test_push_git_refuses_remote(bare: Path, tmp_path: Path, url: str, allow_local: bool, problem: str) -> None:
    marker = tmp_path / "pwned"
    with pytest.raises(ExportError, match=problem):
        await push_git(FILES, remote_url=url.format(bare=bare, marker=marker), message="m", allow_local=allow_local)
    assert not marker.exists()


@pytest.mark.anyio
@pytest.mark.parametrize(
    "branch",
    ["", "-f", "--force", "../x", "a..b", "x.lock", "a b", "HEAD", "feature/", "/x", ".hidden", "a@{1}", "x\n"],
)
async def test_push_git_refuses_bad_branch_names(bare: Path, branch: str) -> None:
    with pytest.raises(ExportError, match="branch name"):
        await push_git(FILES, remote_url=str(bare), branch=branch, message="m", allow_local=True)


@pytest.mark.anyio
@pytest.mark.parametrize("path", [".git/config", "sub/.git/hooks/post-checkout", ".GIT/config", ".git./x"])
async def test_18_push_git_refuses_files_inside_dot_git(bare: Path, path: str) -> None:
    with pytest.raises(ExportError, match=r"inside '\.git'"):
        await push_git(
            {path: b"[core]\n\tfsmonitor = touch pwned\n"}, remote_url=str(bare), message="m", allow_local=True
        )


@pytest.mark.anyio
@pytest.mark.parametrize("path", ["../outside.txt", "/etc/passwd", "a\\b"])
async def test_18_push_git_refuses_unsafe_paths(bare: Path, path: str) -> None:
    with pytest.raises(ExportError, match="path"):
        await push_git({path: b"x"}, remote_url=str(bare), message="m", allow_local=True)


@pytest.mark.anyio
async def test_push_git_refuses_bad_identity_and_empty_input(bare: Path) -> None:
    with pytest.raises(ExportError, match="no files to push"):
        await push_git({}, remote_url=str(bare), message="m", allow_local=True)
    with pytest.raises(ExportError, match="commit message"):
        await push_git(FILES, remote_url=str(bare), message="  ", allow_local=True)
    with pytest.raises(ExportError, match="author_name"):
        await push_git(FILES, remote_url=str(bare), message="m", author_name="x <y>", allow_local=True)
    with pytest.raises(ExportError, match="author_email"):
        await push_git(FILES, remote_url=str(bare), message="m", author_email="nope", allow_local=True)


@pytest.mark.anyio
async def test_push_git_never_shows_credentials() -> None:
    with pytest.raises(ExportError, match="git push failed") as caught:
        await push_git(
            FILES,
            remote_url="https://user:SECRETTOKEN@127.0.0.1:1/x.git",
            message="m",
            allowed_hosts=("127.0.0.1",),
        )
    assert "SECRETTOKEN" not in str(caught.value)
    for url in (
        "https://user:SECRETTOKEN@169.254.169.254/x.git",
        "https://user:SECRETTOKEN@example.com:99999/x.git",
        "https://user:SECRETTOKEN@127.0.0.1/x.git",
        "ssh://user:SECRETTOKEN@-bad/x.git",
    ):
        with pytest.raises(ExportError) as caught:
            await push_git(FILES, remote_url=url, message="m")
        assert "SECRETTOKEN" not in str(caught.value), url


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A TCP port that accepts connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield server.getsockname()[1]


@pytest.mark.anyio
async def test_push_git_times_out(silent_port: int) -> None:
    with pytest.raises(ExportError, match=r"git push timed out after 1s") as caught:
        await push_git(
            FILES,
            remote_url=f"https://user:SECRETTOKEN@127.0.0.1:{silent_port}/x.git",
            message="m",
            allowed_hosts=("127.0.0.1",),
            timeout=1,
        )
    assert "SECRETTOKEN" not in str(caught.value)
