from vanguard.audit.context import acting_as


class AuditActorMiddleware:
    """Makes the logged-in person the actor of every write during their request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_as(getattr(request, "user", None)):
            return self.get_response(request)
