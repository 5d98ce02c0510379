"""The WSGI application of the benchmarks only (`manage.py bench_burst`): the whole site,
as config.wsgi serves it, plus a hello-world Django view at /bench/hello/, the ceiling
every page is measured against (issue 17: same gunicorn, same workers, same middleware,
same run). Production serves config.wsgi, whose URLs this module leaves unchanged.

    .venv/bin/gunicorn -c config/gunicorn.conf.py config.wsgi_bench --bind 127.0.0.1:8001
"""

import os

from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()


def hello(request: HttpRequest) -> HttpResponse:
    """The least a Django view can do: the same middleware as every page, no query."""
    return HttpResponse("Hello, world\n", content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("bench/hello/", hello),
    path("", include("config.urls")),
]

# This module is the URL configuration of the application above (read per request).
from django.conf import settings  # noqa: E402

settings.ROOT_URLCONF = __name__
