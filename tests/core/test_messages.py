"""The message store (``opora.core.middleware.MessageMiddleware``): made when a view or a
template first uses it, so that an API answer builds none; a message a view adds is
kept for the next page exactly as Django's own middleware keeps it."""

from django.contrib import messages
from django.contrib.messages.middleware import MessageMiddleware as DjangosMessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.functional import empty

from opora.core.middleware import MessageMiddleware


def _adds_a_message(request):
    messages.success(request, "Программа сохранена.")
    return HttpResponse()


def _reads_messages(request):
    return HttpResponse(" | ".join(str(message) for message in messages.get_messages(request)))


def _through(middleware_class, view, cookies=None):
    request = RequestFactory().get("/")
    request.COOKIES.update(cookies or {})
    SessionMiddleware(view).process_request(request)  # the fallback store keeps to the session
    return middleware_class(view)(request), request


def test_an_api_answer_makes_no_message_store(client, db):
    response = client.get("/api/v1/programs")

    assert response.status_code == 200
    assert response.wsgi_request._messages._wrapped is empty
    assert "messages" not in response.cookies


def test_a_message_is_kept_for_the_next_page_as_django_keeps_it():
    ours, _request = _through(MessageMiddleware, _adds_a_message)
    djangos, _request = _through(DjangosMessageMiddleware, _adds_a_message)

    assert ours.cookies["messages"].value  # the cookie store takes it first
    assert (ours.cookies["messages"].value.split(":")[0]
            == djangos.cookies["messages"].value.split(":")[0])  # the same messages, signed

    page, _request = _through(MessageMiddleware, _reads_messages,
                              cookies={"messages": ours.cookies["messages"].value})
    assert page.content.decode() == "Программа сохранена."
    assert page.cookies["messages"].value == ""  # shown once: the cookie is deleted


def test_a_page_that_reads_no_messages_leaves_them_waiting():
    added, _request = _through(MessageMiddleware, _adds_a_message)
    response, request = _through(MessageMiddleware, lambda request: HttpResponse(),
                                 cookies={"messages": added.cookies["messages"].value})

    assert request._messages._wrapped is empty
    assert "messages" not in response.cookies  # the browser keeps its cookie
