"""The portal's pages, kept in Wagtail's page tree:

    PortalHomePage (the region's portal, /portal/)
      RegionPage (the РМЦ: region-wide news, materials, documents, contacts)
      MunicipalityPage × each municipality (its МОЦ: the same blocks, its contacts)
        NewsPage, MaterialPage, DocumentPage, StandardPage

Whose content a page is follows from where it stands: under the RegionPage it is
region-wide, under a MunicipalityPage it is that municipality's. Editors get rights on
their subtree only (``opora.portal.access``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page

from opora.portal import extract, sanitize
from opora.registry.choices import Direction

# What a body may hold: headings, lists, links, images, documents (the issue's «safe rich text»).
BODY_FEATURES = ["h2", "h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link", "image", "hr"]


class Audience(models.TextChoices):
    PARENTS = "parents", _("Родителям")
    TEACHERS = "teachers", _("Педагогам")
    HEADS = "heads", _("Руководителям")


class MaterialKind(models.TextChoices):
    RECOMMENDATIONS = "recommendations", _("Методические рекомендации")
    PROGRAM_TEMPLATE = "program_template", _("Шаблон программы")
    PRESENTATION = "presentation", _("Презентация")
    VIDEO = "video", _("Видео")


class DocumentKind(models.TextChoices):
    NORMATIVE = "normative", _("Нормативный документ")
    REGULATION = "regulation", _("Положение")
    ORDER = "order", _("Приказ")
    PLAN = "plan", _("План")
    REPORT = "report", _("Отчёт")


# Documents a МОЦ issues itself (the rest are laws and orders of the authorities).
OWN_DOCUMENTS = (DocumentKind.REGULATION, DocumentKind.ORDER, DocumentKind.PLAN, DocumentKind.REPORT)


class StaffPosition(models.TextChoices):
    HEAD = "head", _("Руководитель")
    METHODIST = "methodist", _("Методист")
    ORGANISER = "organiser", _("Педагог-организатор")
    SPECIALIST = "specialist", _("Специалист")


class Status(models.TextChoices):
    DRAFT = "draft", _("Черновик")
    SCHEDULED = "scheduled", _("Запланировано")
    PUBLISHED = "published", _("Опубликовано")
    ARCHIVED = "archived", _("В архиве")


class OwnHostMixin:
    """Full URLs (feeds, sitemap, Open Graph) on the host the visitor came to: one
    deployment serves the portal under whatever name its proxy gives it."""

    def get_url_parts(self, request=None):
        parts = super().get_url_parts(request)
        if parts and request is not None:
            site_id, _root_url, page_path = parts
            return site_id, f"{request.scheme}://{request.get_host()}", page_path
        return parts


# --- the tree's upper pages --------------------------------------------------------------


class PortalHomePage(OwnHostMixin, RoutablePageMixin, Page):
    """The region's portal: the region-wide news and the municipalities' latest, the
    list of МОЦ, the РМЦ's contacts."""

    intro = models.TextField(_("вступление"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["portal.RegionPage", "portal.MunicipalityPage"]
    max_count = 1

    class Meta:
        verbose_name = _("портал региона")

    def get_context(self, request, *args, **kwargs):
        from opora.portal import selectors

        return {**super().get_context(request, *args, **kwargs), **selectors.home_context(self, request)}

    @path("feed/rss/", name="rss")
    def rss(self, request):
        from opora.portal import feeds

        return feeds.NewsRss(self)(request)

    @path("feed/atom/", name="atom")
    def atom(self, request):
        from opora.portal import feeds

        return feeds.NewsAtom(self)(request)


class TerritoryPage(OwnHostMixin, RoutablePageMixin, Page):
    """A centre's part of the portal (the РМЦ's or a МОЦ's): its blocks, contacts and
    structure, and the lists and feeds of its content."""

    centre_name = models.CharField(_("полное название центра"), max_length=300, blank=True)
    about = RichTextField(_("о центре"), blank=True, features=BODY_FEATURES)
    phone = models.CharField(_("телефон"), max_length=60, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("адрес"), max_length=300, blank=True)
    hours = models.CharField(_("часы работы"), max_length=200, blank=True)
    map_url = models.URLField(_("ссылка на карту"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("centre_name"),
        FieldPanel("about"),
        MultiFieldPanel([
            FieldRowPanel([FieldPanel("phone"), FieldPanel("email")]),
            FieldPanel("address"), FieldPanel("hours"), FieldPanel("map_url"),
        ], heading=_("Контакты")),
        InlinePanel("staff", label=_("Сотрудники"), heading=_("Структура")),
    ]
    subpage_types = ["portal.NewsPage", "portal.MaterialPage", "portal.DocumentPage", "portal.StandardPage"]
    parent_page_types = ["portal.PortalHomePage"]

    is_creatable = False

    class Meta:
        verbose_name = _("страница центра")

    def get_context(self, request, *args, **kwargs):
        from opora.portal import selectors

        return {**super().get_context(request, *args, **kwargs), **selectors.territory_context(self, request)}

    def _route(self, request, name, **kwargs):
        from opora.portal import views

        return getattr(views, name)(request, self, **kwargs)

    @path("news/", name="news")
    def news_list(self, request):
        return self._route(request, "news_list")

    @path("materials/", name="materials")
    def material_list(self, request):
        return self._route(request, "material_list")

    @path("documents/", name="documents")
    def document_list(self, request):
        return self._route(request, "document_list")

    @path("feed/rss/", name="rss")
    def rss(self, request):
        from opora.portal import feeds

        return feeds.NewsRss(self)(request)

    @path("feed/atom/", name="atom")
    def atom(self, request):
        from opora.portal import feeds

        return feeds.NewsAtom(self)(request)


class RegionPage(TerritoryPage):
    """The РМЦ's pages: content for the whole region."""

    template = "portal/territory_page.html"
    max_count = 1

    class Meta:
        verbose_name = _("страница РМЦ")


class MunicipalityPage(TerritoryPage):
    """A municipality's МОЦ and its content; one per municipality."""

    municipality = models.OneToOneField("registry.Municipality", on_delete=models.PROTECT,
                                        related_name="portal_page", verbose_name=_("муниципалитет"))
    template = "portal/territory_page.html"

    class Meta:
        verbose_name = _("страница МОЦ")


class StaffMember(Orderable):
    page = ParentalKey(TerritoryPage, on_delete=models.CASCADE, related_name="staff")
    position = models.CharField(_("должность"), max_length=20, choices=StaffPosition.choices,
                                default=StaffPosition.METHODIST)
    name = models.CharField(_("ФИО"), max_length=200)
    duties = models.CharField(_("направление работы"), max_length=300, blank=True)
    phone = models.CharField(_("телефон"), max_length=60, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    panels = [FieldRowPanel([FieldPanel("position"), FieldPanel("name")]), FieldPanel("duties"),
              FieldRowPanel([FieldPanel("phone"), FieldPanel("email")])]

    class Meta(Orderable.Meta):
        verbose_name = _("сотрудник")


# --- content -----------------------------------------------------------------------------


class ContentTag(TaggedItemBase):
    content_object = ParentalKey("portal.ContentPage", on_delete=models.CASCADE, related_name="tagged_items")


class ContentPage(OwnHostMixin, Page):
    """What a centre publishes: a title, a lead, a body of safe rich text, a cover,
    attachments, tags and the audience. Its territory is where it stands in the tree."""

    date = models.DateField(_("дата публикации"), default=timezone.localdate)
    lead = models.TextField(_("анонс"), max_length=600, blank=True,
                            help_text=_("Одно-два предложения: видны в списках, в ленте и при пересылке ссылки."))
    body = RichTextField(_("текст"), blank=True, features=BODY_FEATURES)
    cover = models.ForeignKey("wagtailimages.Image", verbose_name=_("обложка"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    for_parents = models.BooleanField(_("родителям"), default=False)
    for_teachers = models.BooleanField(_("педагогам"), default=False)
    for_heads = models.BooleanField(_("руководителям"), default=False)
    tags = ClusterTaggableManager(through=ContentTag, blank=True, verbose_name=_("теги"))
    # the stems (opora.navigator.search.stems) of the text and of the attached files
    search_stems = models.TextField(editable=False, default="")

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("lead"),
        FieldPanel("cover"),
        FieldPanel("body"),
        MultiFieldPanel([FieldRowPanel([FieldPanel("for_parents"), FieldPanel("for_teachers"),
                                        FieldPanel("for_heads")])], heading=_("Кому адресовано")),
        FieldPanel("tags"),
        InlinePanel("attachments", label=_("Файл"), heading=_("Вложения (PDF, DOCX, XLSX)")),
    ]
    parent_page_types = ["portal.RegionPage", "portal.MunicipalityPage"]
    subpage_types = []
    search_fields = Page.search_fields
    is_creatable = False

    class Meta:
        verbose_name = _("материал портала")

    def clean(self):
        super().clean()
        self.body = sanitize.rich_text(self.body)

    def get_context(self, request, *args, **kwargs):
        from opora.portal import selectors

        return {**super().get_context(request, *args, **kwargs), **selectors.content_context(self, request)}

    def save(self, *args, **kwargs):
        self.body = sanitize.rich_text(self.body)
        self.search_stems = extract.stems_of(self)
        return super().save(*args, **kwargs)

    @property
    def audiences(self):
        return [label for value, label in Audience.choices if getattr(self, f"for_{value}")]

    @property
    def description(self) -> str:
        """The page's description for search engines and shared links."""
        text = self.search_description or self.lead or strip_tags(self.body)
        return " ".join(text.split())[:300]

    @property
    def status(self) -> str:
        """Draft, scheduled, published or archived: from Wagtail's page state."""
        if self.live:
            return Status.PUBLISHED
        if self.expired or (self.first_published_at and not self.live):
            return Status.ARCHIVED
        if self.go_live_at and self.go_live_at > timezone.now() or self.has_scheduled_revision():
            return Status.SCHEDULED
        return Status.DRAFT

    def has_scheduled_revision(self) -> bool:
        return self.revisions.filter(approved_go_live_at__isnull=False).exists()

    def territory(self):
        return self.get_parent().specific


class NewsPage(ContentPage):
    template = "portal/content_page.html"

    class Meta:
        verbose_name = _("новость")
        verbose_name_plural = _("новости")


class MaterialPage(ContentPage):
    """A methodical material: recommendations, a program template, a presentation, a video."""

    kind = models.CharField(_("вид материала"), max_length=20, choices=MaterialKind.choices,
                            default=MaterialKind.RECOMMENDATIONS)
    direction = models.CharField(_("направленность"), max_length=20, choices=Direction.choices, blank=True)
    video_url = models.URLField(_("ссылка на видео"), blank=True)

    content_panels = [
        *ContentPage.content_panels[:2],
        FieldRowPanel([FieldPanel("kind"), FieldPanel("direction")]),
        FieldPanel("video_url"),
        *ContentPage.content_panels[2:],
    ]
    template = "portal/content_page.html"

    class Meta:
        verbose_name = _("методический материал")
        verbose_name_plural = _("методические материалы")


class DocumentPage(ContentPage):
    """A normative document or a document of the centre (Положение, приказ, план, отчёт)."""

    kind = models.CharField(_("вид документа"), max_length=20, choices=DocumentKind.choices,
                            default=DocumentKind.NORMATIVE)
    number = models.CharField(_("номер"), max_length=60, blank=True)
    signed_on = models.DateField(_("дата документа"), null=True, blank=True)
    # The approved plan this page publishes (``opora.portal.plans``): kept up to date by Opora.
    source_plan = models.ForeignKey("plans.Plan", verbose_name=_("план"), null=True, blank=True,
                                    editable=False, on_delete=models.SET_NULL, related_name="+")

    content_panels = [
        *ContentPage.content_panels[:2],
        FieldRowPanel([FieldPanel("kind"), FieldPanel("number"), FieldPanel("signed_on")]),
        *ContentPage.content_panels[2:],
    ]
    template = "portal/content_page.html"

    class Meta:
        verbose_name = _("документ")
        verbose_name_plural = _("документы")

    @property
    def is_own(self) -> bool:
        return self.kind in OWN_DOCUMENTS


class StandardPage(ContentPage):
    """Any other page of a centre («О центре», «Вопросы и ответы»)."""

    template = "portal/content_page.html"

    class Meta:
        verbose_name = _("страница")


class Attachment(Orderable):
    page = ParentalKey(ContentPage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey("wagtaildocs.Document", verbose_name=_("файл"), on_delete=models.CASCADE,
                                 related_name="+")

    panels = [FieldPanel("document")]

    class Meta(Orderable.Meta):
        verbose_name = _("вложение")


def max_document_bytes() -> int:
    return settings.OPORA_PORTAL_DOCUMENT_MAX_MB * 1024 * 1024
