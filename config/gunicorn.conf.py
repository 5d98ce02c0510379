"""gunicorn's settings for Vanguard, used by every gunicorn command in the README:

    .venv/bin/gunicorn -c config/gunicorn.conf.py config.wsgi --bind 127.0.0.1:8000 --workers 4

Options given on the command line win over these.

gunicorn writes `Server: gunicorn` on every answer and has no setting to leave it out;
naming the server software only helps whoever looks for a known flaw in it, so the
HTTP/1 answer is sent without it. (The reverse proxy names itself separately: see the
README's deployment section, nginx's `server_tokens off`.)
"""

from gunicorn.http import wsgi


class _UnnamedResponse(wsgi.Response):
    def default_headers(self) -> list[str]:
        return [
            line for line in super().default_headers() if not line.lower().startswith("server:")
        ]


# gunicorn's workers build each answer through wsgi.create(), which looks this name up
# at call time; the workers are forked from the process that read this file.
wsgi.Response = _UnnamedResponse  # type: ignore[misc]
