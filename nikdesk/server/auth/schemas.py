"""Request and response bodies of the account routes (the reference API's field names)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field

CODE_PATTERN = r"^\s*\d{8}\s*$"


class UserRead(BaseModel):
    """A user as the API shows it (no password hash, no token epoch)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    email: str
    display_name: str
    role: str
    is_active: bool
    is_verified: bool
    is_superuser: bool
    created_at: datetime


class UserCreate(BaseModel):
    email: EmailStr
    password: str = Field(min_length=1, max_length=1024)
    display_name: str = Field(default="", max_length=200)


class UserUpdate(BaseModel):
    """PATCH /auth/me: a new password needs the current one."""

    display_name: str | None = Field(default=None, max_length=200)
    email: EmailStr | None = None
    password: str | None = Field(default=None, min_length=1, max_length=1024)
    current_password: str | None = Field(default=None, max_length=1024)


class EmailIn(BaseModel):
    email: EmailStr


class TokenIn(BaseModel):
    token: str = Field(max_length=4096)


class VerifyCodeIn(BaseModel):
    email: EmailStr
    code: str = Field(pattern=CODE_PATTERN, description="the 8-digit code from the mail")


class ResetPasswordIn(BaseModel):
    token: str = Field(max_length=4096)
    password: str = Field(min_length=1, max_length=1024)


class ResetPasswordCodeIn(BaseModel):
    email: EmailStr
    code: str = Field(pattern=CODE_PATTERN)
    password: str = Field(min_length=1, max_length=1024)


class RefreshIn(BaseModel):
    refresh_token: str = Field(max_length=4096)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    refresh_token: str
    expires_in: int
    signin_id: str = Field(description="id of this sign-in (see GET /auth/devices)")


class SignInRead(BaseModel):
    """One active sign-in (refresh family) of the user: a laptop, a browser, a script."""

    id: str
    device_id: str | None
    device_name: str
    user_agent: str
    created_at: datetime
    last_used_at: datetime | None
    current: bool
