from django.urls import path

from opora.navigator import views

app_name = "navigator"
urlpatterns = [
    path("", views.home, name="home"),
]
