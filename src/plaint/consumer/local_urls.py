"""The local workspace's URLconf: the consumer's pages at the root, nothing else."""

from django.urls import include, path

urlpatterns = [path("", include("plaint.consumer.urls"))]
