"""A JSON client for the API and the registry a back office sees."""

import pytest
from django.test import Client

PREFIX = "/api/v1"


class ApiClient:
    """Speaks JSON to ``/api/v1/`` as one user (or anonymously), like a browser with its session."""

    def __init__(self, user=None, **client_options):
        self.http = Client(**client_options)
        if user is not None:
            self.http.force_login(user)

    def get(self, path, **query):
        return self.http.get(PREFIX + path, query)

    def post(self, path, body=None, headers=None):
        return self.http.post(PREFIX + path, {} if body is None else body,
                              content_type="application/json", headers=headers)

    def patch(self, path, body):
        return self.http.patch(PREFIX + path, body, content_type="application/json")

    def put(self, path, body=None):
        return self.http.put(PREFIX + path, {} if body is None else body, content_type="application/json")

    def delete(self, path):
        return self.http.delete(PREFIX + path)


@pytest.fixture
def api(db):
    """``api(user)`` → a client signed in as ``user``; ``api()`` → anonymous."""
    return ApiClient
