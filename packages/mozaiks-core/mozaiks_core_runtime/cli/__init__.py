"""Command line: ``mozaiks-core serve|dev|init|doctor``.

Exit codes: 0 success, 1 a check failed (``doctor``) or the app crashed, 2 bad usage or configuration.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from ..errors import MozaiksCoreError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mozaiks-core", description="Run and manage a mozaiks-core app.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("serve", "serve the app in DIR"), ("dev", "serve with auto-reload")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("dir", nargs="?", default=".", help="folder holding main.py (default: .)")
        cmd.add_argument("--host", default="127.0.0.1")
        cmd.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        cmd.add_argument("--app", default="app", help="name of the App object in main.py")
        cmd.add_argument(
            "--access-log",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="log every request (default: on, except with MOZAIKS_ENV=production)",
        )
    init = sub.add_parser("init", help="scaffold a minimal app")
    init.add_argument("dir", nargs="?", default=".")
    init.add_argument("--name", default=None)
    doctor = sub.add_parser("doctor", help="check configuration, database and event delivery")
    doctor.add_argument("dir", nargs="?", default=".")
    doctor.add_argument("--app", default="app")
    return parser


def _serve(args: argparse.Namespace, reload: bool) -> int:
    import uvicorn

    from ._loader import load_app

    if reload:
        folder = Path(args.dir).resolve()
        load_app(folder, args.app)  # fail fast, with a clear message, before the reloader forks
        uvicorn.run(f"main:{args.app}", host=args.host, port=args.port, reload=True, reload_dirs=[str(folder)])
        return 0
    app = load_app(args.dir, args.app)
    access_log = args.access_log if args.access_log is not None else app.settings.env != "production"
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", proxy_headers=False, access_log=access_log)
    return 0


def _init(args: argparse.Namespace) -> int:
    from ._scaffold import scaffold

    folder = Path(args.dir).resolve()
    written = scaffold(folder, args.name or folder.name)
    for path in written:
        print(f"created {path}")
    print(f"next: cd {folder} && mozaiks-core dev")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "serve":
            return _serve(args, reload=False)
        if args.command == "dev":
            return _serve(args, reload=True)
        if args.command == "init":
            return _init(args)
        from ._doctor import doctor

        return doctor(args.dir, args.app)
    except MozaiksCoreError as exc:
        print(f"mozaiks-core: {exc}", file=sys.stderr)
        return 2
