from django.urls import path

from opora.office import views

app_name = "office"
urlpatterns = [
    path("office/", views.dashboard, name="dashboard"),
]
