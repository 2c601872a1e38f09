"""Pages of enrolment, mounted at the site root: the parent's ``cabinet/``, the apply page
``enrol/<group>/``, the provider's ``office/applications/`` and the МОЦ's
``office/children/``."""

from django.urls import path

from opora.enrollment.views import cabinet, children, municipal_task, office

app_name = "enrollment"
urlpatterns = [
    path("cabinet/", cabinet.cabinet, name="cabinet"),
    path("cabinet/children/new/", cabinet.child_add, name="child_add"),
    path("cabinet/children/<uuid:uuid>/", cabinet.child_edit, name="child_edit"),
    path("cabinet/walk-ins/<int:pk>/accept/", cabinet.walk_in_accept, name="walk_in_accept"),
    path("cabinet/applications/", cabinet.applications, name="applications"),
    path("cabinet/applications/<uuid:uuid>/", cabinet.application, name="application"),
    path("cabinet/applications/<uuid:uuid>/withdraw/", cabinet.withdraw, name="withdraw"),
    path("cabinet/favourites/", cabinet.favourites, name="favourites"),
    path("cabinet/favourites/<int:program_id>/", cabinet.favourite, name="favourite"),
    path("enrol/<int:group_id>/", cabinet.apply, name="apply"),
    path("office/applications/", office.applications, name="office_applications"),
    path("office/applications/process/", office.process, name="office_process"),
    path("office/applications/walk-in/", office.walk_in, name="walk_in"),
    path("office/applications/<int:pk>/", office.application, name="office_application"),
    path("office/municipal-task/", municipal_task.overview, name="municipal_tasks"),
    path("office/municipal-task/rule/", municipal_task.save_rule, name="municipal_task_rule"),
    path("office/municipal-task/<int:pk>/", municipal_task.edit, name="municipal_task_edit"),
    path("office/children/", children.children, name="children"),
    path("office/children/duplicates/", children.duplicates, name="duplicates"),
    path("office/children/duplicates/merge/", children.merge, name="merge"),
    path("office/children/duplicates/distinct/", children.mark_distinct, name="mark_distinct"),
    path("office/children/guardians/", children.guardians, name="guardians"),
    path("office/children/guardians/<int:pk>/", children.guardian_decide, name="guardian_decide"),
]
