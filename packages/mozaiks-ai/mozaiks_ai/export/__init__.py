"""Turn a run's artifacts into deliverables: a zip, a pushed git repository, a new GitHub repository.

Every function takes the artifacts as a mapping of relative POSIX path → bytes, checks each path
(nothing absolute, no ``..``, no backslashes) and raises :class:`~mozaiks_ai.errors.ExportError` with a
message that says what to fix and never contains tokens or credentials. :func:`read_zip` is the
import side: it unpacks an uploaded zip under the same rules, refusing zip-slip, symlinks and bombs.
"""

from __future__ import annotations

from mozaiks_ai.export._git import push_git
from mozaiks_ai.export._github import GITHUB_API_URL, create_github_repo
from mozaiks_ai.export._paths import safe_path
from mozaiks_ai.export._redact import redact, redact_url
from mozaiks_ai.export._zip_read import MAX_TOTAL_BYTES, MAX_ZIP_FILES, read_zip
from mozaiks_ai.export._zip_write import build_zip

__all__ = [
    "GITHUB_API_URL",
    "MAX_TOTAL_BYTES",
    "MAX_ZIP_FILES",
    "build_zip",
    "create_github_repo",
    "push_git",
    "read_zip",
    "redact",
    "redact_url",
    "safe_path",
]
