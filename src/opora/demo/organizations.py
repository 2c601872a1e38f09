"""The demo region's territories and its sixty providers, described once."""

from typing import NamedTuple

from opora.registry.choices import (
    Direction,
    FounderSector,
    MunicipalityKind,
    OrganizationKind,
    Ownership,
)

REGION_NAME = "Северная область"


class Place(NamedTuple):
    key: str
    slug: str  # for e-mail domains
    name: str
    kind: str
    oktmo: str
    settlement: str
    postcode: str
    area_code: str
    children_previous_year: int
    children_this_year: int
    price_factor: float  # prices outside the city are lower
    is_rural: bool
    # where its organizations are on the map: a centre and how far around it (degrees)
    latitude: float = 56.60
    longitude: float = 84.88
    spread: float = 0.03


# ОКТМО: the fictional region takes the unused code 02; in the third digit
# 7 marks an urban district and 6 a municipal district, as in the real classifier.
PLACES = (
    Place("city", "seversk", "Городской округ Северск", MunicipalityKind.URBAN_DISTRICT, "02701000",
          "г. Северск", "1790", "8140", 26840, 27315, 1.0, False, 56.600, 84.880, 0.025),
    Place("town", "ozersk", "Городской округ Озёрск", MunicipalityKind.URBAN_DISTRICT, "02704000",
          "г. Озёрск", "1792", "8141", 6410, 6352, 0.85, False, 56.350, 84.330, 0.015),
    Place("rural", "lesnoy", "Лесной муниципальный район", MunicipalityKind.MUNICIPAL_DISTRICT, "02620000",
          "пгт Лесной", "1793", "8142", 3185, 3120, 0.7, True, 57.050, 85.450, 0.15),
)

LEGAL_FORMS = {
    "МБУ ДО": "Муниципальное бюджетное учреждение дополнительного образования",
    "МАУ ДО": "Муниципальное автономное учреждение дополнительного образования",
    "МБОУ": "Муниципальное бюджетное общеобразовательное учреждение",
    "МАОУ": "Муниципальное автономное общеобразовательное учреждение",
    "МБДОУ": "Муниципальное бюджетное дошкольное образовательное учреждение",
    "МАДОУ": "Муниципальное автономное дошкольное образовательное учреждение",
    "МБУ": "Муниципальное бюджетное учреждение",
    "МБУК": "Муниципальное бюджетное учреждение культуры",
    "ГАПОУ": "Государственное автономное профессиональное образовательное учреждение "
             "Северной области",
    "ГБПОУ": "Государственное бюджетное профессиональное образовательное учреждение "
             "Северной области",
    "ГАОУ ВО": "Государственное автономное образовательное учреждение высшего образования "
               "Северной области",
    "ГАУ ДПО": "Государственное автономное учреждение дополнительного профессионального "
               "образования Северной области",
    "ГАУ ДО": "Государственное автономное учреждение дополнительного образования Северной области",
    "ГБУ СО": "Государственное бюджетное учреждение социального обслуживания Северной области",
    "АНО ДО": "Автономная некоммерческая организация дополнительного образования",
    "АНО": "Автономная некоммерческая организация",
    "ООО": "Общество с ограниченной ответственностью",
}

_DIRECTION_LETTERS = {
    "T": Direction.TECHNICAL, "N": Direction.NATURAL_SCIENCE, "A": Direction.ARTS,
    "R": Direction.TOURISM, "S": Direction.SOCIAL, "P": Direction.SPORTS,
}


class OrganizationTemplate(NamedTuple):
    place: str
    short_name: str
    full_name: str
    kind: str
    sector: str
    ownership: str
    slug: str  # for e-mail addresses and the staff account
    weight: int  # share of the region's programs
    profile: dict  # direction -> weight
    specialisations: frozenset  # if not empty, only these within a direction that has any
    village: str
    is_support_centre: bool
    is_showcase: bool  # the organization of the staff@ demo account
    owner: tuple  # the sole trader's (last, first, patronymic)


def _profile(letters: str) -> dict:
    """«T2 A1» -> {technical: 2, arts: 1}; letters: Technical, Natural science, Arts,
    Route (tourism), Social, Physical (sports)."""
    return {_DIRECTION_LETTERS[item[0]]: int(item[1:] or 1) for item in letters.split()}


def _org(place, legal, name, kind, sector, ownership, slug, weight, profile, *, full=None,
         specs=(), village="", moc=False, showcase=False):
    short_inner, full_inner = name if isinstance(name, tuple) else (name, name)
    return OrganizationTemplate(
        place=place, short_name=f"{legal} «{short_inner}»",
        full_name=full or f"{LEGAL_FORMS[legal]} «{full_inner}»",
        kind=kind, sector=sector, ownership=ownership, slug=slug, weight=weight,
        profile=_profile(profile), specialisations=frozenset(specs), village=village,
        is_support_centre=moc, is_showcase=showcase, owner=(),
    )


def _sole_trader(place, owner, slug, weight, profile, specs, village=""):
    last, first, patronymic = owner
    return OrganizationTemplate(
        place=place, short_name=f"ИП {last} {first[0]}. {patronymic[0]}.",
        full_name=f"Индивидуальный предприниматель {last} {first} {patronymic}",
        kind=OrganizationKind.SOLE_TRADER, sector=FounderSector.OTHER,
        ownership=Ownership.SOLE_TRADER, slug=slug, weight=weight, profile=_profile(profile),
        specialisations=frozenset(specs), village=village, is_support_centre=False,
        is_showcase=False, owner=owner,
    )


K, F, OWN = OrganizationKind, FounderSector, Ownership
SUP, PRE, GEN, VOC = K.SUPPLEMENTARY, K.PRESCHOOL, K.GENERAL, K.VOCATIONAL
SPT, NT = K.SPORTS_TRAINING, K.NON_TYPICAL
EDU, CUL, SPO, MUN, REG = F.EDUCATION, F.CULTURE, F.SPORT, OWN.MUNICIPAL, OWN.REGIONAL
SCHOOL = ("СОШ № {n}", "Средняя общеобразовательная школа № {n}")


def _school(n):
    return SCHOOL[0].format(n=n), SCHOOL[1].format(n=n)


ORGANIZATIONS = (
    # Городской округ Северск
    _org("city", "МБУ ДО", "Дом детского творчества", SUP, EDU, MUN, "ddt", 40,
         "T2 N1 A3 R1 S2 P1", showcase=True),
    _org("city", "МАУ ДО", "Центр дополнительного образования «Перспектива»", SUP, EDU, MUN,
         "perspektiva", 30, "T2 N2 A1 R1 S3 P1", moc=True),
    _org("city", "МБУ ДО", "Станция юных техников", SUP, EDU, MUN, "syut", 20, "T1"),
    _org("city", "МБУ ДО", "Эколого-биологический центр", SUP, EDU, MUN, "ebc", 14, "N1"),
    _org("city", "МБУ ДО", "Центр детского и юношеского туризма и краеведения", SUP, EDU, MUN,
         "turcentr", 12, "R1"),
    _org("city", "МБУ ДО", "Детская школа искусств № 1", SUP, CUL, MUN, "dshi1", 16, "A1"),
    _org("city", "МБУ ДО", "Детская школа искусств № 2", SUP, CUL, MUN, "dshi2", 12, "A1"),
    _org("city", "МБУ ДО", "Детская художественная школа", SUP, CUL, MUN, "dhsh", 8, "A1",
         specs=("Изобразительное искусство", "Декоративно-прикладное творчество", "Дизайн")),
    _org("city", "МБУ ДО", "Детская музыкальная школа имени П. И. Чайковского", SUP, CUL, MUN,
         "dmsh", 10, "A1", specs=("Вокал", "Инструментальная музыка")),
    _org("city", "МБУ ДО", ("СШОР «Олимп»", "Спортивная школа олимпийского резерва «Олимп»"),
         SPT, SPO, MUN, "olimp", 12, "P1",
         specs=("Плавание", "Лёгкая атлетика", "Гимнастика", "Лыжные гонки")),
    _org("city", "МБУ ДО", "Спортивная школа № 3", SPT, SPO, MUN, "ss3", 10, "P1",
         specs=("Футбол", "Баскетбол", "Волейбол", "Единоборства")),
    _org("city", "МАОУ", _school(5), GEN, EDU, MUN, "school5", 6, "T1 N1 A1 R1 S1 P1"),
    _org("city", "МБОУ", "Гимназия № 1", GEN, EDU, MUN, "gym1", 6, "N1 A1 S2 P1"),
    _org("city", "МБОУ", "Лицей № 2", GEN, EDU, MUN, "lyceum2", 6, "T2 N2 S1"),
    _org("city", "МБОУ", _school(12), GEN, EDU, MUN, "school12", 5, "T1 A1 S1 P2"),
    _org("city", "МАОУ", ("СОШ № 17", "Средняя общеобразовательная школа № 17 с углублённым "
                                     "изучением отдельных предметов"),
         GEN, EDU, MUN, "school17", 5, "N1 S2 P1"),
    _org("city", "МБОУ", _school(9), GEN, EDU, MUN, "school9", 4, "R1 S1 P1 A1"),
    _org("city", "МБДОУ", "Детский сад № 8 «Солнышко»", PRE, EDU, MUN, "ds8", 3, "A2 S1 P1 T1"),
    _org("city", "МАДОУ", "Детский сад № 21 «Теремок»", PRE, EDU, MUN, "ds21", 3, "A1 S1 P1 N1"),
    _org("city", "ГАПОУ", "Северский политехнический колледж", VOC, EDU, REG, "spk", 6, "T3 N1"),
    _org("city", "ГАОУ ВО", "Северский педагогический институт", K.HIGHER, EDU, REG, "spi", 4,
         "N1 S2 T1"),
    _org("city", "ГАУ ДПО", "Северный институт развития образования", K.PROFESSIONAL_DEVELOPMENT,
         EDU, REG, "siro", 3, "S1 N1"),
    _org("city", "ГАУ ДО", "Детский технопарк «Кванториум»", NT, EDU, REG, "kvantorium", 14,
         "T3 N1"),
    _org("city", "МАУ ДО", "Центр цифрового образования детей «IT-куб»", NT, EDU, MUN, "itcube",
         10, "T1", specs=("Программирование", "Робототехника", "3D-моделирование и прототипирование")),
    _org("city", "ООО", "Академия роботов", SUP, F.OTHER, OWN.PRIVATE, "robo-academy", 6, "T1",
         specs=("Робототехника", "Программирование")),
    _org("city", "АНО ДО", "Центр развития «Умка»", SUP, F.OTHER, OWN.NONPROFIT, "umka", 6,
         "S2 A1 T1", specs=("Подготовка к школе", "Иностранные языки", "Психология и общение",
                            "Изобразительное искусство", "Техническое творчество")),
    _sole_trader("city", ("Смирнова", "Елена", "Андреевна"), "smirnova", 3, "S1",
                 ("Иностранные языки",)),
    _sole_trader("city", ("Кузнецов", "Дмитрий", "Викторович"), "kuznetsov", 2, "P1",
                 ("Шахматы",)),
    _org("city", "ГБУ СО", "Социально-реабилитационный центр для несовершеннолетних «Надежда»",
         NT, F.SOCIAL_PROTECTION, REG, "nadezhda", 4, "S2 A1",
         specs=("Психология и общение", "Волонтёрство", "Декоративно-прикладное творчество")),
    _org("city", "МБУК", "Дворец культуры «Современник»", NT, CUL, MUN, "sovremennik", 8, "A1",
         specs=("Хореография", "Вокал", "Театр", "Кино и медиа")),
    _org("city", "МБУ", "Молодёжный центр «Импульс»", NT, F.YOUTH, MUN, "impuls", 6, "S2 A1",
         specs=("Волонтёрство", "Лидерство и проектная деятельность", "Журналистика и медиа",
                "Кино и медиа")),
    OrganizationTemplate(
        place="city", short_name="МО ДОСААФ России г. Северска",
        full_name="Местное отделение Общероссийской общественно-государственной организации "
                  "«Добровольное общество содействия армии, авиации и флоту России» "
                  "города Северска Северной области",
        kind=NT, sector=F.OTHER, ownership=OWN.NONPROFIT, slug="dosaaf", weight=4,
        profile=_profile("T1 S1"),
        specialisations=frozenset(("Беспилотные авиационные системы", "Судо- и авиамоделирование",
                                   "Патриотическое воспитание")),
        village="", is_support_centre=False, is_showcase=False, owner=(),
    ),
    # Городской округ Озёрск
    _org("town", "МБУ ДО", "Центр детского творчества", SUP, EDU, MUN, "cdt-ozersk", 22,
         "T2 N1 A3 R1 S2 P1", moc=True),
    _org("town", "МБУ ДО", "Детско-юношеская спортивная школа", SPT, SPO, MUN, "dussh-ozersk",
         10, "P1"),
    _org("town", "МБУ ДО", "Детская школа искусств", SUP, CUL, MUN, "dshi-ozersk", 10, "A1"),
    _org("town", "МБУ ДО", "Станция юных натуралистов", SUP, EDU, MUN, "syun-ozersk", 6, "N1"),
    _org("town", "МБОУ", _school(1), GEN, EDU, MUN, "school1-ozersk", 5, "T1 N1 S1 P1"),
    _org("town", "МБОУ", _school(3), GEN, EDU, MUN, "school3-ozersk", 4, "A1 S1 P1"),
    _org("town", "МАОУ", "Озёрская гимназия", GEN, EDU, MUN, "gym-ozersk", 4, "S2 A1 N1"),
    _org("town", "МБДОУ", "Детский сад № 4 «Ромашка»", PRE, EDU, MUN, "ds4-ozersk", 2, "A1 S1 P1"),
    _org("town", "ГБПОУ", "Озёрский индустриальный техникум", VOC, EDU, REG, "oit", 4, "T2"),
    _sole_trader("town", ("Орлова", "Марина", "Сергеевна"), "orlova", 2, "A1", ("Хореография",)),
    _org("town", "ООО", "Лингва", SUP, F.OTHER, OWN.PRIVATE, "lingva", 3, "S1",
         specs=("Иностранные языки",)),
    _org("town", "МБУ", "Дом культуры «Юность»", NT, CUL, MUN, "yunost", 5, "A1"),
    _org("town", "МБУ ДО", "Спортивная школа «Лидер»", SPT, SPO, MUN, "lider", 6, "P1",
         specs=("Единоборства", "Шахматы", "ГТО и общая физическая подготовка")),
    _org("town", "АНО", "Клуб юных моряков «Парус»", NT, F.OTHER, OWN.NONPROFIT, "parus", 3,
         "R2 T1", specs=("Спортивный туризм", "Судо- и авиамоделирование")),
    _org("town", "МБУ", "Центр молодёжных инициатив", NT, F.YOUTH, MUN, "cmi-ozersk", 4, "S1",
         specs=("Волонтёрство", "Лидерство и проектная деятельность", "Патриотическое воспитание")),
    _org("town", "ГБУ СО", "Центр помощи детям «Радуга»", NT, F.SOCIAL_PROTECTION, REG, "raduga",
         2, "S1 A1", specs=("Психология и общение", "Декоративно-прикладное творчество")),
    # Лесной муниципальный район
    _org("rural", "МБУ ДО", "Лесной районный центр дополнительного образования", SUP, EDU, MUN,
         "rcdo-lesnoy", 16, "T1 N2 A2 R2 S2 P1", moc=True),
    _org("rural", "МБУ ДО", "Лесная детско-юношеская спортивная школа", SPT, SPO, MUN,
         "dussh-lesnoy", 6, "P1",
         specs=("Лыжные гонки", "Футбол", "Волейбол", "ГТО и общая физическая подготовка")),
    _org("rural", "МБУ ДО", "Детская школа искусств пгт Лесной", SUP, CUL, MUN, "dshi-lesnoy", 5,
         "A1"),
    _org("rural", "МБОУ", "Лесная СОШ № 1", GEN, EDU, MUN, "school1-lesnoy", 4, "T1 N1 S1 P1",
         full=f"{LEGAL_FORMS['МБОУ']} «Лесная средняя общеобразовательная школа № 1»"),
    _org("rural", "МБОУ", "Берёзовская СОШ", GEN, EDU, MUN, "berezovka", 3, "N1 R1 P1",
         full=f"{LEGAL_FORMS['МБОУ']} «Берёзовская средняя общеобразовательная школа»",
         village="с. Берёзовка"),
    _org("rural", "МБОУ", "Сосновская СОШ", GEN, EDU, MUN, "sosnovka", 3, "T1 R1 S1",
         full=f"{LEGAL_FORMS['МБОУ']} «Сосновская средняя общеобразовательная школа»",
         village="с. Сосновка"),
    _org("rural", "МБОУ", "Кедровская ООШ", GEN, EDU, MUN, "kedrovoe", 2, "A1 P1",
         full=f"{LEGAL_FORMS['МБОУ']} «Кедровская основная общеобразовательная школа»",
         village="с. Кедровое"),
    _org("rural", "МБОУ", "Зареченская ООШ", GEN, EDU, MUN, "zarechye", 2, "R1 S1",
         full=f"{LEGAL_FORMS['МБОУ']} «Зареченская основная общеобразовательная школа»",
         village="с. Заречье"),
    _org("rural", "МБДОУ", "Детский сад «Колосок»", PRE, EDU, MUN, "kolosok", 2, "A1 S1",
         village="с. Берёзовка"),
    _org("rural", "ГБПОУ", "Лесной аграрный техникум", VOC, EDU, REG, "agro-lesnoy", 3, "N1 T1"),
    _org("rural", "МБУК", "Межпоселенческий культурно-досуговый центр", NT, CUL, MUN, "kdc-lesnoy",
         4, "A1"),
    _sole_trader("rural", ("Волков", "Алексей", "Николаевич"), "volkov", 2, "R1",
                 ("Спортивный туризм", "Ориентирование")),
)
