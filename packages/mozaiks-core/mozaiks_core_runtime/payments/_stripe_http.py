"""The ``stripe`` library's httpx client, adjusted to send encoded bodies as ``content=``.

``stripe.HTTPXClient`` passes the form-encoded body as ``data=<str>``, which httpx 0.28 deprecates with a
``DeprecationWarning`` (an error under ``filterwarnings = error``, and removed in a future httpx). Only the request
arguments change; retries, timeouts and error mapping stay the library's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import stripe

__all__ = ["ContentHTTPXClient"]


class ContentHTTPXClient(stripe.HTTPXClient):
    """:class:`stripe.HTTPXClient` that sends string/bytes bodies with ``content=``."""

    def _get_request_args_kwargs(self, method: str, url: str, headers: Mapping[str, str], post_data: Any) -> list[Any]:
        args: list[Any] = super()._get_request_args_kwargs(method, url, headers, post_data)  # type: ignore[no-untyped-call]
        kwargs: dict[str, Any] = args[1]
        if isinstance(post_data, str | bytes):
            kwargs.pop("data", None)
            kwargs["content"] = post_data
        elif not post_data:
            kwargs.pop("data", None)
        return args
