from django.apps import AppConfig


class AttributionConfig(AppConfig):
    name = "attribution"
    verbose_name = "Tracking & attribution"

    def ready(self):
        # The collector's CORS hook and its drain task register themselves on import.
        from attribution.tracking import cors, tasks  # noqa: F401
