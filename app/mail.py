"""Sending email over the SMTP server named in the configuration.

Subjects start with the protective marking; bodies carry references and links,
never names or narrative. Whatever a caller puts in, every email (subject, body
and attachments) leaves through the disclosure gate: recipients of email are not
treated as the review team. Without SMTP_HOST nothing is sent.
"""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit

from flask import current_app


def configured() -> bool:
    return bool(current_app.config["SMTP_HOST"])


def build(to: str, subject: str, body: str, attachments: list[tuple[str, str, bytes]] = (),
          debrief_id: int | None = None) -> EmailMessage:
    """One marked email; `debrief_id` names the case it is about, so shared names resolve to its people."""
    from app import disclosure

    cfg = current_app.config
    msg = EmailMessage()
    msg["From"] = cfg["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = disclosure.mask_text(f"{cfg['MARKING']}: {subject}", debrief_id)
    msg.set_content(disclosure.mask_text(f"{body}\n\n{cfg['MARKING']}. {cfg['HANDLING_LINE']}\n", debrief_id))
    for filename, mimetype, data in attachments:
        data = disclosure.mask_attachment(data, mimetype, debrief_id)
        filename = disclosure.mask_text(filename, debrief_id)
        maintype, subtype = mimetype.split(";")[0].split("/")
        params = dict(p.strip().split("=", 1) for p in mimetype.split(";")[1:])
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename, params=params)
    return stamp(msg)


def message_id_domain() -> str | None:
    """The domain of the sender's address, else the host of BASE_URL (the server's name); None lets the standard
    library use this machine's name."""
    cfg = current_app.config
    domain = cfg["MAIL_FROM"].rpartition("@")[2].strip(" >")
    if domain and "@" in cfg["MAIL_FROM"] and domain != "localhost":
        return domain
    return urlsplit(cfg["BASE_URL"]).hostname or None


def stamp(msg: EmailMessage) -> EmailMessage:
    """Every message carries Date (UTC) and a unique Message-ID (RFC 5322 asks for both; spam filters and mail
    archives rely on them). Called where messages are built and again as they are sent, so none leaves without."""
    if msg["Date"] is None:
        msg["Date"] = formatdate(localtime=False)
    if msg["Message-ID"] is None:
        msg["Message-ID"] = make_msgid(domain=message_id_domain())
    return msg


def send(messages: list[EmailMessage]) -> int:
    """Send over one connection; returns how many were accepted."""
    cfg = current_app.config
    if not messages:
        return 0
    with smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=30) as smtp:
        if cfg["SMTP_STARTTLS"]:
            smtp.starttls()
        if cfg["SMTP_USERNAME"]:
            smtp.login(cfg["SMTP_USERNAME"], cfg["SMTP_PASSWORD"])
        for msg in messages:
            smtp.send_message(stamp(msg))
    return len(messages)
