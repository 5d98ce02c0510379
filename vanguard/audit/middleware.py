from vanguard.audit.context import acting_as, set_actor


class AuditActorMiddleware:
    """Makes the logged-in person the actor of every write during their request.

    The actor is named once the view is known (`process_view`, before it runs): a view
    marked `reads_no_user = True` (the public card-vote page, which writes with no
    actor) is left without one, and `request.user` stays unread, so that its request
    loads no session and looks up no user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_as(None):
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "reads_no_user", False):
            set_actor(getattr(request, "user", None))
