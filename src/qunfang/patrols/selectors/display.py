"""The read behind the screen at a patrol point (views/display.py): the display link a token
opens. Links are made and withdrawn in services/displays.py; only a token's SHA-256 is kept."""

from __future__ import annotations

import hashlib

from qunfang.patrols.models import PointDisplay

MAX_TOKEN_LENGTH = 64  # anything longer is not one of ours: no hashing of arbitrary input


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def display_for_token(token: str) -> PointDisplay | None:
    """The link a token opens, revoked or not; None for a token that was never made."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return (
        PointDisplay.objects.select_related("point__region__parent")
        .filter(token_hash=token_hash(token))
        .first()
    )
