from django.urls import path

from opora.navigator import backoffice, views

app_name = "navigator"
urlpatterns = [
    path("", views.home, name="home"),
    path("map/", views.map_page, name="map"),
    path("programs/<int:pk>/", views.program, name="program"),
    path("organizations/<int:pk>/", views.organization, name="organization"),
    path("directions/", views.directions, name="directions"),
    path("directions/<str:code>/", views.direction, name="direction"),
    path("opendata/", views.opendata_index, name="opendata"),
    path("opendata/programs.csv", views.opendata_csv, name="opendata_csv"),
    path("opendata/programs.json", views.opendata_json, name="opendata_json"),
    path("office/search-dictionary/", backoffice.dictionary_list, name="dictionary"),
    path("office/search-dictionary/<int:pk>/", backoffice.dictionary_edit, name="dictionary_edit"),
]
