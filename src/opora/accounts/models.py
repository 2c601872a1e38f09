from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PARENT = "parent", _("Родитель (законный представитель)")
    ORGANIZATION_STAFF = "organization_staff", _("Сотрудник организации")
    SUPPORT_CENTRE = "support_centre", _("Оператор МОЦ")
    EDUCATION_AUTHORITY = "education_authority", _("Управление образования")
    REGIONAL_CENTRE = "regional_centre", _("Оператор РМЦ")
    EXPERT = "expert", _("Эксперт")
    TEACHER = "teacher", _("Педагог")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **fields):
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username):
        return self.get(email__iexact=self.normalize_email(username).strip())

    def create_user(self, email, password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        fields.setdefault("role", Role.REGIONAL_CENTRE)
        return self._create(email, password, **fields)

    def centre_heads(self, municipality_id: int) -> list:
        """Who is told what the head of a municipality's МОЦ must know (plan deadlines,
        overdue hotline questions): the operator marked as head, or every active МОЦ
        operator there while none is marked."""
        operators = self.filter(is_active=True, role=Role.SUPPORT_CENTRE,
                                municipality_id=municipality_id).order_by("pk")
        return list(operators.filter(is_centre_head=True)) or list(operators)


class User(AbstractUser):
    """An account. One role per account, with the territory the role covers:
    a municipality for МОЦ operators, authorities and parents, an organization
    for its staff, nothing for the РМЦ (the whole region)."""

    username = None
    email = models.EmailField(_("e-mail"), unique=True)
    patronymic = models.CharField(_("отчество"), max_length=150, blank=True)
    phone = models.CharField(_("телефон"), max_length=30, blank=True)
    role = models.CharField(_("роль"), max_length=30, choices=Role.choices, default=Role.PARENT)
    municipality = models.ForeignKey(
        "registry.Municipality", verbose_name=_("муниципалитет"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="users",
    )
    organization = models.ForeignKey(
        "registry.Organization", verbose_name=_("организация"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="staff",
    )
    # A teacher's own account is tied to the teacher's record in the registry: the record
    # is its territory, as an organization is the staff's (opora.training.invitations).
    teacher = models.OneToOneField(
        "registry.Teacher", verbose_name=_("педагог"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="account",
    )
    # Empty only while a self-registered parent has not opened the link sent to the
    # address. Accounts made by someone else (the admin, the demo, a provider's walk-in,
    # whose parent gets in through «Забыли пароль?», which proves the address) count as
    # confirmed when created.
    email_confirmed_at = models.DateTimeField(_("e-mail подтверждён"), null=True, blank=True,
                                              default=timezone.now)
    personal_data_consent_at = models.DateTimeField(
        _("согласие на обработку своих персональных данных"), null=True, blank=True)
    # The head of the МОЦ among its operators: gets the reminders of the МОЦ's plans.
    is_centre_head = models.BooleanField(
        _("руководитель МОЦ"), default=False,
        help_text=_("Оператор МОЦ, возглавляющий центр: ему приходят напоминания о сроках "
                    "плана. В муниципалитете один руководитель."))

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []
    objects = UserManager()

    class Meta:
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")
        constraints = [
            models.CheckConstraint(
                name="staff_has_organization",
                condition=~Q(role="organization_staff") | Q(organization__isnull=False),
                violation_error_message=_("Сотруднику организации нужно указать организацию."),
            ),
            models.CheckConstraint(
                name="municipal_roles_have_municipality",
                condition=~Q(role__in=["support_centre", "education_authority"])
                | Q(municipality__isnull=False),
                violation_error_message=_(
                    "Оператору МОЦ и управлению образования нужно указать муниципалитет."),
            ),
            models.CheckConstraint(
                name="centre_head_is_an_operator",
                condition=Q(is_centre_head=False) | Q(role="support_centre"),
                violation_error_message=_("Руководителем МОЦ может быть только оператор МОЦ."),
            ),
            models.UniqueConstraint(
                fields=["municipality"], condition=Q(is_centre_head=True),
                name="one_centre_head_per_municipality",
                violation_error_message=_("У МОЦ этого муниципалитета уже есть руководитель."),
            ),
            models.CheckConstraint(
                name="teacher_has_record",
                condition=~Q(role="teacher") | Q(teacher__isnull=False),
                violation_error_message=_("Педагогу нужно указать его запись в реестре."),
            ),
        ]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = (self.email or "").strip().lower()

    @property
    def full_name(self):
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def email_confirmed(self):
        return self.email_confirmed_at is not None

    @property
    def short_name(self):
        initials = "".join(f"{p[0]}." for p in (self.first_name, self.patronymic) if p)
        return f"{self.last_name} {initials}".strip() or self.email


def axes_username(request, credentials):
    """The login name django-axes counts failures for: the e-mail, lower-cased."""
    source = credentials if credentials else request.POST
    return (source.get("username") or source.get("email") or "").strip().lower()
