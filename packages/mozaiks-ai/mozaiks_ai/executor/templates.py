"""``template`` steps: render a folder tree from ``templates/`` into artifacts.

Every file's path and text is rendered with the run's variables in the sandboxed environment
(strict undefined). A ``.j2`` suffix is dropped from output names; files that are not UTF-8 are
copied as they are; use ``{% raw %}`` around literal ``{{ }}`` (JSX style objects, for example).
Symlinks and paths that would escape the folder are refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mozaiks_ai.errors import ActionError, ExpressionError
from mozaiks_ai.executor._paths import safe_relative_path
from mozaiks_ai.executor.expressions import environment

__all__ = ["render_template_folder"]

_MAX_FILES = 5000


def render_template_folder(templates_root: Path, folder: str, into: str, scope: dict[str, Any]) -> dict[str, bytes]:
    """Render ``templates_root/folder`` into ``{output path: content}``.

    Raises:
        ActionError: Unknown folder, escaping paths or symlinks.
        ExpressionError: A template failed to render (file named).
    """
    base = (templates_root / safe_relative_path(folder)).resolve()
    root = templates_root.resolve()
    if not base.is_relative_to(root) or not base.is_dir():
        raise ActionError(f"template folder {folder!r} not found under {templates_root}")
    prefix = safe_relative_path(into) + "/" if into.strip("/ ") else ""
    env = environment()
    files: dict[str, bytes] = {}
    for source in sorted(base.rglob("*")):
        if source.is_symlink():
            raise ActionError(f"template {source.relative_to(base)} is a symlink; symlinks are not allowed")
        if not source.is_file():
            continue
        if len(files) >= _MAX_FILES:
            raise ActionError(f"template folder {folder!r} has more than {_MAX_FILES} files")
        relative = source.relative_to(base).as_posix()
        try:
            out_name = env.from_string(relative).render(**scope)
        except Exception as exc:
            raise ExpressionError(f"template path {relative!r} failed to render: {exc}") from None
        if out_name.endswith(".j2"):
            out_name = out_name[:-3]
        raw = source.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            content = raw
        else:
            try:
                content = env.from_string(text).render(**scope).encode()
            except Exception as exc:
                raise ExpressionError(f"template {relative!r} failed to render: {type(exc).__name__}: {exc}") from None
        files[safe_relative_path(prefix + out_name)] = content
    return files
