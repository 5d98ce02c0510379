"""API token management URLs (included under accounts/tokens/, namespace "accounts")."""

urlpatterns: list = []
