from django.urls import path

from opora.core import views

app_name = "core"
urlpatterns = [
    path("accessible/", views.accessible, name="accessible"),
    path("favicon.ico", views.favicon),
]
