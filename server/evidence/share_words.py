# ruff: noqa: RUF001  (Cyrillic letters and the Uzbek modifier letters are meant, not look-alikes)
"""The words of the outside party's share page, in the four languages of server/messages.

The page is for people outside Posbon (a prosecutor, a judge), so it speaks their language as
their browser asks for it (Accept-Language, `server.messages.negotiate`). `{name}` marks a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

EN: Final = {
    "page_title": "Shared evidence",
    "recipient": "Shared with",
    "valid_until": "Link valid until",
    "access": "Access",
    "mode_view": "View only",
    "mode_download": "View and download",
    "recorded": "Recorded",
    "duration": "Duration",
    "camera": "Camera",
    "size": "Size",
    "download": "Download",
    "unavailable": "This file is no longer available.",
    "audit": "Each opening of this page and of each file is recorded together with your network "
    "address.",
    "pin_title": "PIN required",
    "pin_prompt": "This link is protected by a PIN. Enter the PIN you were given separately.",
    "pin_label": "PIN",
    "pin_submit": "Open",
    "pin_wrong": "Wrong PIN. Tries left before the link is locked: {tries}.",
    "locked": "Too many wrong PINs: the link is locked until {until} UTC.",
    "problem_title": "Link not available",
    "share_not_found": "This link does not exist. Ask whoever sent it for a new one.",
    "share_revoked": "This link was revoked. Ask whoever sent it for a new one.",
    "share_expired": "This link has expired. Ask whoever sent it for a new one.",
}
RU: Final = {
    "page_title": "Переданные материалы",
    "recipient": "Для кого",
    "valid_until": "Ссылка действует до",
    "access": "Доступ",
    "mode_view": "Только просмотр",
    "mode_download": "Просмотр и скачивание",
    "recorded": "Записано",
    "duration": "Длительность",
    "camera": "Камера",
    "size": "Размер",
    "download": "Скачать",
    "unavailable": "Этот файл больше недоступен.",
    "audit": "Каждое открытие этой страницы и каждого файла записывается вместе с вашим "
    "сетевым адресом.",
    "pin_title": "Требуется PIN-код",
    "pin_prompt": "Эта ссылка защищена PIN-кодом. Введите PIN-код, полученный отдельно.",
    "pin_label": "PIN-код",
    "pin_submit": "Открыть",
    "pin_wrong": "Неверный PIN-код. Осталось попыток до блокировки ссылки: {tries}.",
    "locked": "Слишком много неверных PIN-кодов: ссылка заблокирована до {until} UTC.",
    "problem_title": "Ссылка недоступна",
    "share_not_found": "Такой ссылки нет. Попросите отправителя прислать новую.",
    "share_revoked": "Эта ссылка отозвана. Попросите отправителя прислать новую.",
    "share_expired": "Срок действия ссылки истёк. Попросите отправителя прислать новую.",
}
UZ_LATN: Final = {
    "page_title": "Ulashilgan dalillar",
    "recipient": "Kim uchun",
    "valid_until": "Havola amal qilish muddati",
    "access": "Ruxsat",
    "mode_view": "Faqat koʻrish",
    "mode_download": "Koʻrish va yuklab olish",
    "recorded": "Yozib olingan",
    "duration": "Davomiyligi",
    "camera": "Kamera",
    "size": "Hajmi",
    "download": "Yuklab olish",
    "unavailable": "Bu fayl endi mavjud emas.",
    "audit": "Bu sahifa va har bir faylning har bir ochilishi tarmoq manzilingiz bilan birga "
    "qayd etiladi.",
    "pin_title": "PIN-kod kerak",
    "pin_prompt": "Bu havola PIN-kod bilan himoyalangan. Sizga alohida berilgan PIN-kodni "
    "kiriting.",
    "pin_label": "PIN-kod",
    "pin_submit": "Ochish",
    "pin_wrong": "PIN-kod notoʻgʻri. Havola bloklanishigacha qolgan urinishlar: {tries}.",
    "locked": "Notoʻgʻri PIN-kodlar juda koʻp: havola {until} UTC gacha bloklangan.",
    "problem_title": "Havola mavjud emas",
    "share_not_found": "Bunday havola mavjud emas. Yuboruvchidan yangisini soʻrang.",
    "share_revoked": "Bu havola bekor qilingan. Yuboruvchidan yangisini soʻrang.",
    "share_expired": "Bu havolaning muddati tugagan. Yuboruvchidan yangisini soʻrang.",
}
UZ_CYRL: Final = {
    "page_title": "Улашилган далиллар",
    "recipient": "Ким учун",
    "valid_until": "Ҳавола амал қилиш муддати",
    "access": "Рухсат",
    "mode_view": "Фақат кўриш",
    "mode_download": "Кўриш ва юклаб олиш",
    "recorded": "Ёзиб олинган",
    "duration": "Давомийлиги",
    "camera": "Камера",
    "size": "Ҳажми",
    "download": "Юклаб олиш",
    "unavailable": "Бу файл энди мавжуд эмас.",
    "audit": "Бу саҳифа ва ҳар бир файлнинг ҳар бир очилиши тармоқ манзилингиз билан бирга "
    "қайд этилади.",
    "pin_title": "PIN-код керак",
    "pin_prompt": "Бу ҳавола PIN-код билан ҳимояланган. Сизга алоҳида берилган PIN-кодни киритинг.",
    "pin_label": "PIN-код",
    "pin_submit": "Очиш",
    "pin_wrong": "PIN-код нотўғри. Ҳавола блокланишигача қолган уринишлар: {tries}.",
    "locked": "Нотўғри PIN-кодлар жуда кўп: ҳавола {until} UTC гача блокланган.",
    "problem_title": "Ҳавола мавжуд эмас",
    "share_not_found": "Бундай ҳавола мавжуд эмас. Юборувчидан янгисини сўранг.",
    "share_revoked": "Бу ҳавола бекор қилинган. Юборувчидан янгисини сўранг.",
    "share_expired": "Бу ҳаволанинг муддати тугаган. Юборувчидан янгисини сўранг.",
}
WORDS: Final[Mapping[str, Mapping[str, str]]] = {
    "en": EN,
    "ru": RU,
    "uz-Latn": UZ_LATN,
    "uz-Cyrl": UZ_CYRL,
}
