"""Accounts: passwords (pwdlib/argon2), JWTs (PyJWT), mail codes, refresh families, dependencies.

Route dependencies to import elsewhere::

    from nikdesk.server.auth.deps import (
        current_user, require_verified, require_support, require_admin,  # functions
        CurrentUser, VerifiedUser, SupportUser, AdminUser, DB, ReadDB, Settings,  # Annotated
    )
"""
