"""Readable names of action codes for the timeline."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "events.event.created": _("Мероприятие создано"),
    "events.event.updated": _("Мероприятие изменено"),
    "events.event.submitted": _("Отправлено на модерацию"),
    "events.event.published": _("Опубликовано"),
    "events.event.returned": _("Возвращено на доработку"),
    "events.event.archived": _("Перенесено в архив"),
    "events.event.stage_created": _("Открыт муниципальный этап"),
    "events.registration.created": _("Запись на мероприятие"),
    "events.registration.confirmed": _("Запись подтверждена"),
    "events.registration.rejected": _("Запись отклонена"),
    "events.registration.cancelled": _("Запись отменена"),
    "events.registration.promoted": _("Место из листа ожидания"),
    "events.registration.attended": _("Отмечено участие"),
    "events.registration.result": _("Внесён результат"),
    "events.gifted.proposed": _("Предложен в реестр одарённых детей"),
    "events.gifted.nominated": _("Представлен организацией"),
    "events.gifted.confirmed": _("Включён в реестр"),
    "events.gifted.declined": _("Не включён в реестр"),
    "events.gifted.mentor": _("Назначен наставник"),
    "events.gifted.measure_added": _("Назначена мера поддержки"),
    "registry.program.created": _("Программа создана"),
    "registry.program.updated": _("Программа изменена"),
    "registry.program.submitted": _("Отправлена на модерацию"),
    "registry.program.published": _("Опубликована"),
    "registry.program.returned": _("Возвращена на доработку"),
    "registry.program.archived": _("Перенесена в архив"),
    "registry.program.restored": _("Возвращена из архива в черновики"),
    "registry.program.revision_submitted": _(
        "Изменения опубликованной программы отправлены на модерацию; в навигаторе прежняя версия"),
    "registry.program.revision_approved": _("МОЦ утвердил изменения, они опубликованы"),
    "registry.program.revision_returned": _(
        "МОЦ вернул изменения на доработку; в навигаторе прежняя версия"),
    "registry.program.revision_withdrawn": _("Изменения отменены, на модерации ничего нет"),
    "registry.program.imported": _("Загружена из Excel"),
    "registry.import.queued": _("Файл Excel принят к загрузке"),
    "registry.program.deleted": _("Черновик удалён"),
    "registry.organization.created": _("Организация добавлена"),
    "registry.group.price_changed": _("Изменена стоимость группы"),
    "registry.group.price_proposed": _("Предложена новая стоимость группы, она ждёт проверки МОЦ"),
    "registry.group.price_returned": _("МОЦ не утвердил новую стоимость группы"),
    "registry.group.price_withdrawn": _("Предложенная стоимость группы снята"),
    "accounts.parent.registered": _("Родитель зарегистрировался, согласие на обработку данных получено"),
    "accounts.email.confirmed": _("E-mail подтверждён"),
    "api.token.issued": _("Ключ API выпущен"),
    "api.token.revoked": _("Ключ API отозван"),
    "enrollment.guardianship.requested": _("Родитель запросил связь с ребёнком"),
    "enrollment.guardianship.confirmed": _("МОЦ подтвердил законного представителя"),
    "enrollment.guardianship.rejected": _("МОЦ отказал в связи с ребёнком"),
    "enrollment.guardianship.mismatched": _(
        "Родитель указал СНИЛС этого ребёнка с другой датой рождения; связь не создана"),
    "enrollment.guardianship.accepted": _(
        "Родитель подтвердил ребёнка, записанного организацией на его e-mail"),
    "registry.organization.updated": _("Организация изменена"),
    "registry.organization.activated": _("Организация включена"),
    "registry.organization.deactivated": _("Организация отключена"),
    "enrollment.application.submitted": _("Заявка подана, место занято"),
    "enrollment.application.waitlisted": _("Заявка подана и поставлена в очередь"),
    "enrollment.application.promoted": _("Освободилось место: заявка вышла из очереди"),
    "enrollment.application.confirmed": _("Заявка подтверждена организацией"),
    "enrollment.municipal_task.set": _("Изменено муниципальное задание"),
    "enrollment.settings.task_overrun": _("Изменено правило подтверждения сверх муниципального задания"),
    "enrollment.application.rejected": _("Заявка отклонена"),
    "enrollment.application.withdrawn": _("Заявка отозвана"),
    "enrollment.application.expelled": _("Ребёнок отчислен"),
    "enrollment.application.completed": _("Обучение завершено"),
    "enrollment.application.contract_accepted": _("Родитель принял договор, ребёнок зачислен"),
    "financing.certificate.requested": _("Подано заявление на сертификат"),
    "financing.certificate.issued": _("Сертификат выдан"),
    "financing.certificate.refused": _("В выдаче сертификата отказано"),
    "financing.certificate.frozen": _("Сертификат заморожен"),
    "financing.certificate.unfrozen": _("Сертификат разморожен"),
    "financing.certificate.moved": _("Записи о ребёнке объединены: сертификат перенесён"),
    "financing.certificate.queued": _("Сертификат поставлен в очередь на финансирование"),
    "financing.certificate.financed": _("Сертификат стал сертификатом финансирования"),
    "financing.certificate.place_taken": _("Сертификату выделено место финансирования в периоде"),
    "financing.certificate.fell_back": _("Сертификат не использован и стал сертификатом учёта"),
    "financing.certificate.place_released": _("Место финансирования в периоде освобождено"),
    "financing.prolongation.offered": _("Продление на новый период предложено: оферта направлена родителю"),
    "financing.prolongation.refused": _("Продлить договор на новый период не удалось"),
    "financing.prolongation.left_out": _("Организация не предложила продление договора"),
    "financing.prolongation.run": _("Продление договоров на новый период выполнено"),
    "financing.prolongation.settings_changed": _("Изменены правила продления договоров"),
    "financing.period.created": _("Период финансирования создан"),
    "financing.period.updated": _("Период финансирования изменён"),
    "financing.period.fallback_done": _("Неиспользованные сертификаты переведены в сертификаты учёта"),
    "financing.cost_parameters.updated": _("Параметры нормативной стоимости изменены"),
    "financing.certification.requested": _("Модуль отправлен на сертификацию"),
    "financing.certification.certified": _("Модуль сертифицирован"),
    "financing.certification.refused": _("В сертификации отказано"),
    "financing.certification.returned": _("Модуль изменён и снова ожидает сертификации"),
    "financing.invoice.created": _("Счёт сформирован"),
    "financing.invoice.recounted": _("Счёт пересчитан: добавлены договоры"),
    "financing.invoice.completeness_changed": _("Изменена полнота оказания услуги"),
    "financing.invoice.submitted": _("Счёт направлен плательщику"),
    "financing.invoice.accepted": _("Счёт принят"),
    "financing.invoice.paid": _("Счёт оплачен"),
    "financing.invoice.cancelled": _("Счёт отменён"),
    "financing.contract.created": _("Договор сформирован, средства сертификата зарезервированы"),
    "financing.contract.accepted": _("Родитель принял договор"),
    "financing.contract.accepted_automatically": _(
        "Оферта продления принята автоматически: родитель не ответил в срок, установленный муниципалитетом"),
    "financing.contract.declined": _("Родитель отказался от договора, резерв возвращён"),
    "financing.contract.refused": _("Договор отклонён, резерв возвращён"),
    "financing.contract.closed": _("Договор расторгнут или завершён, неиспользованный резерв возвращён"),
    "enrollment.child.registered": _("Ребёнок добавлен, согласие на обработку данных получено"),
    "enrollment.child.linked": _("Законный представитель связан с ребёнком, согласие получено"),
    "enrollment.child.updated": _("Сведения о ребёнке изменены"),
    "enrollment.child.merged": _("Записи о ребёнке объединены"),
    "enrollment.child.marked_distinct": _("Похожие записи признаны разными детьми"),
    "enrollment.parent.created": _("Учётная запись родителя создана организацией"),
    "enrollment.group.capacity_changed": _("Изменено число мест в группе"),
    "enrollment.settings.updated": _("Изменены правила записи муниципалитета"),
    "surveys.survey.created": _("Запрос данных создан"),
    "surveys.survey.changed": _("Запрос данных изменён"),
    "surveys.survey.field_added": _("В запрос добавлено поле"),
    "surveys.survey.field_removed": _("Из запроса удалено поле"),
    "surveys.survey.sent": _("Запрос отправлен адресатам"),
    "surveys.survey.reminded": _("Отправлены напоминания тем, кто не ответил"),
    "surveys.reply.saved": _("Черновик ответа сохранён"),
    "surveys.reply.submitted": _("Ответ отправлен на проверку"),
    "surveys.reply.accepted": _("Ответ принят"),
    "surveys.reply.returned": _("Ответ возвращён на доработку"),
    "plans.plan.created": _("План создан"),
    "plans.plan.imported": _("Мероприятия загружены из таблицы"),
    "plans.plan.sent": _("План отправлен на утверждение"),
    "plans.plan.approved": _("План утверждён управлением образования"),
    "plans.plan.agreed": _("План согласован с РМЦ"),
    "plans.plan.returned": _("План возвращён на доработку"),
    "plans.plan.started": _("МОЦ приступил к исполнению плана"),
    "plans.plan.reported": _("Отчёт об исполнении плана сдан"),
    "plans.plan.report_accepted": _("Отчёт об исполнении плана принят"),
    "plans.plan.report_returned": _("Отчёт об исполнении плана возвращён"),
    "plans.item.saved": _("Мероприятие плана изменено"),
    "plans.item.deleted": _("Мероприятие удалено из черновика плана"),
    "plans.item.marked": _("Отмечено исполнение мероприятия"),
    "plans.item.evidence_added": _("Добавлено подтверждение исполнения"),
    "plans.item.published": _("Добавлена публикация"),
    "plans.revision.opened": _("Начаты изменения плана"),
    "plans.revision.sent": _("Изменения плана отправлены на утверждение"),
    "plans.revision.approved": _("Изменения плана утверждены"),
    "plans.revision.returned": _("Изменения плана возвращены на доработку"),
    "monitoring.population.saved": _("Изменена численность детей 5–17 лет"),
    "monitoring.target.saved": _("Изменено целевое значение показателя"),
    "training.event.created": _("Мероприятие для педагогов создано"),
    "training.event.changed": _("Мероприятие для педагогов изменено"),
    "training.event.published": _("Мероприятие опубликовано"),
    "training.event.cancelled": _("Мероприятие отменено"),
    "training.event.attendance_marked": _("Отмечена посещаемость"),
    "training.event.protocol_saved": _("Сохранён протокол"),
    "training.event.material_added": _("Добавлен материал"),
    "training.registration.created": _("Педагог записан на мероприятие"),
    "training.registration.cancelled": _("Запись педагога отменена"),
    "training.registration.marked": _("Отмечено присутствие педагога"),
    "training.external.recorded": _("Записано обучение в другой организации"),
    "hotline.question.received": _("Вопрос поступил на горячую линию"),
    "hotline.question.taken": _("Вопрос взят в работу"),
    "hotline.question.answered": _("Дан ответ на вопрос"),
    "hotline.question.details_requested": _("Запрошено уточнение у автора"),
    "hotline.question.details_added": _("Автор уточнил вопрос"),
    "hotline.question.escalated": _("Вопрос передан в РМЦ"),
    "hotline.question.returned": _("РМЦ вернул вопрос в МОЦ"),
    "hotline.question.overdue": _("Срок ответа прошёл, руководитель МОЦ извещён"),
    "hotline.faq.published": _("Ответ опубликован в частых вопросах"),
    "hotline.faq.edited": _("Частый вопрос изменён"),
    "hotline.faq.withdrawn": _("Частый вопрос снят с публикации"),
    "hotline.desk.saved": _("Изменены сведения о горячей линии"),
    "hotline.deadline.set": _("Изменён срок ответа по теме"),
    "hotline.calendar.set": _("Изменён производственный календарь"),
    "hotline.calendar.removed": _("День убран из производственного календаря"),
    "mailing.mailing.sent": _("Рассылка запущена"),
    "mailing.mailing.finished": _("Рассылка завершена"),
    "mailing.consent.given": _("Родитель согласился получать новости"),
    "mailing.consent.withdrawn": _("Родитель отказался от новостей"),
    "quality.criteria.saved": _("Сохранена версия набора критериев"),
    "quality.settings.required": _("Для сертификации программ требуется пройденная оценка качества"),
    "quality.settings.not_required": _("Для сертификации программ оценка качества не требуется"),
    "quality.expert.saved": _("Эксперт добавлен или изменён"),
    "quality.campaign.created": _("Кампания оценки качества создана"),
    "quality.campaign.started": _("Экспертиза начата"),
    "quality.campaign.published": _("Результаты оценки опубликованы"),
    "quality.entry.included": _("Программа включена в оценку"),
    "quality.entry.applied": _("Организация подала программу на оценку"),
    "quality.entry.declined": _("Программа исключена из оценки"),
    "quality.entry.decided": _("Программа оценена"),
    "quality.entry.revised": _("Результат пересчитан по апелляции"),
    "quality.entry.remarks": _("Замечания организации изменены"),
    "quality.assignment.created": _("Эксперт назначен"),
    "quality.assignment.withdrawn": _("Эксперт снят с программы"),
    "quality.assignment.submitted": _("Экспертный лист сдан"),
    "quality.appeal.filed": _("Подана апелляция"),
    "quality.appeal.decided": _("Апелляция рассмотрена"),
    "quality.rating.created": _("Родитель оценил программу"),
    "quality.rating.published": _("Комментарий родителя опубликован"),
    "quality.rating.rejected": _("Комментарий родителя отклонён"),
    "quality.rating.answered": _("Организация ответила на отзыв"),
    "quality.rating_rules.saved": _("Новая версия правил рейтинга родителей"),
}


STATE_LABELS = {
    "pending": _("на проверке"),
    "confirmed": _("подтверждено"),
    "rejected": _("отказано"),
    "active": _("активна"),
    "inactive": _("отключена"),
}


# Writers of a readable line of an event's details, by the prefix of its action code:
# apps above register theirs (the registry: a group's prices), so the trail knows none.
DETAIL_WRITERS: dict[str, object] = {}


def details_for(event) -> str:
    """A readable line of the event's details, for the events that have one."""
    for prefix, writer in DETAIL_WRITERS.items():
        if event.action.startswith(prefix):
            return writer(event.data or {})
    return ""


def label_for(action: str):
    return LABELS.get(action, action)


def state_label(target_type: str, state: str):
    """The readable name of a state: the target model's ``status`` choice if it has one."""
    if not state:
        return ""
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist

    try:
        field = apps.get_model(target_type)._meta.get_field("status")
    except (LookupError, ValueError, FieldDoesNotExist):
        field = None
    if field is not None and field.choices:
        return dict(field.choices).get(state, state)
    return STATE_LABELS.get(state, state)
