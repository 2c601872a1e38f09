"""The Russian production calendar of 2026 and 2027: the weekdays that are not worked
(public holidays of Labour Code art. 112 and the days off moved by the Government's
decree or by art. 112 from a holiday falling on a weekend). Saturdays and Sundays need no
row. Operators keep the calendar on the hotline's settings page: the 2027 transfers of the
January weekend days follow the Government's draft and must be checked against the decree."""

import datetime as dt

from django.db import migrations

DAYS_OFF = [
    # 2026
    ("2026-01-01", "Новогодние каникулы"), ("2026-01-02", "Новогодние каникулы"),
    ("2026-01-05", "Новогодние каникулы"), ("2026-01-06", "Новогодние каникулы"),
    ("2026-01-07", "Рождество Христово"), ("2026-01-08", "Новогодние каникулы"),
    ("2026-01-09", "Перенос выходного дня с 3 января"),
    ("2026-02-23", "День защитника Отечества"),
    ("2026-03-09", "Перенос с 8 марта (Международный женский день)"),
    ("2026-05-01", "Праздник Весны и Труда"),
    ("2026-05-11", "Перенос с 9 мая (День Победы)"),
    ("2026-06-12", "День России"),
    ("2026-11-04", "День народного единства"),
    ("2026-12-31", "Перенос выходного дня с 4 января"),
    # 2027
    ("2027-01-01", "Новогодние каникулы"), ("2027-01-04", "Новогодние каникулы"),
    ("2027-01-05", "Новогодние каникулы"), ("2027-01-06", "Новогодние каникулы"),
    ("2027-01-07", "Рождество Христово"), ("2027-01-08", "Новогодние каникулы"),
    ("2027-02-22", "Перенос выходного дня с 2 января"),
    ("2027-02-23", "День защитника Отечества"),
    ("2027-03-08", "Международный женский день"),
    ("2027-05-03", "Перенос с 1 мая (Праздник Весны и Труда)"),
    ("2027-05-10", "Перенос с 9 мая (День Победы)"),
    ("2027-06-14", "Перенос с 12 июня (День России)"),
    ("2027-11-04", "День народного единства"),
    ("2027-12-31", "Перенос выходного дня с 3 января"),
]


def seed(apps, schema_editor):
    CalendarDay = apps.get_model("hotline", "CalendarDay")
    for day, note in DAYS_OFF:
        CalendarDay.objects.get_or_create(date=dt.date.fromisoformat(day),
                                          defaults={"is_working": False, "note": note})


def unseed(apps, schema_editor):
    CalendarDay = apps.get_model("hotline", "CalendarDay")
    CalendarDay.objects.filter(date__in=[dt.date.fromisoformat(d) for d, _n in DAYS_OFF]).delete()


class Migration(migrations.Migration):
    dependencies = [("hotline", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
