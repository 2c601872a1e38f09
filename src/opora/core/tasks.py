"""Queuing background tasks with the transaction that asks for them.

``enqueue_with_transaction(task, *args)``: a task backend that keeps its queue in this
database (``django_tasks_db``, production) gets the task's row inside the caller's
transaction — it commits or rolls back with the change and the worker cannot see it
before the commit, at no extra transaction (the row the backend's ``enqueue`` writes,
written with ``opora.rows.insert``: without the ORM's compilation of the INSERT); any
other backend (the immediate one of tests and the demo) runs the task after the commit,
never while the caller's locks are held nor for a change that rolled back.
"""

from django.db import connection, transaction

from opora import rows


def _queue_in_this_database(backend) -> bool:
    from django_tasks_db import DatabaseBackend

    return isinstance(backend, DatabaseBackend) and connection.alias == "default"


def _task_row(backend, task, args):
    """The row ``DatabaseBackend.enqueue`` writes (its ``_task_to_db_task``), unsaved (the
    ``task_enqueued`` signal, a debug log line, is not sent)."""
    from django_tasks.utils import normalize_json
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult(id=backend._get_id(), args_kwargs=normalize_json({"args": args, "kwargs": {}}),
                        priority=task.priority, task_path=task.module_path,
                        queue_name=task.queue_name, run_after=task.run_after,
                        backend_name=backend.alias)


def _enqueue_row(backend, task, args) -> None:
    """The queue's row in one written-out INSERT."""
    backend.validate_task(task)
    rows.insert(_task_row(backend, task, args))


def enqueue_with_transaction(task, *args) -> None:
    backend = task.get_backend()
    if connection.in_atomic_block and _queue_in_this_database(backend):
        _enqueue_row(backend, task, args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))


def enqueue_many_with_transaction(task, args_list) -> None:
    """``enqueue_with_transaction`` for many calls of one task: the queue's rows in one
    written-out INSERT (a set-based run such as the opening-day settler)."""
    args_list = [list(args) for args in args_list]
    if not args_list:
        return
    backend = task.get_backend()
    if connection.in_atomic_block and _queue_in_this_database(backend):
        backend.validate_task(task)
        rows.insert_many([_task_row(backend, task, args) for args in args_list])
    else:
        transaction.on_commit(lambda: [task.enqueue(*args) for args in args_list])
