"""Mounted by the project at ``api/v1/``; URL names live in the ``api`` namespace."""

from django.urls import path

from opora.api.api import api

urlpatterns = [
    path("", api.urls),
]
