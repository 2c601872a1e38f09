"""The bare floor of ``rush.py``: the least a Django app can do for one submission.

    gunicorn bench.floor:application   (rush.py starts it; DATABASE_URL names the database)

One view, ``POST /api/v1/applications`` with the rush's JSON body: in one transaction the
conditional seat UPDATE of the group (else the next queue number) and the INSERT of the
application, answered with its id and status (201, or 200 with the row already there
for a repeat of the pair). No middleware, no authentication, no gate, no audit row, no
mail: what the project's submission costs above this is its own code. The database
settings (persistent connections included) are the project's own, read from
``opora.settings`` with the same environment, so both servers connect alike.
"""

import json

import django
from django.conf import settings
from django.db import connection, transaction
from django.http import JsonResponse
from django.urls import path

SCHEMA = [
    "DROP TABLE IF EXISTS bench_floor_application, bench_floor_group",
    "CREATE TABLE bench_floor_group (id bigint PRIMARY KEY, seats_taken integer NOT NULL DEFAULT 0, "
    "capacity_max integer NOT NULL, queue_last integer NOT NULL DEFAULT 0)",
    "CREATE TABLE bench_floor_application (id bigserial PRIMARY KEY, child_id bigint NOT NULL, "
    "group_id bigint NOT NULL REFERENCES bench_floor_group (id), status varchar(20) NOT NULL, "
    "queue_number integer, created_at timestamptz NOT NULL DEFAULT now(), "
    "UNIQUE (child_id, group_id))",
]


def prepare(cursor, groups: dict[int, int]) -> None:
    """(Re)create the floor's two tables with ``groups`` (id → seats), on a cursor of
    the rush's database."""
    for statement in SCHEMA:
        cursor.execute(statement)
    cursor.executemany("INSERT INTO bench_floor_group (id, capacity_max) VALUES (%s, %s)",
                       list(groups.items()))


def submit(request):
    data = json.loads(request.body)
    child, group = int(data["child"]), int(data["group"])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE bench_floor_group SET seats_taken = seats_taken + 1 "
                       "WHERE id = %s AND seats_taken < capacity_max RETURNING id", [group])
        queue_number = None
        if cursor.fetchone() is None:
            cursor.execute("UPDATE bench_floor_group SET queue_last = queue_last + 1 WHERE id = %s "
                           "RETURNING queue_last", [group])
            queue_number = cursor.fetchone()[0]
        status = "new" if queue_number is None else "waitlisted"
        cursor.execute("INSERT INTO bench_floor_application (child_id, group_id, status, queue_number) "
                       "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id",
                       [child, group, status, queue_number])
        row = cursor.fetchone()
        if row is None:  # a repeat: the seat taken above goes back with the rollback
            transaction.set_rollback(True)
    if row is not None:
        return JsonResponse({"id": row[0], "status": status}, status=201)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, status FROM bench_floor_application WHERE child_id = %s "
                       "AND group_id = %s", [child, group])
        pk, status = cursor.fetchone()
    return JsonResponse({"id": pk, "status": status})


def ready(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({})


urlpatterns = [path("api/v1/applications", submit), path("api/v1/children", ready),
               path("api/v1/dictionaries", ready)]

if not settings.configured:
    from opora import settings as project

    settings.configure(DEBUG=False, SECRET_KEY="floor", ALLOWED_HOSTS=["127.0.0.1"],
                       ROOT_URLCONF=__name__, DATABASES=project.DATABASES, MIDDLEWARE=[],
                       INSTALLED_APPS=[], USE_TZ=True)
    django.setup()

    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
