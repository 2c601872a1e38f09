from django.urls import path

from opora.portal import views

app_name = "portal"
urlpatterns = [
    path("office/portal/", views.office, name="office"),
]
