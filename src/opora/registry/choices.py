"""The field's fixed lists (docs/domain.md §1, §2), with Russian labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from opora.registry.flags import Flags


class Direction(models.TextChoices):
    TECHNICAL = "technical", _("Техническая")
    NATURAL_SCIENCE = "natural_science", _("Естественнонаучная")
    ARTS = "arts", _("Художественная")
    TOURISM = "tourism", _("Туристско-краеведческая")
    SOCIAL = "social", _("Социально-гуманитарная")
    SPORTS = "sports", _("Физкультурно-спортивная")


class ProgramType(models.TextChoices):
    GENERAL = "general", _("Общеразвивающая")
    PRE_PROFESSIONAL = "pre_professional", _("Предпрофессиональная")
    SPORTS_TRAINING = "sports_training", _("Спортивной подготовки")


class StudyForm(models.TextChoices):
    FULL_TIME = "full_time", _("Очная")
    MIXED = "mixed", _("Очно-заочная")
    CORRESPONDENCE = "correspondence", _("Заочная")


class SeasonalKind(models.TextChoices):
    NONE = "", _("Не сезонная")
    SUMMER_SCHOOL = "summer_school", _("Летняя школа")
    PROFILE_SHIFT = "profile_shift", _("Профильная смена")
    CORRESPONDENCE_SCHOOL = "correspondence_school", _("Заочная школа")


class ProgramStatus(models.TextChoices):
    INITIAL = "initial", _("Черновик")
    MODERATING = "moderating", _("Модерация")
    PUBLISHED = "published", _("Опубликовано")
    WAIT_FOR_EDITING = "wait_for_editing", _("Ожидает правки")
    ARCHIVE = "archive", _("Архив")


class OrganizationKind(models.TextChoices):
    SUPPLEMENTARY = "supplementary", _("Организация дополнительного образования")
    PRESCHOOL = "preschool", _("Дошкольная образовательная организация")
    GENERAL = "general", _("Общеобразовательная организация")
    VOCATIONAL = "vocational", _("Профессиональная образовательная организация")
    HIGHER = "higher", _("Образовательная организация высшего образования")
    PROFESSIONAL_DEVELOPMENT = "professional_development", _(
        "Организация дополнительного профессионального образования"
    )
    NON_TYPICAL = "non_typical", _("Нетиповая образовательная организация")
    SPORTS_TRAINING = "sports_training", _("Организация спортивной подготовки")
    SOLE_TRADER = "sole_trader", _("Индивидуальный предприниматель")


class FounderSector(models.TextChoices):
    EDUCATION = "education", _("Образование")
    SOCIAL_PROTECTION = "social_protection", _("Социальная защита")
    CULTURE = "culture", _("Культура")
    SPORT = "sport", _("Спорт")
    YOUTH = "youth", _("Молодёжная политика")
    OTHER = "other", _("Иное")


class Ownership(models.TextChoices):
    MUNICIPAL = "municipal", _("Муниципальная")
    REGIONAL = "regional", _("Региональная")
    PRIVATE = "private", _("Частная")
    NONPROFIT = "nonprofit", _("НКО")
    SOLE_TRADER = "sole_trader", _("ИП")


class MunicipalityKind(models.TextChoices):
    URBAN_DISTRICT = "urban_district", _("Городской округ")
    MUNICIPAL_DISTRICT = "municipal_district", _("Муниципальный район")
    MUNICIPAL_OKRUG = "municipal_okrug", _("Муниципальный округ")


class TeacherEducation(models.TextChoices):
    HIGHER = "higher", _("Высшее")
    HIGHER_PEDAGOGICAL = "higher_pedagogical", _("Высшее педагогическое")
    VOCATIONAL = "vocational", _("Среднее профессиональное")
    VOCATIONAL_PEDAGOGICAL = "vocational_pedagogical", _("Среднее профессиональное педагогическое")
    OTHER = "other", _("Иное")


class QualificationCategory(models.TextChoices):
    NONE = "none", _("Без категории")
    CONFORMITY = "conformity", _("Соответствие занимаемой должности")
    FIRST = "first", _("Первая")
    HIGHEST = "highest", _("Высшая")


class FundingSource(models.TextChoices):
    BUDGET = "budget", _("Бюджет (бесплатно)")
    CERTIFICATE = "certificate", _("Сертификат")
    SOCIAL = "social_certificate", _("Социальный сертификат")
    PAID = "paid", _("Внебюджет (платно)")
    PRIVATE = "private", _("Частное")


class Level(Flags):
    START = 1, _("Стартовый (ознакомительный)")
    BASE = 2, _("Базовый")
    ADVANCED = 4, _("Продвинутый (углублённый)")


class OvzKind(Flags):
    DEAF = 1, _("Глухие")
    HARD_OF_HEARING = 2, _("Слабослышащие и позднооглохшие")
    BLIND = 4, _("Слепые")
    VISUALLY_IMPAIRED = 8, _("Слабовидящие")
    SPEECH = 16, _("Нарушения речи")
    DEVELOPMENTAL_DELAY = 32, _("Задержка психического развития")
    AUTISM = 64, _("Расстройства аутистического спектра")
    INTELLECTUAL = 128, _("Нарушения интеллекта")
    MUSCULOSKELETAL = 256, _("Нарушения опорно-двигательного аппарата")


class Register(Flags):
    PRE_PROFESSIONAL = 1, _("Предпрофессиональные")
    SIGNIFICANT = 2, _("Значимые")
    OTHER = 4, _("Иные")
    CERTIFIED = 8, _("Сертифицированные")
    PAID = 16, _("Платные")


class Weekday(Flags):
    MON = 1, _("Пн")
    TUE = 2, _("Вт")
    WED = 4, _("Ср")
    THU = 8, _("Чт")
    FRI = 16, _("Пт")
    SAT = 32, _("Сб")
    SUN = 64, _("Вс")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("В очереди")
    RUNNING = "running", _("Проверяется")
    DONE = "done", _("Завершена")
    REFUSED = "refused", _("Файл не принят")
    FAILED = "failed", _("Не удалась")
