from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo and load-test data: `seed_demo` (a believable city through the real services) and
    `generate_reports` (millions of synthetic reports past the services, for benchmarks).
    Nothing in the product imports this app; it depends on the others, never the reverse."""

    name = "demo"
    verbose_name = _("Demo data")
