"""URLs of the materials app (namespace "materials", under /materials/): each workflow
adds its own sub-package's patterns here."""

app_name = "materials"

urlpatterns: list = []
