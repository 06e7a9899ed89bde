"""Secrets by reference (``{{ secrets.NAME }}``) and their redaction from everything stored.

A secret is looked up, in order, as ``MOZAIKS_SECRET_<NAME>`` in the environment, ``<NAME>`` in
the environment, then ``NAME=value`` in the secrets file (``MOZAIKS_SECRETS_FILE``). Every value a
run reads is remembered by its :class:`Redactor`, which replaces it with ``***`` in events, step
outputs, run records, artifacts, logs and error messages.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

__all__ = ["REDACTED", "RedactingFilter", "Redactor", "SecretSource", "SecretsView"]

REDACTED = "***"
_MIN_SECRET_LEN = 4


class SecretSource:
    """Where secret values come from.

    Args:
        environ: The environment mapping.
        secrets_file: A ``NAME=value`` file (``#`` comments allowed), optional.
    """

    def __init__(self, environ: Mapping[str, str], secrets_file: str | Path | None = None) -> None:
        self._environ = environ
        self._file_values: dict[str, str] | None = None
        self._secrets_file = Path(secrets_file) if secrets_file else None

    def _file(self) -> dict[str, str]:
        if self._file_values is None:
            values: dict[str, str] = {}
            if self._secrets_file is not None and self._secrets_file.is_file():
                for raw in self._secrets_file.read_text("utf-8").splitlines():
                    line = raw.strip()
                    if not line or line.startswith("#") or "=" not in line:
                        continue
                    key, _, value = line.partition("=")
                    values[key.strip()] = value.strip().strip('"').strip("'")
            self._file_values = values
        return self._file_values

    def get(self, name: str) -> str | None:
        """Return the secret's value, or ``None`` when it is not set anywhere."""
        for key in (f"MOZAIKS_SECRET_{name}", name):
            if key in self._environ:
                return self._environ[key]
        return self._file().get(name)

    def names(self) -> list[str]:
        """Names defined in the secrets file or as ``MOZAIKS_SECRET_*`` variables."""
        prefixed = [k[len("MOZAIKS_SECRET_") :] for k in self._environ if k.startswith("MOZAIKS_SECRET_")]
        return sorted(set(prefixed) | set(self._file()))


class Redactor:
    """Replaces known secret values with ``***``.

    Args:
        parent: Another redactor that learns every value this one learns (the engine's, which
            also filters log records).
    """

    def __init__(self, parent: Redactor | None = None) -> None:
        self._values: set[str] = set()
        self._parent = parent

    def add(self, value: str) -> None:
        """Remember a secret value (very short values are not redacted, to avoid mangling text)."""
        if len(value) >= _MIN_SECRET_LEN:
            self._values.add(value)
            if self._parent is not None:
                self._parent.add(value)

    @property
    def active(self) -> bool:
        """Whether any value is being redacted."""
        return bool(self._values)

    def text(self, text: str) -> str:
        """Redact a string."""
        for value in sorted(self._values, key=len, reverse=True):
            if value in text:
                text = text.replace(value, REDACTED)
        return text

    def bytes(self, data: bytes) -> bytes:
        """Redact bytes (UTF-8 encoded secrets)."""
        for value in sorted(self._values, key=len, reverse=True):
            encoded = value.encode()
            if encoded in data:
                data = data.replace(encoded, REDACTED.encode())
        return data

    def value(self, value: Any) -> Any:
        """Redact every string inside a JSON-like value."""
        if not self._values:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.text(str(k)) if isinstance(k, str) else k: self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value


class SecretsView(Mapping[str, str]):
    """The ``secrets`` mapping templates and tools see; reading a value registers it for redaction."""

    def __init__(self, source: SecretSource, redactor: Redactor) -> None:
        self._source = source
        self._redactor = redactor

    def __getitem__(self, name: str) -> str:
        value = self._source.get(name)
        if value is None:
            raise KeyError(f"secret {name!r} is not set (define MOZAIKS_SECRET_{name} or add it to the secrets file)")
        self._redactor.add(value)
        return value

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError as exc:
            # Not AttributeError: Jinja would swallow it into a vague "undefined" message.
            from mozaiks_ai.errors import ExpressionError

            raise ExpressionError(exc.args[0]) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._source.names())

    def __len__(self) -> int:
        return len(self._source.names())

    def __repr__(self) -> str:
        return "<secrets>"


class RedactingFilter(logging.Filter):
    """A logging filter that redacts the secrets a :class:`Redactor` knows from every record it passes."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message with secrets replaced by ``***``."""
        if self.redactor.active:
            message = record.getMessage()
            redacted = self.redactor.text(message)
            if redacted != message:
                record.msg, record.args = redacted, None
        return True
