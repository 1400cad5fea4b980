"""Sign-in management: refresh (rotating), log out everywhere, list/revoke active sign-ins."""

from __future__ import annotations

from fastapi import APIRouter, Response

from nikdesk.server.auth import signins
from nikdesk.server.auth.deps import DB, Claims, CurrentUser, ReadDB, Settings
from nikdesk.server.auth.schemas import RefreshIn, SignInRead, TokenOut
from nikdesk.server.errors import not_found, responses, unauthorized
from nikdesk.server.models import RefreshToken, User

router = APIRouter(prefix="/auth", tags=["auth"])
ERRORS = responses(401, 404)


@router.post("/refresh", response_model=TokenOut, responses=ERRORS)
def refresh(body: RefreshIn, db: DB, settings: Settings) -> dict[str, object]:
    """Swap a refresh token for a new pair; a reused (already swapped) token kills the sign-in."""
    try:
        pair = signins.rotate(db, settings, body.refresh_token)
    except signins.RefreshRejected:
        db.commit()  # keep a family revocation caused by reuse
        raise unauthorized(
            "Die Anmeldung ist abgelaufen. Bitte melden Sie sich erneut an."
        ) from None
    db.commit()
    return pair.as_json()


@router.post("/logout-all", status_code=204, responses=ERRORS)
def logout_all(db: DB, user: CurrentUser) -> Response:
    """Sign out on every device: all tokens of the user stop working at once."""
    row = db.get(User, user.id, with_for_update=True)
    assert row is not None
    signins.revoke_all(db, row)
    db.commit()
    return Response(status_code=204)


@router.get("/devices", response_model=list[SignInRead], responses=ERRORS)
def list_signins(db: ReadDB, user: CurrentUser, claims: Claims) -> list[SignInRead]:
    """List the user's active sign-ins (one per device/browser), the current one marked."""
    rows = signins.active(db, user.id)
    return [
        SignInRead(
            id=r.family_id,
            device_id=r.device_id,
            device_name=r.device_name,
            user_agent=r.user_agent,
            created_at=r.created_at,
            last_used_at=r.last_used_at,
            current=r.family_id == claims.family_id,
        )
        for r in rows
    ]


@router.delete("/devices/{signin_id}", status_code=204, responses=ERRORS)
def revoke_signin(signin_id: str, db: DB, user: CurrentUser) -> Response:
    """Sign out one device (its tokens stop working at once)."""
    owned = db.query(RefreshToken.id).filter_by(family_id=signin_id, user_id=user.id).first()
    if owned is None:
        raise not_found("Anmeldung")
    signins.revoke_family(db, signin_id)
    db.commit()
    return Response(status_code=204)
