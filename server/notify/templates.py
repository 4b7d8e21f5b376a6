# ruff: noqa: RUF001  (the Uzbek modifier letter U+02BB of o and g is meant, not a look-alike)
"""The words of a notice, in Uzbek (Latin and Cyrillic), Russian and English.

A key-holder reads these on a phone, often a plain one: short sentences, the site's name, what
happened and when, and who sends it (so the message is not taken for spam). Pure functions: the
clock and the time zone come in as arguments.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from typing import Final

import msgspec

from server.notify.schemas import Template

LANGUAGES: Final = ("uz-Latn", "uz-Cyrl", "ru", "en")

TEMPLATES: Final[dict[str, dict[Template, str]]] = {
    "uz-Latn": {
        Template.ALARM: "Xavotir: {site} obyektida {kind}, {time}. Posbon monitoring markazi.",
        Template.CREW_SENT: "{site}: tezkor guruh yoʻlda ({time}). Posbon monitoring markazi.",
        Template.ALL_CLEAR: "{site}: hodisa yopildi ({time}). Posbon monitoring markazi.",
    },
    "uz-Cyrl": {
        Template.ALARM: "Хавотир: {site} объектида {kind}, {time}. Posbon мониторинг маркази.",
        Template.CREW_SENT: "{site}: тезкор гуруҳ йўлда ({time}). Posbon мониторинг маркази.",
        Template.ALL_CLEAR: "{site}: ҳодиса ёпилди ({time}). Posbon мониторинг маркази.",
    },
    "ru": {
        Template.ALARM: "Тревога на объекте {site}: {kind}, {time}. Мониторинговый центр Posbon.",
        Template.CREW_SENT: "{site}: группа реагирования в пути ({time}). Центр Posbon.",
        Template.ALL_CLEAR: "{site}: происшествие закрыто ({time}). Центр Posbon.",
    },
    "en": {
        Template.ALARM: "Alarm at {site}: {kind} at {time}. Posbon monitoring centre.",
        Template.CREW_SENT: "{site}: a response crew is on its way ({time}). Posbon centre.",
        Template.ALL_CLEAR: "{site}: the incident is closed ({time}). Posbon centre.",
    },
}

KINDS: Final[dict[str, dict[str, str]]] = {
    "uz-Latn": {
        "panic": "tashvish tugmasi",
        "sos": "SOS",
        "fire": "yongʻin",
        "medical": "tibbiy yordam",
        "intrusion": "bostirib kirish",
        "duress": "majburlash",
    },
    "uz-Cyrl": {
        "panic": "ташвиш тугмаси",
        "sos": "SOS",
        "fire": "ёнғин",
        "medical": "тиббий ёрдам",
        "intrusion": "бостириб кириш",
        "duress": "мажбурлаш",
    },
    "ru": {
        "panic": "тревожная кнопка",
        "sos": "SOS",
        "fire": "пожар",
        "medical": "медицинская помощь",
        "intrusion": "проникновение",
        "duress": "принуждение",
    },
    "en": {
        "panic": "panic button",
        "sos": "SOS",
        "fire": "fire",
        "medical": "medical",
        "intrusion": "intrusion",
        "duress": "duress",
    },
}
"""The alarm kinds a key-holder hears about most; any other kind is named as the server does."""

ALIASES: Final = {
    "uz": "uz-Latn",
    "uz-latn": "uz-Latn",
    "uz-cyrl": "uz-Cyrl",
    "ru": "ru",
    "en": "en",
}
"""A contact's language as a person types it (`uz`, `ru`) to the language of our words."""


class Facts(msgspec.Struct, frozen=True, kw_only=True):
    site: str
    kind: str
    at: dt.datetime


def pick_language(preferred: Sequence[str], default: str) -> str:
    """The first of the contact's languages we have words for, else the default."""
    for language in preferred:
        found = ALIASES.get(language.strip().lower())
        if found is not None:
            return found
    return default


def render(template: Template, language: str, facts: Facts, time_zone: str) -> str:
    local = facts.at.astimezone(zoneinfo.ZoneInfo(time_zone))
    kind = KINDS[language].get(facts.kind, facts.kind.replace("_", " "))
    return TEMPLATES[language][template].format(
        site=facts.site, kind=kind, time=local.strftime("%H:%M %d.%m.%Y")
    )
