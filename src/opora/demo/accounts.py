"""The demo's fixed accounts: one per role, with a known password, printed by ``opora demo``."""

import uuid
from typing import NamedTuple

from django.contrib.auth.hashers import check_password, make_password
from django.utils.translation import gettext_lazy as _

from opora.accounts.models import Role, User
from opora.demo.organizations import ORGANIZATIONS, PLACES
from opora.registry.choices import QualificationCategory
from opora.registry.models import Municipality, Organization, Teacher

PASSWORD = "demo12345"
ADMIN = "admin"  # the superuser's row in the table; not a role


class DemoAccount(NamedTuple):
    email: str
    role: str
    name: tuple  # last, first, patronymic
    place: str  # key of the municipality in PLACES, or ""
    organization: str  # "support_centre", "showcase", "teacher" (a teacher of the showcase) or ""
    can: object  # what they can do, for the printed table


ACCOUNTS = (
    DemoAccount("moc@demo.opora", Role.SUPPORT_CENTRE, ("Кравцова", "Ирина", "Владимировна"),
                "city", "support_centre",
                _("модерирует программы городского округа Северск, ведёт реестр организаций")),
    DemoAccount("staff@demo.opora", Role.ORGANIZATION_STAFF, ("Белова", "Наталья", "Сергеевна"),
                "city", "showcase",
                _("ведёт программы, группы и педагогов Дома детского творчества "
                  "(программы во всех статусах)")),
    DemoAccount("authority@demo.opora", Role.EDUCATION_AUTHORITY,
                ("Громов", "Виктор", "Николаевич"), "city", "",
                _("видит программы и организации городского округа Северск, ведёт периоды "
                  "финансирования и расчёты с организациями")),
    DemoAccount("rmc@demo.opora", Role.REGIONAL_CENTRE, ("Лебедева", "Ольга", "Игоревна"),
                "", "", _("видит данные всех муниципалитетов области")),
    DemoAccount("parent@demo.opora", Role.PARENT, ("Смирнов", "Алексей", "Павлович"),
                "city", "", _("ищет кружки и секции в навигаторе")),
    DemoAccount("expert@demo.opora", Role.EXPERT, ("Захарова", "Татьяна", "Михайловна"),
                "", "", _("оценивает программы, назначенные МОЦ: экспертные листы "
                          "независимой оценки качества")),
    DemoAccount("teacher@demo.opora", Role.TEACHER, ("Ковалёва", "Елена", "Андреевна"),
                "city", "teacher",
                _("педагог Дома детского творчества: сама записывается на семинары и курсы, "
                  "видит свои часы повышения квалификации и сертификаты")),
    DemoAccount("admin@demo.opora", ADMIN, ("Орлов", "Дмитрий", "Андреевич"), "", "",
                _("администрирование системы, /admin/")),
    DemoAccount("moc.ozersk@demo.opora", Role.SUPPORT_CENTRE, ("Фёдорова", "Анна", "Юрьевна"),
                "town", "support_centre", _("модерирует программы городского округа Озёрск")),
    DemoAccount("moc.lesnoy@demo.opora", Role.SUPPORT_CENTRE, ("Никитин", "Сергей", "Васильевич"),
                "rural", "support_centre", _("модерирует программы Лесного муниципального района")),
)

SHOWCASE = next(t for t in ORGANIZATIONS if t.is_showcase)


def role_label(account: DemoAccount) -> str:
    return str(_("Администратор")) if account.role == ADMIN else str(Role(account.role).label)


def staff_email(slug: str) -> str:
    """The account of the staff of every other demo organization."""
    return f"staff.{slug}@demo.opora"


def password_hash() -> str:
    # Hashing is deliberately slow; the demo hashes its one password once per run.
    return make_password(PASSWORD)


def _territory(region, account: DemoAccount) -> dict:
    if account.role == ADMIN:
        return {"role": Role.REGIONAL_CENTRE, "is_staff": True, "is_superuser": True,
                "municipality": None, "organization": None, "is_centre_head": False}
    municipality = organization = None
    if account.place:
        oktmo = next(p.oktmo for p in PLACES if p.key == account.place)
        municipality = Municipality.objects.get(region=region, oktmo=oktmo)
    if account.organization == "support_centre":
        organization = Organization.objects.filter(municipality=municipality,
                                                   is_support_centre=True).first()
    elif account.organization in ("showcase", "teacher"):
        organization = Organization.objects.filter(municipality=municipality,
                                                   short_name=SHOWCASE.short_name).first()
        if organization is None:
            raise LookupError(f"{SHOWCASE.short_name} is missing from the demo region")
    if account.organization == "teacher":
        # A teacher's account has no organization or municipality of its own: its territory
        # is the teacher's record, kept in the showcase under the account's name.
        return {"role": account.role, "is_staff": False, "is_superuser": False, "municipality": None,
                "organization": None, "teacher": _demo_teacher(organization, account)}
    return {"role": account.role, "is_staff": False, "is_superuser": False,
            "municipality": municipality, "organization": organization,
            # the МОЦ's operator is its head: the plan's reminders go to her
            "is_centre_head": account.role == Role.SUPPORT_CENTRE}


def _demo_teacher(organization, account: DemoAccount) -> Teacher:
    last, first, patronymic = account.name
    teacher, _created = Teacher.objects.get_or_create(
        organization=organization, last_name=last, first_name=first, patronymic=patronymic,
        defaults={"uuid": uuid.uuid5(uuid.NAMESPACE_URL, account.email),
                  "position": "Педагог дополнительного образования",
                  "category": QualificationCategory.FIRST})
    return teacher


def ensure_accounts(region, hashed: str | None = None) -> dict[str, User]:
    """Make every demo account exist, active, with its role, territory and the printed
    password; touch nothing that is already right. Returns users by e-mail."""
    users = {u.email: u for u in User.objects.filter(email__in=[a.email for a in ACCOUNTS])}
    # Accounts usually share one hash: check each distinct one once, not each account.
    valid = {h for h in {u.password for u in users.values()} if check_password(PASSWORD, h)}
    for account in ACCOUNTS:
        last, first, patronymic = account.name
        fields = _territory(region, account)
        user = users.get(account.email)
        if user is None:
            hashed = hashed or password_hash()
            user = User.objects.create(email=account.email, password=hashed, last_name=last,
                                       first_name=first, patronymic=patronymic, **fields)
            users[account.email] = user
            continue
        changed = [name for name, value in fields.items() if getattr(user, name) != value]
        for name in changed:
            setattr(user, name, fields[name])
        if not user.is_active:
            user.is_active = True
            changed.append("is_active")
        if user.password not in valid:
            hashed = hashed or password_hash()
            user.password = hashed
            valid.add(hashed)
            changed.append("password")
        if changed:
            user.save(update_fields=changed)
    _unlock(users)
    return users


def _unlock(users):
    """Failed logins may have locked a demo account; the printed password must work."""
    from axes.utils import reset

    for email in users:
        reset(username=email)
