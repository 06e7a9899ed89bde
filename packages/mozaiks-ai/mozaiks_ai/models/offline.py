"""The ``offline`` provider: deterministic answers without a network, so every workflow can run.

What it answers, in this order:

* With ``output_schema``: ``[offline] `` followed by JSON text of a value that validates against the
  schema (see :func:`~mozaiks_ai.models._schema_value.example_value`: declared ``const``/``enum``/
  ``default``/``examples`` first, else built by type from property names and the prompt).
  Strip the label before parsing; the executor's ``extract_json`` does.
* After tool results (``tool`` messages following the last user message): a summary of them.
* Otherwise: a restatement of the last user message (its first words, and its length when long).

It never calls tools, even when tools are offered: answering directly keeps every agent loop finite
and deterministic. Each answer is labelled ``[offline]``, has ``offline=True`` and streams word by
word to ``on_token``. Token usage is approximated by counting words and punctuation marks.
"""

from __future__ import annotations

import json
import re

from mozaiks_ai.errors import ModelError
from mozaiks_ai.models._schema_value import OFFLINE_LABEL, SchemaValueError, example_value
from mozaiks_ai.models._tokens import approx_request_tokens, approx_tokens
from mozaiks_ai.models.base import Message, ModelRequest, ModelResponse, OnToken, Usage

__all__ = ["OfflineProvider"]

_ECHO_WORDS = 40
_HINT_WORDS = 12
_TOOL_RESULT_CHARS = 200


def _words(text: str | None) -> list[str]:
    return (text or "").split()


def _excerpt(text: str | None, limit: int) -> str:
    words = _words(text)
    excerpt = " ".join(words[:limit])
    return excerpt + " …" if len(words) > limit else excerpt


def _hint(prompt: str | None) -> str:
    """The prompt's first sentence (at most a few words), which generated strings are made of."""
    first = re.split(r"(?<=[.!?:;])\s|\n", (prompt or "").strip(), maxsplit=1)[0]
    return " ".join(_words(first)[:_HINT_WORDS]).rstrip(".:;,!?") or "example"


def _last_user_index(messages: tuple[Message, ...]) -> int:
    return max((i for i, m in enumerate(messages) if m.role == "user"), default=-1)


class OfflineProvider:
    """A deterministic model that needs no network and no key (``offline`` / ``offline:<anything>``).

    Example:
        >>> import asyncio
        >>> request = ModelRequest("offline", (Message("user", "Say hi"),))
        >>> asyncio.run(OfflineProvider().complete(request)).text
        '[offline] You asked: "Say hi"'
    """

    name = "offline"

    async def complete(self, request: ModelRequest, on_token: OnToken | None = None) -> ModelResponse:
        """Answer ``request`` deterministically (see the module docstring).

        Raises:
            ModelError: ``output_schema`` is invalid or no value satisfying it could be built.
        """
        text = OFFLINE_LABEL + " " + self._answer(request)
        if on_token is not None:
            for piece in re.findall(r"\S+\s*", text):
                on_token(piece)
        usage = Usage(approx_request_tokens(request.messages, request.tools), approx_tokens(text))
        return ModelResponse(text=text, usage=usage, provider=self.name, model=request.model or self.name, offline=True)

    def _answer(self, request: ModelRequest) -> str:
        last_user = _last_user_index(request.messages)
        prompt = request.messages[last_user].content if last_user >= 0 else None
        if request.output_schema is not None:
            hint = _hint(prompt)
            try:
                value = example_value(request.output_schema, hint)
            except SchemaValueError as exc:
                raise ModelError(
                    f"offline model: {exc}; give the schema a `default` or `examples`, or the step an `offline:` result"
                ) from None
            return json.dumps(value, ensure_ascii=False)
        results = [m for m in request.messages[last_user + 1 :] if m.role == "tool"]
        if results:
            return "Tool results: " + "; ".join(
                f"{m.name or m.tool_call_id or 'tool'} → {(m.content or '')[:_TOOL_RESULT_CHARS]}" for m in results
            )
        if prompt is None or not prompt.strip():
            return "(no message to answer)"
        count = len(_words(prompt))
        size = f" ({count} words)" if count > _ECHO_WORDS else ""
        return f'You asked{size}: "{_excerpt(prompt, _ECHO_WORDS)}"'
