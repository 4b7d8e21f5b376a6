// The words both web apps show, written once: the names of the server's values (incident
// statuses, outcomes, alert kinds, crew statuses) and the few texts the two apps share, in each
// language. The dispatcher's js/lang/<code>.js and the crew app's js/i18n.js spread them into
// their catalogs (tests/unit/test_server/test_web_i18n.py checks both catalogs whole); a key an
// app must word its own way stays in that app's catalog.

const EN = {
  // Incident statuses (sync.lattices.IncidentStatus)
  status_new: "new",
  status_dispatched: "dispatched",
  status_acknowledged: "acknowledged",
  status_en_route: "en route",
  status_on_scene: "on scene",
  status_resolved: "resolved",
  status_cancelled: "cancelled",
  status_false_alarm: "false alarm",

  // Outcomes (sync.entities.Outcome)
  outcome_crime_prevented: "crime prevented",
  outcome_persons_detained: "persons detained",
  outcome_administrative_violation: "administrative violation",
  outcome_crime_solved: "crime solved",
  outcome_false_alarm: "false alarm",
  outcome_medical: "medical help",
  outcome_other: "other",

  // Alert and incident kinds (server/alerts/schemas.py AlertKind)
  kind_panic: "Panic",
  kind_sos: "SOS",
  kind_fire: "Fire",
  kind_medical: "Medical",
  kind_intrusion: "Intrusion",
  kind_duress: "Duress",
  kind_face_match: "Face match",
  kind_plate_wanted: "Wanted plate",
  kind_plate_foreign: "Foreign plate",
  kind_tamper: "Tamper",
  kind_trouble: "Device trouble",
  kind_device_offline: "Device offline",
  kind_device_online: "Device back online",
  kind_test: "Test",
  kind_other: "Other",
  kind_unknown: "Unknown",

  // Crew statuses (server/crews/schemas.py CrewStatus)
  crew_status_available: "available",
  crew_status_dispatched: "dispatched",
  crew_status_en_route: "en route",
  crew_status_on_scene: "on scene",
  crew_status_busy: "busy",
  crew_status_off_duty: "off duty",
  crew_status_out_of_service: "out of service",
  crew_status_returning: "returning",

  // Texts both apps show: sign-in, the shared disconnected bar, the map's buttons, closing
  language: "Language",
  signin_title: "Sign in",
  signin: "Sign in",
  cancel: "Cancel",
  disconnected_as_of: "Disconnected — data as of {time}",
  map_zoom_in: "Zoom in",
  map_zoom_out: "Zoom out",
  map_attribution_toggle: "Show or hide the map's sources",
  outcome: "Outcome",
  persons_detained: "Persons detained",
};

const RU = {
  // Incident statuses (sync.lattices.IncidentStatus)
  status_new: "новое",
  status_dispatched: "экипаж направлен",
  status_acknowledged: "принято экипажем",
  status_en_route: "в пути",
  status_on_scene: "на месте",
  status_resolved: "закрыто",
  status_cancelled: "отменено",
  status_false_alarm: "ложная тревога",

  // Outcomes (sync.entities.Outcome)
  outcome_crime_prevented: "преступление предотвращено",
  outcome_persons_detained: "задержаны лица",
  outcome_administrative_violation: "административное правонарушение",
  outcome_crime_solved: "преступление раскрыто",
  outcome_false_alarm: "ложная тревога",
  outcome_medical: "медицинская помощь",
  outcome_other: "другое",

  // Alert and incident kinds (server/alerts/schemas.py AlertKind)
  kind_panic: "Тревожная кнопка",
  kind_sos: "SOS",
  kind_fire: "Пожар",
  kind_medical: "Медицинский вызов",
  kind_intrusion: "Проникновение",
  kind_duress: "Принуждение",
  kind_face_match: "Совпадение лица",
  kind_plate_wanted: "Номер в розыске",
  kind_plate_foreign: "Иностранный номер",
  kind_tamper: "Вскрытие устройства",
  kind_trouble: "Неисправность устройства",
  kind_device_offline: "Устройство не на связи",
  kind_device_online: "Устройство снова на связи",
  kind_test: "Проверка",
  kind_other: "Другое",
  kind_unknown: "Неизвестно",

  // Crew statuses (server/crews/schemas.py CrewStatus)
  crew_status_available: "свободен",
  crew_status_dispatched: "направлен",
  crew_status_en_route: "в пути",
  crew_status_on_scene: "на месте",
  crew_status_busy: "занят",
  crew_status_off_duty: "не на смене",
  crew_status_out_of_service: "вне службы",
  crew_status_returning: "возвращается",

  // Texts both apps show: sign-in, the shared disconnected bar, the map's buttons, closing
  language: "Язык",
  signin_title: "Вход",
  signin: "Войти",
  cancel: "Отмена",
  disconnected_as_of: "Нет связи — данные на {time}",
  map_zoom_in: "Приблизить",
  map_zoom_out: "Отдалить",
  map_attribution_toggle: "Показать или скрыть источники карты",
  outcome: "Итог",
  persons_detained: "Задержано лиц",
};

const UZ_LATN = {
  // Incident statuses (sync.lattices.IncidentStatus)
  status_new: "yangi",
  status_dispatched: "ekipaj yuborildi",
  status_acknowledged: "ekipaj qabul qildi",
  status_en_route: "yo'lda",
  status_on_scene: "joyida",
  status_resolved: "yopildi",
  status_cancelled: "bekor qilindi",
  status_false_alarm: "yolg'on signal",

  // Outcomes (sync.entities.Outcome)
  outcome_crime_prevented: "jinoyatning oldi olindi",
  outcome_persons_detained: "shaxslar ushlandi",
  outcome_administrative_violation: "ma'muriy huquqbuzarlik",
  outcome_crime_solved: "jinoyat fosh etildi",
  outcome_false_alarm: "yolg'on signal",
  outcome_medical: "tibbiy yordam",
  outcome_other: "boshqa",

  // Alert and incident kinds (server/alerts/schemas.py AlertKind)
  kind_panic: "Xavf tugmasi",
  kind_sos: "SOS",
  kind_fire: "Yong'in",
  kind_medical: "Tibbiy chaqiruv",
  kind_intrusion: "Bostirib kirish",
  kind_duress: "Majburlash",
  kind_face_match: "Yuz mos keldi",
  kind_plate_wanted: "Qidiruvdagi raqam",
  kind_plate_foreign: "Xorijiy raqam",
  kind_tamper: "Qurilmaga aralashish",
  kind_trouble: "Qurilma nosozligi",
  kind_device_offline: "Qurilma aloqada emas",
  kind_device_online: "Qurilma yana aloqada",
  kind_test: "Sinov",
  kind_other: "Boshqa",
  kind_unknown: "Noma'lum",

  // Crew statuses (server/crews/schemas.py CrewStatus)
  crew_status_available: "bo'sh",
  crew_status_dispatched: "yuborilgan",
  crew_status_en_route: "yo'lda",
  crew_status_on_scene: "joyida",
  crew_status_busy: "band",
  crew_status_off_duty: "smenada emas",
  crew_status_out_of_service: "xizmatdan tashqari",
  crew_status_returning: "qaytmoqda",

  // Texts both apps show: sign-in, the shared disconnected bar, the map's buttons, closing
  language: "Til",
  signin_title: "Kirish",
  signin: "Kirish",
  cancel: "Bekor qilish",
  disconnected_as_of: "Aloqa yo'q — ma'lumotlar {time} holatiga",
  map_zoom_in: "Yaqinlashtirish",
  map_zoom_out: "Uzoqlashtirish",
  map_attribution_toggle: "Xarita manbalarini ko'rsatish yoki yashirish",
  outcome: "Natija",
  persons_detained: "Ushlanganlar soni",
};

const UZ_CYRL = {
  // Incident statuses (sync.lattices.IncidentStatus)
  status_new: "янги",
  status_dispatched: "экипаж юборилди",
  status_acknowledged: "экипаж қабул қилди",
  status_en_route: "йўлда",
  status_on_scene: "жойида",
  status_resolved: "ёпилди",
  status_cancelled: "бекор қилинди",
  status_false_alarm: "ёлғон сигнал",

  // Outcomes (sync.entities.Outcome)
  outcome_crime_prevented: "жиноятнинг олди олинди",
  outcome_persons_detained: "шахслар ушланди",
  outcome_administrative_violation: "маъмурий ҳуқуқбузарлик",
  outcome_crime_solved: "жиноят фош этилди",
  outcome_false_alarm: "ёлғон сигнал",
  outcome_medical: "тиббий ёрдам",
  outcome_other: "бошқа",

  // Alert and incident kinds (server/alerts/schemas.py AlertKind)
  kind_panic: "Хавф тугмаси",
  kind_sos: "SOS",
  kind_fire: "Ёнғин",
  kind_medical: "Тиббий чақирув",
  kind_intrusion: "Бостириб кириш",
  kind_duress: "Мажбурлаш",
  kind_face_match: "Юз мос келди",
  kind_plate_wanted: "Қидирувдаги рақам",
  kind_plate_foreign: "Хорижий рақам",
  kind_tamper: "Қурилмага аралашиш",
  kind_trouble: "Қурилма носозлиги",
  kind_device_offline: "Қурилма алоқада эмас",
  kind_device_online: "Қурилма яна алоқада",
  kind_test: "Синов",
  kind_other: "Бошқа",
  kind_unknown: "Номаълум",

  // Crew statuses (server/crews/schemas.py CrewStatus)
  crew_status_available: "бўш",
  crew_status_dispatched: "юборилган",
  crew_status_en_route: "йўлда",
  crew_status_on_scene: "жойида",
  crew_status_busy: "банд",
  crew_status_off_duty: "сменада эмас",
  crew_status_out_of_service: "хизматдан ташқари",
  crew_status_returning: "қайтмоқда",

  // Texts both apps show: sign-in, the shared disconnected bar, the map's buttons, closing
  language: "Тил",
  signin_title: "Кириш",
  signin: "Кириш",
  cancel: "Бекор қилиш",
  disconnected_as_of: "Алоқа йўқ — маълумотлар {time} ҳолатига",
  map_zoom_in: "Яқинлаштириш",
  map_zoom_out: "Узоқлаштириш",
  map_attribution_toggle: "Харита манбаларини кўрсатиш ёки яшириш",
  outcome: "Натижа",
  persons_detained: "Ушланганлар сони",
};

/** Language code → the shared words, the codes both apps offer. */
export const SHARED = { en: EN, ru: RU, "uz-Latn": UZ_LATN, "uz-Cyrl": UZ_CYRL };
