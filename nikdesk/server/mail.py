"""Outgoing mail: SMTP (RFC 5322 plain text) or, without NIKDESK_SMTP_HOST, printed on stdout.

The console fallback writes to stdout, never through ``logging``: the JSON log (stderr) must
not contain codes. German texts.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import sys
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from nikdesk.server.config import ServerSettings

log = logging.getLogger("nikdesk.server.mail")
_console_lock = threading.Lock()


@dataclass(frozen=True)
class Mail:
    """One outgoing plain-text mail."""

    to: str
    subject: str
    body: str


class Mailer:
    """Send mails through the configured SMTP server, or print them (embedded default)."""

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings

    @property
    def transport(self) -> str:
        """Describe where mails go (for /health; no credentials)."""
        s = self.settings
        return f"smtp://{s.smtp_host}:{s.smtp_port}" if s.smtp_host else "console"

    def build(self, mail: Mail) -> EmailMessage:
        """Return the RFC 5322 message for ``mail``."""
        msg = EmailMessage()
        msg["From"] = self.settings.smtp_from
        msg["To"] = mail.to
        msg["Subject"] = mail.subject
        msg["Date"] = formatdate(localtime=False, usegmt=True)
        msg["Message-ID"] = make_msgid(domain="nikdesk")
        msg.set_content(mail.body, charset="utf-8")
        return msg

    def send(self, mail: Mail) -> None:
        """Deliver ``mail``; failures are logged (without the body) and not raised."""
        msg = self.build(mail)
        if not self.settings.smtp_host:
            text = (
                f"----- E-Mail (Konsole, kein SMTP-Server eingestellt) -----\n"
                f"An: {mail.to}\nBetreff: {mail.subject}\n\n{mail.body}-----\n"
            )
            with _console_lock:
                sys.stdout.write(text)
                sys.stdout.flush()
            log.info("mail printed to console", extra={"mail_to": mail.to, "subject": mail.subject})
            return
        try:
            self._smtp_send(msg)
        except (OSError, smtplib.SMTPException) as exc:
            log.error(
                "mail delivery failed",
                extra={
                    "mail_to": mail.to,
                    "transport": self.transport,
                    "error": type(exc).__name__,
                },
            )
            return
        log.info("mail sent", extra={"mail_to": mail.to, "subject": mail.subject})

    def _smtp_send(self, msg: EmailMessage) -> None:
        s = self.settings
        assert s.smtp_host
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if s.smtp_ssl:
            smtp = smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=s.smtp_timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
        with smtp:
            if s.smtp_starttls and not s.smtp_ssl:
                smtp.starttls(context=context)
            if s.smtp_user and s.smtp_password is not None:
                smtp.login(s.smtp_user, s.smtp_password.get_secret_value())
            smtp.send_message(msg)


def _greeting(name: str) -> str:
    # never the address: its digits could be mistaken for the code
    return f"Hallo {name}," if name else "Hallo,"


def verify_mail(to: str, name: str, code: str, token: str, minutes: int) -> Mail:
    """Return the German verification mail carrying the 8-digit code."""
    body = (
        f"{_greeting(name)}\n\n"
        f"Ihr Bestätigungscode für NikDesk lautet:\n\n    {code}\n\n"
        f"Geben Sie ihn in der App ein. Der Code ist {minutes} Minuten gültig und kann nur "
        "einmal verwendet werden.\n\n"
        f"Für Programme (POST /auth/verify) gilt stattdessen dieses Token:\n{token}\n\n"
        "Wenn Sie sich nicht bei NikDesk registriert haben, ignorieren Sie diese E-Mail.\n\n"
        "Ihr NikDesk-Server\n"
    )
    return Mail(to, "NikDesk: Ihr Bestätigungscode", body)


def reset_mail(to: str, name: str, code: str, token: str, minutes: int) -> Mail:
    """Return the German password-reset mail carrying the 8-digit code."""
    body = (
        f"{_greeting(name)}\n\n"
        "für Ihr NikDesk-Konto wurde ein neues Passwort angefordert. Ihr Code lautet:\n\n"
        f"    {code}\n\n"
        f"Der Code ist {minutes} Minuten gültig und kann nur einmal verwendet werden.\n\n"
        f"Für Programme (POST /auth/reset-password) gilt stattdessen dieses Token:\n{token}\n\n"
        "Wenn Sie kein neues Passwort angefordert haben, ignorieren Sie diese E-Mail; "
        "Ihr Passwort bleibt unverändert.\n\n"
        "Ihr NikDesk-Server\n"
    )
    return Mail(to, "NikDesk: Code zum Zurücksetzen des Passworts", body)
