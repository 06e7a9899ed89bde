"""``send_email``: SMTP when configured, otherwise ``.eml`` files in the outbox folder.

The outbox (``MOZAIKS_OUTBOX_DIR``, default ``.mozaiks/outbox``) is the development sink: each
message is written as ``<run id>-<step path>.eml``, so a retried step overwrites rather than
duplicates it.
"""

from __future__ import annotations

import asyncio
import re
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from mozaiks_ai.config import SmtpConfig
from mozaiks_ai.errors import ActionError
from mozaiks_ai.executor.call import StepCall

__all__ = ["send_email"]

_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+$")


def _addresses(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    out = []
    for item in items:
        text = str(item).strip()
        if not _ADDRESS.match(text) or "\n" in text or "\r" in text:
            raise ActionError(f"send_email: {field} has an invalid address {text!r}")
        out.append(text)
    return out


def _send_smtp(smtp: SmtpConfig, message: EmailMessage) -> None:
    with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as client:
        if smtp.starttls:
            client.starttls()
        if smtp.username:
            client.login(smtp.username, smtp.password or "")
        client.send_message(message)


async def send_email(call: StepCall) -> Any:
    """Send ``{to, subject, body|text, html, cc, bcc, from, reply_to}``."""
    args = call.mapping("to")
    to = _addresses(args.get("to"), "to")
    if not to:
        raise ActionError("send_email needs at least one 'to' address")
    subject = str(args.get("subject", ""))
    if "\n" in subject or "\r" in subject:
        raise ActionError("send_email: the subject must be a single line")
    smtp = call.config.smtp
    message = EmailMessage()
    message["From"] = _addresses(args.get("from") or (smtp.sender if smtp else "mozaiks@localhost"), "from")[0]
    message["To"] = ", ".join(to)
    if args.get("cc"):
        message["Cc"] = ", ".join(_addresses(args["cc"], "cc"))
    if args.get("reply_to"):
        message["Reply-To"] = _addresses(args["reply_to"], "reply_to")[0]
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(idstring=f"{call.run.id}.{call.path}", domain="mozaiks.local")
    message["X-Mozaiks-Run-Id"] = call.run.id
    message.set_content(str(args.get("body", args.get("text", ""))))
    if args.get("html"):
        message.add_alternative(str(args["html"]), subtype="html")
    bcc = _addresses(args.get("bcc"), "bcc")
    result: dict[str, Any] = {"to": to, "subject": subject, "message_id": message["Message-ID"]}
    if smtp is not None:
        if bcc:
            message["Bcc"] = ", ".join(bcc)
        try:
            await asyncio.to_thread(_send_smtp, smtp, message)
        except (OSError, smtplib.SMTPException) as exc:
            raise ActionError(f"send_email: SMTP server {smtp.host}:{smtp.port} failed: {exc}") from None
        result["delivery"] = "smtp"
        return result
    outbox = Path(call.config.outbox_dir)
    outbox.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.\-\[\]]", "_", f"{call.run.id}-{call.path}")
    file = outbox / f"{safe}.eml"
    file.write_bytes(bytes(message))
    result.update(delivery="outbox", path=str(file))
    return result
