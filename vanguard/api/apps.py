from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "vanguard.api"
    verbose_name = "API"
