from typing import Any

from django.contrib.auth.backends import ModelBackend

from qunfang.core.models import User


class QunfangBackend(ModelBackend):
    """Loads the user with its region and roles in one round trip per request (two queries)."""

    def get_user(self, user_id: Any) -> User | None:
        user = (
            User.objects.select_related("region")
            .prefetch_related("roles")
            .filter(pk=user_id)
            .first()
        )
        return user if user and self.user_can_authenticate(user) else None
