from django.urls import path

from opora.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("office/", views.dashboard, name="dashboard"),
    path("accessible/", views.toggle_accessible, name="accessible"),
]
