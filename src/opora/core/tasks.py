"""Queuing background tasks with the transaction that asks for them.

``enqueue_with_transaction(task, *args)``: a task backend that keeps its queue in this
database (``django_tasks_db``, production) gets the task's row inside the caller's
transaction — it commits or rolls back with the change and the worker cannot see it
before the commit, at no extra transaction; any other backend (the immediate one of
tests and the demo) runs the task after the commit, never while the caller's locks are
held nor for a change that rolled back.
"""

from django.db import connection, transaction


def _queue_in_this_database(backend) -> bool:
    from django_tasks_db import DatabaseBackend

    return isinstance(backend, DatabaseBackend) and connection.alias == "default"


def enqueue_with_transaction(task, *args) -> None:
    backend = task.get_backend()
    if connection.in_atomic_block and _queue_in_this_database(backend):
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))
