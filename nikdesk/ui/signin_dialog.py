"""The sign-in dialog: server, email, password; registration with the 8-digit mail code.

Every server call runs through :class:`~nikdesk.ui.worker.Operation`; the dialog only shows
the outcome. Without a connection, "Anmelden" unlocks an account used on this laptop before
(checked against its local verifier). The refresh token goes to the keyring (nikdesk.sync).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nikdesk.core.errors import NikDeskError
from nikdesk.ui.worker import Operation


class SignInDialog(QDialog):
    """Sign in, or register and confirm the email with the code.

    Signals:
        signed_in(object): the :class:`nikdesk.sync.accounts.Account` now current.
    """

    signed_in = Signal(object)

    def __init__(self, parent: QWidget | None = None, server: str = "", email: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Anmelden bei NikDesk")
        self.setObjectName("signInDialog")
        self.setMinimumWidth(460)
        intro = QLabel(
            "Mit einem Konto sind Ihre Unterhaltungen auf jedem Gerät und beim Support. "
            "Einmal online anmelden – danach geht es auch ohne Netz."
        )
        intro.setWordWrap(True)
        self.server = QLineEdit(server)
        self.server.setPlaceholderText("https://nikdesk.firma.de")
        self.email = QLineEdit(email)
        self.email.setPlaceholderText("name@firma.de")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.name = QLineEdit()
        self.name.setPlaceholderText("nur für die Registrierung")
        self.code = QLineEdit()
        self.code.setPlaceholderText("8-stelliger Code aus der E-Mail")
        self.code.setMaxLength(8)
        form = QFormLayout()
        form.addRow("Server", self.server)
        form.addRow("E-Mail", self.email)
        form.addRow("Passwort", self.password)
        form.addRow("Name", self.name)
        form.addRow("Code", self.code)
        self.message = QLabel("")
        self.message.setObjectName("signInMessage")
        self.message.setWordWrap(True)
        self.login_button = QPushButton("Anmelden")
        self.login_button.setDefault(True)
        self.register_button = QPushButton("Registrieren")
        self.verify_button = QPushButton("Code bestätigen")
        self.cancel_button = QPushButton("Abbrechen")
        buttons = QHBoxLayout()
        for button in (
            self.register_button,
            self.verify_button,
            self.cancel_button,
            self.login_button,
        ):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.login_button.clicked.connect(self.login)
        self.register_button.clicked.connect(self.register)
        self.verify_button.clicked.connect(self.verify)
        self.cancel_button.clicked.connect(self.reject)
        self.busy = False

    # -- actions -----------------------------------------------------------------------

    def login(self) -> None:
        """Sign in (online, or offline against the local verifier)."""
        from nikdesk.sync import accounts

        server, email, password = self._fields()
        if not (server and email and password):
            return self._say("Bitte Server, E-Mail und Passwort eingeben.", error=True)
        self._run(
            lambda: accounts.login(server, email, password),
            "Anmeldung läuft …",
            self._logged_in,
        )

    def register(self) -> None:
        """Create the account; the server mails the code."""
        from nikdesk.sync import accounts

        server, email, password = self._fields()
        name = self.name.text().strip()
        if not (server and email and password and name):
            return self._say("Für die Registrierung Server, E-Mail, Passwort und Name.", error=True)
        self._run(
            lambda: accounts.register(server, email, name, password),
            "Registrierung läuft …",
            lambda _r: self._say(
                f"Konto angelegt. Bitte den 8-stelligen Code aus der E-Mail an {email} "
                "eingeben und „Code bestätigen“ drücken."
            ),
        )

    def verify(self) -> None:
        """Confirm the email with the code, then sign in."""
        from nikdesk.sync import accounts

        server, email, password = self._fields()
        code = self.code.text().strip()
        if len(code) != 8 or not code.isdigit():
            return self._say("Der Code hat 8 Ziffern.", error=True)

        def verify_and_login() -> Any:
            accounts.verify(server, email, code)
            return accounts.login(server, email, password) if password else None

        self._run(verify_and_login, "Code wird geprüft …", self._logged_in)

    # -- plumbing ----------------------------------------------------------------------

    def _fields(self) -> tuple[str, str, str]:
        return self.server.text().strip(), self.email.text().strip(), self.password.text()

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #b00020;" if error else "")

    def _run(self, fn: Any, busy_text: str, done: Any) -> None:
        self.busy = True
        self._enable(False)
        self._say(busy_text)
        (
            Operation(fn, self)
            .on_success(done)
            .on_failure(self._failed)
            .on_finished(lambda: self._enable(True))
            .run()
        )

    def _enable(self, on: bool) -> None:
        self.busy = not on
        for button in (self.login_button, self.register_button, self.verify_button):
            button.setEnabled(on)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, NikDeskError):
            self._say(error.text("de"), error=True)
        else:
            self._say("Interner Fehler bei der Anmeldung – bitte erneut versuchen.", error=True)

    def _logged_in(self, account: Any) -> None:
        if account is None:
            self._say("E-Mail bestätigt. Jetzt mit dem Passwort anmelden.")
            return
        self.password.clear()
        self._say(f"Angemeldet als {account.email}.")
        self.signed_in.emit(account)
        self.accept()
