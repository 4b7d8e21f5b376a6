# ruff: noqa: RUF001  (Cyrillic letters and the Uzbek modifier letters are meant, not look-alikes)
"""Russian: the sentences of en.py (same keys, same `{name}` placeholders)."""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, str]] = {
    "already_resolved": "Конфликт {id} уже разрешён.",
    "bad_characters": "В запросе есть символ, который нельзя сохранить или найти (нулевой байт "
    "NUL); удалите его и отправьте запрос снова.",
    "bad_encoding": "Строка {line} — не текст в UTF-8, поэтому ничего не импортировано.",
    "bad_header": "Обязательный заголовок загрузки отсутствует или записан неверно.",
    "bad_header.metadata": "В Upload-Metadata должна быть указана запись: 'recording_id <base64>'.",
    "bad_json": "Тело JSON вложено слишком глубоко, его нельзя прочитать; отправьте более "
    "плоский документ.",
    "bad_message": "Этот сокет не принимает такое сообщение.",
    "bad_request": "Запрос составлен неверно.",
    "checksum_mismatch": "Контрольная сумма фрагмента не совпадает; фрагмент отброшен.",
    "conflict": "Запрос противоречит текущему состоянию.",
    "gone": "Этого больше нет, и повторный запрос это не вернёт.",
    "conflict.entry": "Это противоречит существующей записи: {reason}.",
    "conflict.change": "Это изменение противоречит существующей записи: {reason}.",
    "crew_not_allowed": "К экипажу привязываются только токены экипажа: уберите --crew или "
    "укажите --role crew (роль этого токена: {role}).",
    "crew_off_duty": "Экипаж {crew} не на смене.",
    "crew_on_incident": "Экипаж занят на происшествии; его статус меняется вместе с "
    "происшествием, пока оно не закрыто.",
    "crew_out_of_service": "Экипаж {crew} вне службы.",
    "crew_required": "Токен экипажа принадлежит одному экипажу: добавьте --crew CREW_ID "
    "(экипажи и их id: GET /api/v1/crews).",
    "crew_unknown": "Экипажа с id {id} нет: сначала импортируйте его (posbon crews import) или "
    "укажите id существующего экипажа (список: GET /api/v1/crews).",
    "database_unavailable": "Posbon сейчас не может связаться со своей базой данных, поэтому "
    "запрос не выполнен; повторите его через несколько секунд.",
    "details_too_deep": "Объект details вложен глубже чем на {depth} уровней; упростите его.",
    "details_too_large": "Объект details занимает в JSON {size} байт; допустимо не более {limit}.",
    "device_not_yours": "Устройство {device} принадлежит {owner}.",
    "empty_period": "Начало периода (since) должно быть раньше конца (until).",
    "evidence_store_unavailable": "Хранилище доказательств недоступно; ничего не изменено.",
    "external_id_reused": "external_id {external_id} уже обозначает тревогу {alert}, которая "
    "отличается от этой; повтор должен передавать ту же тревогу, новой тревоге нужен новый id.",
    "fault_drills_off": "Учебные сбои выключены; чтобы намеренно останавливать части, запустите "
    "posbon с --fault-drills (POSBON_FAULT_DRILLS=true).",
    "forbidden": "Роли этого токена это не разрешено.",
    "forbidden.role": "Роли {role} это не разрешено; нужна одна из ролей: {roles}.",
    "gap": "Ожидался client_seq {expected}, получен {received}.",
    "half_position": "Укажите и lat, и lon, или ни одного из них.",
    "http_error": "Запрос не выполнен.",
    "idempotency_key_reused": "op_id {op_id} уже использован для другого запроса по этому "
    "происшествию; для нового изменения отправьте новый op_id.",
    "imported": "Импортировано строк: {count}.",
    "imported.skipped": "Импортировано строк: {count}; пропущено неверных строк: {skipped}.",
    "internal_error": "Во время работы Posbon произошла внутренняя ошибка; она записана в журнал.",
    "invalid_image": "Тело запроса — не изображение JPEG или PNG.",
    "invalid_image.image": "Изображение нельзя использовать: {reason}.",
    "invalid_image.frame": "Кадр нельзя использовать: {reason}.",
    "invalid_audit_action": "Укажите действие строчными словами через "
    "точку, например site. или site.update.",
    "invalid_plate_query": "Укажите искомый номер: от 2 до 16 букв или цифр, например 01 A 123 BC.",
    "invalid_key": "Ключ устройства непригоден: {reason}.",
    "invalid_message": "Тело запроса — не корректный JSON или не то сообщение, которое "
    "принимает этот адрес.",
    "invalid_request": "Тело или параметры запроса неверны: {reasons}",
    "invalid_transition": "Происшествие {id} в статусе «{status}»; перевести его в статус "
    "«{target}» нельзя.",
    "message_too_long": "Сообщение слишком длинное; предел (символов): {limit}.",
    "method_not_allowed": "Этот адрес не принимает такой HTTP-метод.",
    "method_override": "X-HTTP-Method-Override {method} отправляется на /uploads/<id>.",
    "models_unavailable": "Модели распознавания не готовы: {reason}. Выполните 'posbon models "
    "prepare' (см. README).",
    "naive_time": "Укажите since и until с часовым поясом, например 2026-11-01T00:00:00Z.",
    "no_image": "Отправьте изображение в теле запроса (image/jpeg).",
    "no_such_part": "Части {name} нет; есть такие части: {parts}.",
    "no_usable_face": "На фото не найдено лицо; пришлите фото, на котором лицо человека хорошо "
    "видно.",
    "several_faces": "На фото несколько лиц ({count}), поэтому неясно, кого вносить; пришлите "
    "фото, на котором этот человек один.",
    "face_too_small": "Лицо на фото шириной {width} пикс., а для внесения нужно не меньше "
    "{minimum} пикс.; пришлите фото, снятое ближе или крупнее.",
    "face_too_blurred": "Лицо на фото слишком размыто для внесения (резкость {sharpness}, нужно "
    "не меньше {minimum}); пришлите чёткое, сфокусированное фото.",
    "not_a_crew": "Этот токен не привязан к экипажу.",
    "invalid_report": "Отчёт недействителен: {reason}.",
    "invalid_report.json": "Отчёт не в формате JSON.",
    "report_too_large": "Отчёт может быть не больше {limit} байт.",
    "workers_not_external": "Этот узел не принимает отчёты обработчиков: задайте "
    "recognition_workers=external (и bus_url вида redis://), чтобы камеры анализировали внешние "
    "обработчики.",
    "not_a_recognition": "Тревога {id} — не распознавание лица или номера; оценить её нельзя.",
    "not_dispatchable": "Происшествие {id} в статусе «{status}»; направить на него экипаж нельзя.",
    "not_found": "Такого ресурса нет; список адресов — в /schema.",
    "not_found.incident": "Происшествия с id {id} нет.",
    "not_found.your_incident": "Для вас нет происшествия с id {id}.",
    "not_found.in_scope": "В пределах вашего доступа нет ничего с {name} {id}.",
    "out_of_scope": "Доступ {name} не распространяется на этот адрес; обратитесь к администратору.",
    "scope_not_allowed": "--district, --camera и --watchlist сужают только токены admin и "
    "dispatcher (роль этого токена — {role}).",
    "scope_not_allowed.empty": "Для --district нужно название района.",
    "not_found.camera": "Камеры с id {id} нет.",
    "not_found.plate_list": "Списка номеров с id {id} нет.",
    "not_found.plate_entry": "В списке номеров {list} нет записи с id {id}.",
    "not_found.custody_log": "У записи {id} нет журнала цепочки хранения.",
    "not_found.evidence": "У записи {id} ещё нет проверенного файла.",
    "not_found.evidence_missing": "Файл доказательства записи {id} отсутствует.",
    "not_your_incident": "Происшествие {id} не назначено этому экипажу.",
    "not_your_recording": "Запись {id} синхронизирована другим постом или экипажем; загрузить "
    "её файл могут только они.",
    "not_your_upload": "Эта загрузка принадлежит другому посту или планшету.",
    "offset_mismatch": "Upload-Offset {claimed} не совпадает с сохранённым смещением {stored}; "
    "отправьте HEAD, чтобы узнать, откуда продолжить.",
    "outcome_required": "Для закрытия нужен результат.",
    "outcome_required.close": "Чтобы закрыть происшествие со статусом «{target}», нужен результат.",
    "payload_too_large": "Тело запроса слишком большое.",
    "payload_too_large.image": "Изображение слишком большое; предел (байт): {limit}.",
    "range_not_satisfiable": "Запрошенный диапазон байтов выходит за пределы файла.",
    "recognition_busy": "Распознавание занято; отправьте кадр ещё раз чуть позже.",
    "recognition_unavailable": "Распознавание сейчас недоступно.",
    "recording_not_synced": "Запись {id} неизвестна: сначала синхронизируйте её метаданные.",
    "recording_restricted": "Запись {id} имеет уровень доступа {access}: открыть её может только "
    "администратор.",
    "recording_verified": "У записи {id} уже есть проверенный файл; доказательства никогда не "
    "заменяются.",
    "refused": "Сервер отклонил запрос.",
    "rejected": "Изменение отклонено окончательно.",
    "rows_rejected": "Неверных строк: {count}, поэтому ничего не импортировано; исправьте их "
    "или передайте skip_invalid, чтобы импортировать верные строки.",
    "scope_forbidden": "Этому устройству нельзя читать область {scope}.",
    "size_mismatch": "Upload-Length {length} отличается от синхронизированного размера {size} "
    "записи {id}.",
    "sync_error": "Запрос синхронизации не выполнен.",
    "account_locked": "Слишком много неверных паролей или кодов: учётная запись заблокирована; "
    "повторите через {seconds} с.",
    "code_required": "Для этой учётной записи нужен 6-значный код из приложения-аутентификатора.",
    "conflict.creating": "Эта учётная запись сейчас создаётся; войдите ещё раз.",
    "cookie_not_session": "В cookie posbon_session допускается только сеанс входа; токен "
    "отправляйте как 'Authorization: Bearer <token>'.",
    "csrf_failed": "Изменение пришло без заголовка X-CSRF-Token этой страницы; перезагрузите "
    "страницу.",
    "not_local_user": "{username} входит через поставщика удостоверений; его пароль хранится там.",
    "password_too_short": "Пароль должен содержать не меньше {count} символов.",
    "session_expired": "Сеанс слишком долго не использовался и завершён; войдите снова.",
    "sign_in_failed": "Неверное имя пользователя, пароль или код.",
    "user_not_found": "Пользователя {username} нет.",
    "username_taken": "Пользователь {username} уже есть.",
    "username_taken.local": "Имя {username} занято локальной учётной записью; пользователь "
    "поставщика удостоверений не может её занять.",
    "token_invalid": "Этот токен неизвестен или отозван.",
    "token_missing": "Токен не предъявлен.",
    "token_missing.how": "Отправьте 'Authorization: Bearer <token>'; токен создаётся командой "
    "'posbon token create'.",
    "token_not_found": "Токена с id {id} нет.",
    "too_large": "Одна отправка может содержать не более {mutations} изменений и {bytes} байт.",
    "too_large.upload": "Upload-Length {length} больше Tus-Max-Size {limit}.",
    "too_large.body": "Тело запроса выходит за пределы Upload-Length.",
    "too_many_failed_sign_ins": "С этого адреса было слишком много неудачных входов; повторите "
    "через {seconds} с.",
    "too_many_failed_tokens": "С этого адреса пришло слишком много неизвестных токенов; "
    "повторите через {seconds} с.",
    "tus_error": "Запрос загрузки не выполнен.",
    "tus_version": "Отправьте Tus-Resumable: {version} (получено {got}).",
    # Single sign-on (server/oidc).
    "oidc_bad_state": "Этот вход начат не здесь или был изменён по пути; начните его заново со "
    "страницы входа.",
    "oidc_bad_state.missing": "В этом браузере вход не начинался (или его cookie заблокирован); "
    "начните его заново со страницы входа.",
    "oidc_bad_state.expired": "Вход занял слишком много времени; начните его заново со страницы "
    "входа.",
    "oidc_bad_state.code": "Провайдер удостоверений не прислал код; начните вход заново со "
    "страницы входа.",
    "oidc_no_role": "{username} не состоит ни в одной группе, дающей доступ к Posbon; попросите "
    "администратора добавить одну из ваших групп в сопоставление ролей.",
    "oidc_not_configured": "Единый вход на этом сервере не настроен (--oidc-issuer).",
    "oidc_refused": "Провайдер удостоверений отклонил вход: {reason}.",
    "oidc_refused.check": "Вход отклонён: {reason}.",
    "oidc_unavailable": "Городской провайдер удостоверений сейчас недоступен ({reason}); "
    "попробуйте позже.",
    "unauthorized": "Отправьте 'Authorization: Bearer <token>'; токен создаётся командой "
    "posbon token.",
    "unavailable": "Posbon сейчас не может выполнить этот запрос; повторите его через несколько "
    "секунд.",
    "unknown_schema_version": "schema_version {version} новее известной этому серверу ({newest}).",
    "unknown_site": "Объекта с id {id} нет.",
    "unknown_contact": "Контакта {contact} нет в списке объекта происшествия {incident}; выберите "
    "контакт из списка «Кому звонить».",
    "not_found.contact": "Контакта с id {id} нет.",
    "unprocessable": "Запрос составлен верно, но выполнить его нельзя.",
    "unreachable": "Сервер недоступен.",
    "unsupported_media_type": "Отправьте тело запроса как application/json.",
    "upgrade_required": "schema_version {version} больше не поддерживается; самая старая "
    "поддерживаемая — {oldest}.",
    "upload_expired": "Срок загрузки {id} истёк; начните новую.",
    "upload_finished": "Завершённая загрузка — это доказательство; удалить её нельзя.",
    "upload_finished.state": "Загрузка {id} уже в состоянии {state}.",
    "upload_not_found": "Загрузки {id} нет.",
    "wrong_content_type": "Тело PATCH должно иметь тип {media_type}.",
    # Retention and legal hold (server/evidence/retention*, holds*)
    "evidence_deleted": "Файл доказательства записи {id} удалён {at}: {reason}.",
    "evidence_deleted.under_way": "Срок хранения записи {id} истёк, её файл удаляется.",
    "hold_released": "Юридическое удержание {id} уже снято.",
    "hold_unknown": "Юридического удержания с номером {id} нет.",
    "retention_category_exists": "Категория хранения {name} уже есть; измените её через PATCH.",
    "retention_category_shorter": "Категорию хранения {name} нельзя сократить; создайте более "
    "короткую категорию и переведите в неё записи (каждую подтверждает второй человек).",
    "retention_category_unknown": "Категории хранения {name} нет; список даёт GET "
    "/api/v1/evidence/retention/categories.",
    "retention_nothing_pending": "У записи {id} нет более короткой категории, ожидающей "
    "подтверждения.",
    "retention_same_person": "Более короткую категорию запросили вы сами; подтвердить её должен "
    "второй человек.",
    "retention_unassigned": "У записи {id} нет проверенного файла, поэтому срок хранения ещё не "
    "назначен.",
    # Evidence share links (server/evidence/sharing.py, share_routes.py)
    "share_target": "Укажите либо recording_id, либо incident_id — ровно одно из двух.",
    "share_expiry": "expires_at должен быть в будущем и не дальше чем через {days} дн.",
    "evidence_not_verified": "У записи {id} ещё нет проверенного файла, поэтому делиться нечем.",
    "share_nothing_to_share": "К происшествию {id} ещё не привязана ни одна проверенная запись, "
    "поэтому делиться нечем.",
    "share_not_found": "Такой ссылки нет; попросите отправителя прислать новую.",
    "share_revoked": "Эта ссылка отозвана; попросите отправителя прислать новую.",
    "share_expired": "Срок действия ссылки истёк; попросите отправителя прислать новую.",
    "share_locked": "Слишком много неверных PIN-кодов: ссылка заблокирована до {until} UTC.",
    "share_pin_required": "Для этой ссылки нужен PIN-код: откройте ссылку в браузере и сначала "
    "введите его.",
    "share_view_only": "Эта ссылка только для просмотра; скачивание не разрешено.",
    "evidence_deleted.share": "Файл доказательства записи {id} удалён по окончании срока хранения.",
    "evidence_missing": "Файл доказательства записи {id} отсутствует.",
    "not_found.share": "Ссылки с номером {id} нет.",
    "not_found.share_item": "Запись {id} не входит в эту ссылку.",
    # Court packages (server/evidence/package*.py)
    "package_restricted": "Доказательства происшествия {id} включают {ids}: их может открыть "
    "только администратор; попросите администратора выгрузить пакет.",
    "evidence_altered": "Файл доказательства записи {id} больше не совпадает с записанным SHA-256; "
    "выполните 'posbon custody verify' и восстановите его из копии.",
    # Redaction (server/evidence/redaction.py, redaction_files.py)
    "not_found.redaction_source": "У записи {id} нет проверенного файла для маскирования.",
    "not_found.redaction": "Маскирования {id} нет.",
    "not_found.redaction_frame": "Кадр {number} вне диапазона 0..{last}.",
    "not_found.evidence_file": "Файл доказательства {where} отсутствует.",
    "conflict.redaction_not_in_review": "Маскирование {id} в состоянии {state}; менять рамки и "
    "запускать создание копии можно только на этапе проверки.",
    "conflict.redaction_detecting": "Маскирование {id} ещё анализирует видео.",
    "bad_request.duplicate_track": "У двух дорожек одинаковый track_id.",
    "bad_request.too_many_keyframes": "Всего ключевых кадров больше допустимых {limit}.",
    "bad_request.track_keyframes": "Дорожке {track} нужны ключевые кадры, и все они должны лежать "
    "внутри её промежутка и в пределах кадров 0..{last}.",
    "bad_request.box_outside": "Рамка дорожки {track} находится за пределами кадра.",
    # Планы действий (server/plans)
    "not_found.plan": "Плана с id {id} нет.",
    "not_found.plan_version": "У плана {id} нет версии {version}.",
    "not_found.incident_plan": "У происшествия {id} нет плана действий.",
    "not_found.plan_step": "В плане действий происшествия {id} нет шага {index}.",
    "plan_scope_both": "План относится либо к одному объекту, либо к одному типу объектов, но не "
    "к обоим сразу: уберите site_kind или site_id.",
    "plan_scope_taken": "План {id} ({name}) уже охватывает этот вид тревоги и эту область; "
    "измените тот план или сначала отключите его.",
    "plan_reason_required": "Для шага со статусом «{state}» нужна причина; укажите её в 'reason'.",
    "plan_incident_closed": "Происшествие {id} закрыто; его план действий больше не меняется.",
    "plan_no_open_steps": "У происшествия {id} нет открытых обязательных шагов плана; закройте "
    "его как обычно.",
    "plan_steps_open": "У происшествия {id} открыты обязательные шаги плана: {steps}. Отметьте "
    "каждый как выполненный, пропущенный или неудавшийся либо закройте с причиной отмены плана.",
    "recipient_required": "Укажите ровно одного получателя: contact_id (контакт объекта этого "
    "происшествия) или duty_desk: true.",
    "duty_desk_not_configured": "Дежурная часть для канала {channel} не задана: запустите posbon "
    "с {setting}.",
    "contact_not_of_site": "Контакт {contact} не относится к объекту этого происшествия; список "
    "даёт GET /api/v1/incidents/{incident}/contacts.",
    "contact_has_no_telegram": "У контакта {contact} нет чата Telegram; добавьте его контакту или "
    "отправьте SMS.",
    "contact_has_no_phone": "У контакта {contact} нет номера телефона; сначала добавьте его.",
    "phone_not_of_contact": "{phone} не является телефоном контакта {contact}; выберите один из "
    "его телефонов.",
    "sms_not_configured": "SMS-уведомления выключены: запустите posbon с --smpp-host (и "
    "--smpp-system-id, --smpp-password), указав SMPP-шлюз оператора.",
    "telegram_not_configured": "Уведомления Telegram выключены: запустите posbon с "
    "--telegram-bot-token (токен бота).",
}

STATUSES: Final[dict[str, str]] = {
    "new": "новое",
    "dispatched": "экипаж направлен",
    "acknowledged": "принято экипажем",
    "en_route": "в пути",
    "on_scene": "на месте",
    "resolved": "завершено",
    "cancelled": "отменено",
    "false_alarm": "ложная тревога",
}
