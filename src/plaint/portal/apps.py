from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "plaint.portal"
    label = "portal"
    verbose_name = "Customer portal"
