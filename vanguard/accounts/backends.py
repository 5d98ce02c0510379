"""The signed-in person, loaded once per request with what every page reads of them.

Every page's navigation and scope reads the login's member record and its branch (the
reverse relation `user.member`, as the rest of accounts reaches it: accounts imports no
other app). Django's `ModelBackend.get_user` loads the login alone, and the member and
the branch then cost a query each on every request; here they come in the login's own
query (a login with no member record reads as one, without a query of its own).
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from vanguard.accounts.models import User

# What `get_user` loads beside the login: the member record and its branch.
PERSON_RELATED = ("member__branch",)


class PersonBackend(ModelBackend):
    """Passwords as `ModelBackend` checks them; the session's person as above."""

    def get_user(self, user_id: int) -> User | None:  # type: ignore[override]
        try:
            user = User._default_manager.select_related(*PERSON_RELATED).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
