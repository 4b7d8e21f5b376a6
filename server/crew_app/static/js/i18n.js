// The crew app's message catalogue: Uzbek (Latin and Cyrillic), Russian, English, and how
// dates, times and counts are written in each. The language comes from the browser and can be
// switched; the choice is kept on the tablet (localStorage `posbon.lang`, shared with the
// dispatcher page) and sent with every request (api.js). A value may be an object of CLDR
// plural forms ({one, few, many, other}), chosen with Intl.PluralRules. The words the dispatcher
// page shows too (statuses, outcomes, kinds, crew statuses...) come from the shared catalog.

import { SHARED } from "/static/shared/catalog.js";

const EN = {
  ...SHARED.en,
  app_title: "Posbon crew",
  token_label: "Crew token",
  signin_hint: "Ask the dispatcher for a crew token. It is kept on this tablet until you sign out.",
  signout: "Sign out",
  night_scheme: "Night",
  crew_label: "Crew {name}",
  link_live: "Online",
  link_offline: "Offline: working from this tablet",
  link_connecting: "Connecting…",
  link_signed_out: "Signed out",
  waiting_n: { one: "{n} item waiting to send", other: "{n} items waiting to send" },
  sound_enable: "Tap to enable sound",
  sound_on: "Sound on",
  alert_title: "New dispatch",
  priority: "Priority {n}",
  distance_km: "{km} km away",
  distance_unknown: "distance unknown",
  no_incident: "No call. Stand by.",
  incident_title: "Current call",
  status: "Status",
  act_acknowledged: "Acknowledge",
  act_en_route: "En route",
  act_on_scene: "On scene",
  act_resolve: "Resolve",
  notes_title: "Dispatcher notes",
  stand_down_title: "STAND DOWN",
  stand_down_cancelled: "The dispatcher cancelled call #{id}.",
  stand_down_false_alarm: "Call #{id} was a false alarm.",
  stand_down_reassigned: "Call #{id} was given to another crew.",
  stand_down_ok: "Understood",
  crew_status_title: "Crew status",
  crew_status_now: "The dispatcher sees: {status}",
  crew_status_unknown: "The dispatcher sees this crew once the tablet is online.",
  crew_status_needs_link: "Changing the status needs a link to the dispatcher. Without one, tell them by radio.",
  crew_status_on_call: "Not while the crew holds a call.",
  set_available: "Available",
  set_out_of_service: "Out of service",
  set_returning: "Returning to base",
  outcome_none: "Not yet known",
  outcome_needed: "Choose the outcome first.",
  resolve_outcome_hint: "The same outcome as in the report: it is what the call is closed with.",
  notes: "Notes",
  confirm_resolve: "Resolve the call",
  navigate: "Navigate",
  nav_geo: "Map app",
  nav_yandex: "Yandex Navigator",
  nav_google: "Google Maps",
  nav_osmand: "OsmAnd",
  map_title: "Map",
  map_label: "Map: destination and own position",
  actions_label: "Status",
  queue_title: "Sent from this tablet",
  queue_empty: "Nothing yet.",
  state_waiting: "waiting to send",
  state_sent: "sent",
  state_applied: "saved on the server",
  state_refused: "refused",
  state_conflict: "conflict",
  report_title: "Incident report",
  narrative: "What happened",
  save_draft: "Save draft",
  submit_report: "Submit report",
  report_saved: "Report saved on the tablet; it is sent when there is a link.",
  persons_title: "Persons involved",
  person_role: "Role",
  role_suspect: "Suspect",
  role_victim: "Victim",
  role_witness: "Witness",
  role_other: "Other",
  full_name: "Full name",
  birth_year: "Birth year",
  document_ref: "Document",
  add_person: "Add person",
  detentions_title: "Detentions",
  detention_person: "Person",
  grounds: "Grounds",
  handed_to: "Handed to",
  add_detention: "Add detention",
  report_sync_title: "Report changes",
  conflict_note: "Changed on another device after yours; the dispatcher sees both versions.",
  item_report: "Report of call #{id}",
  item_person: "Person: {name}",
  item_detention: "Detention: {grounds}",
  item_action: "{action} · call #{id}",
  server_unreachable: "The server cannot be reached.",
  server_answered: "The server answered {status}.",
};

const RU = {
  ...SHARED.ru,
  app_title: "Посбон: экипаж",
  token_label: "Токен экипажа",
  signin_hint: "Токен выдаёт диспетчер. Он хранится на планшете до выхода.",
  signout: "Выйти",
  night_scheme: "Ночь",
  crew_label: "Экипаж {name}",
  link_live: "На связи",
  link_offline: "Нет связи: работа с планшета",
  link_connecting: "Подключение…",
  link_signed_out: "Не выполнен вход",
  waiting_n: {
    one: "{n} запись ждёт отправки",
    few: "{n} записи ждут отправки",
    many: "{n} записей ждут отправки",
    other: "{n} записи ждут отправки",
  },
  sound_enable: "Нажмите, чтобы включить звук",
  sound_on: "Звук включён",
  alert_title: "Новый вызов",
  priority: "Приоритет {n}",
  distance_km: "{km} км",
  distance_unknown: "расстояние неизвестно",
  no_incident: "Вызовов нет. Ожидайте.",
  incident_title: "Текущий вызов",
  status: "Статус",
  act_acknowledged: "Принять",
  act_en_route: "В пути",
  act_on_scene: "На месте",
  act_resolve: "Завершить",
  notes_title: "Сообщения диспетчера",
  stand_down_title: "ОТБОЙ",
  stand_down_cancelled: "Диспетчер отменил вызов №{id}.",
  stand_down_false_alarm: "Вызов №{id} — ложная тревога.",
  stand_down_reassigned: "Вызов №{id} передан другому экипажу.",
  stand_down_ok: "Понятно",
  crew_status_title: "Статус экипажа",
  crew_status_now: "Диспетчер видит: {status}",
  crew_status_unknown: "Диспетчер увидит экипаж, когда планшет выйдет на связь.",
  crew_status_needs_link: "Для смены статуса нужна связь с диспетчером. Без связи сообщите по рации.",
  crew_status_on_call: "Нельзя, пока у экипажа есть вызов.",
  set_available: "Свободен",
  set_out_of_service: "Не в строю",
  set_returning: "Возвращаемся на базу",
  outcome_none: "Пока неизвестно",
  outcome_needed: "Сначала выберите итог.",
  resolve_outcome_hint: "Тот же итог, что в рапорте: с ним вызов и закрывается.",
  notes: "Примечания",
  confirm_resolve: "Завершить вызов",
  navigate: "Маршрут",
  nav_geo: "Карты",
  nav_yandex: "Яндекс Навигатор",
  nav_google: "Google Карты",
  nav_osmand: "OsmAnd",
  map_title: "Карта",
  map_label: "Карта: место вызова и своё положение",
  actions_label: "Статус",
  queue_title: "Отправлено с планшета",
  queue_empty: "Пока ничего.",
  state_waiting: "ждёт отправки",
  state_sent: "отправлено",
  state_applied: "сохранено на сервере",
  state_refused: "отклонено",
  state_conflict: "конфликт",
  report_title: "Рапорт о происшествии",
  narrative: "Что произошло",
  save_draft: "Сохранить черновик",
  submit_report: "Отправить рапорт",
  report_saved: "Рапорт сохранён на планшете и уйдёт, когда появится связь.",
  persons_title: "Участники",
  person_role: "Роль",
  role_suspect: "Подозреваемый",
  role_victim: "Потерпевший",
  role_witness: "Свидетель",
  role_other: "Другое",
  full_name: "ФИО",
  birth_year: "Год рождения",
  document_ref: "Документ",
  add_person: "Добавить участника",
  detentions_title: "Задержания",
  detention_person: "Кто",
  grounds: "Основание",
  handed_to: "Кому передан",
  add_detention: "Добавить задержание",
  report_sync_title: "Изменения рапорта",
  conflict_note: "Изменено на другом устройстве позже вас; диспетчер видит обе версии.",
  item_report: "Рапорт по вызову №{id}",
  item_person: "Участник: {name}",
  item_detention: "Задержание: {grounds}",
  item_action: "{action} · вызов №{id}",
  server_unreachable: "Сервер недоступен.",
  server_answered: "Сервер ответил: {status}.",
};

const UZ_LATN = {
  ...SHARED["uz-Latn"],
  app_title: "Posbon: ekipaj",
  token_label: "Ekipaj tokeni",
  signin_hint: "Tokenni dispetcher beradi. U chiqquningizcha planshetda saqlanadi.",
  signout: "Chiqish",
  night_scheme: "Tun",
  crew_label: "Ekipaj {name}",
  link_live: "Aloqa bor",
  link_offline: "Aloqa yo'q: planshetdan ishlanmoqda",
  link_connecting: "Ulanmoqda…",
  link_signed_out: "Kirilmagan",
  waiting_n: { one: "{n} ta yozuv yuborishni kutmoqda", other: "{n} ta yozuv yuborishni kutmoqda" },
  sound_enable: "Ovozni yoqish uchun bosing",
  sound_on: "Ovoz yoqilgan",
  alert_title: "Yangi chaqiruv",
  priority: "Muhimlik {n}",
  distance_km: "{km} km",
  distance_unknown: "masofa noma'lum",
  no_incident: "Chaqiruv yo'q. Kuting.",
  incident_title: "Joriy chaqiruv",
  status: "Holat",
  act_acknowledged: "Qabul qilish",
  act_en_route: "Yo'ldamiz",
  act_on_scene: "Joyidamiz",
  act_resolve: "Yakunlash",
  notes_title: "Dispetcher xabarlari",
  stand_down_title: "TO'XTANG",
  stand_down_cancelled: "Dispetcher #{id} chaqiruvni bekor qildi.",
  stand_down_false_alarm: "#{id} chaqiruv soxta signal bo'lib chiqdi.",
  stand_down_reassigned: "#{id} chaqiruv boshqa ekipajga berildi.",
  stand_down_ok: "Tushunarli",
  crew_status_title: "Ekipaj holati",
  crew_status_now: "Dispetcher ko'radi: {status}",
  crew_status_unknown: "Planshet aloqaga chiqqach, dispetcher ekipajni ko'radi.",
  crew_status_needs_link: "Holatni o'zgartirish uchun dispetcher bilan aloqa kerak. Aloqa bo'lmasa, ratsiya orqali ayting.",
  crew_status_on_call: "Ekipajda chaqiruv bor ekan, bo'lmaydi.",
  set_available: "Bo'shmiz",
  set_out_of_service: "Xizmatdan tashqari",
  set_returning: "Bazaga qaytmoqdamiz",
  outcome_none: "Hali noma'lum",
  outcome_needed: "Avval natijani tanlang.",
  resolve_outcome_hint: "Bayonnomadagi natijaning o'zi: chaqiruv shu bilan yopiladi.",
  notes: "Izoh",
  confirm_resolve: "Chaqiruvni yakunlash",
  navigate: "Yo'nalish",
  nav_geo: "Xarita ilovasi",
  nav_yandex: "Yandex Navigator",
  nav_google: "Google Maps",
  nav_osmand: "OsmAnd",
  map_title: "Xarita",
  map_label: "Xarita: chaqiruv joyi va o'z joylashuvingiz",
  actions_label: "Holat",
  queue_title: "Planshetdan yuborilganlar",
  queue_empty: "Hozircha hech narsa.",
  state_waiting: "yuborishni kutmoqda",
  state_sent: "yuborildi",
  state_applied: "serverda saqlandi",
  state_refused: "rad etildi",
  state_conflict: "ziddiyat",
  report_title: "Hodisa bayonnomasi",
  narrative: "Nima sodir bo'ldi",
  save_draft: "Qoralamani saqlash",
  submit_report: "Bayonnomani yuborish",
  report_saved: "Bayonnoma planshetda saqlandi; aloqa bo'lganda yuboriladi.",
  persons_title: "Ishtirokchilar",
  person_role: "Roli",
  role_suspect: "Gumonlanuvchi",
  role_victim: "Jabrlanuvchi",
  role_witness: "Guvoh",
  role_other: "Boshqa",
  full_name: "F.I.Sh.",
  birth_year: "Tug'ilgan yili",
  document_ref: "Hujjat",
  add_person: "Ishtirokchi qo'shish",
  detentions_title: "Ushlashlar",
  detention_person: "Kim",
  grounds: "Asos",
  handed_to: "Kimga topshirildi",
  add_detention: "Ushlashni qo'shish",
  report_sync_title: "Bayonnoma o'zgarishlari",
  conflict_note: "Boshqa qurilmada keyinroq o'zgartirildi; dispetcher ikkala variantni ko'radi.",
  item_report: "#{id} chaqiruv bayonnomasi",
  item_person: "Ishtirokchi: {name}",
  item_detention: "Ushlash: {grounds}",
  item_action: "{action} · #{id} chaqiruv",
  server_unreachable: "Serverga ulanib bo'lmadi.",
  server_answered: "Server javobi: {status}.",
};

const UZ_CYRL = {
  ...SHARED["uz-Cyrl"],
  app_title: "Посбон: экипаж",
  token_label: "Экипаж токени",
  signin_hint: "Токенни диспетчер беради. У чиққунингизча планшетда сақланади.",
  signout: "Чиқиш",
  night_scheme: "Тун",
  crew_label: "Экипаж {name}",
  link_live: "Алоқа бор",
  link_offline: "Алоқа йўқ: планшетдан ишланмоқда",
  link_connecting: "Уланмоқда…",
  link_signed_out: "Кирилмаган",
  waiting_n: { one: "{n} та ёзув юборишни кутмоқда", other: "{n} та ёзув юборишни кутмоқда" },
  sound_enable: "Овозни ёқиш учун босинг",
  sound_on: "Овоз ёқилган",
  alert_title: "Янги чақирув",
  priority: "Муҳимлик {n}",
  distance_km: "{km} км",
  distance_unknown: "масофа номаълум",
  no_incident: "Чақирув йўқ. Кутинг.",
  incident_title: "Жорий чақирув",
  status: "Ҳолат",
  act_acknowledged: "Қабул қилиш",
  act_en_route: "Йўлдамиз",
  act_on_scene: "Жойидамиз",
  act_resolve: "Якунлаш",
  notes_title: "Диспетчер хабарлари",
  stand_down_title: "ТЎХТАНГ",
  stand_down_cancelled: "Диспетчер #{id} чақирувни бекор қилди.",
  stand_down_false_alarm: "#{id} чақирув сохта сигнал бўлиб чиқди.",
  stand_down_reassigned: "#{id} чақирув бошқа экипажга берилди.",
  stand_down_ok: "Тушунарли",
  crew_status_title: "Экипаж ҳолати",
  crew_status_now: "Диспетчер кўради: {status}",
  crew_status_unknown: "Планшет алоқага чиққач, диспетчер экипажни кўради.",
  crew_status_needs_link: "Ҳолатни ўзгартириш учун диспетчер билан алоқа керак. Алоқа бўлмаса, рация орқали айтинг.",
  crew_status_on_call: "Экипажда чақирув бор экан, бўлмайди.",
  set_available: "Бўшмиз",
  set_out_of_service: "Хизматдан ташқари",
  set_returning: "Базага қайтмоқдамиз",
  outcome_none: "Ҳали номаълум",
  outcome_needed: "Аввал натижани танланг.",
  resolve_outcome_hint: "Баённомадаги натижанинг ўзи: чақирув шу билан ёпилади.",
  notes: "Изоҳ",
  confirm_resolve: "Чақирувни якунлаш",
  navigate: "Йўналиш",
  nav_geo: "Харита иловаси",
  nav_yandex: "Яндекс Навигатор",
  nav_google: "Гугл Харита",
  nav_osmand: "ОсмАнд",
  map_title: "Харита",
  map_label: "Харита: чақирув жойи ва ўз жойлашувингиз",
  actions_label: "Ҳолат",
  queue_title: "Планшетдан юборилганлар",
  queue_empty: "Ҳозирча ҳеч нарса.",
  state_waiting: "юборишни кутмоқда",
  state_sent: "юборилди",
  state_applied: "серверда сақланди",
  state_refused: "рад этилди",
  state_conflict: "зиддият",
  report_title: "Ҳодиса баённомаси",
  narrative: "Нима содир бўлди",
  save_draft: "Қораламани сақлаш",
  submit_report: "Баённомани юбориш",
  report_saved: "Баённома планшетда сақланди; алоқа бўлганда юборилади.",
  persons_title: "Иштирокчилар",
  person_role: "Роли",
  role_suspect: "Гумонланувчи",
  role_victim: "Жабрланувчи",
  role_witness: "Гувоҳ",
  role_other: "Бошқа",
  full_name: "Ф.И.Ш.",
  birth_year: "Туғилган йили",
  document_ref: "Ҳужжат",
  add_person: "Иштирокчи қўшиш",
  detentions_title: "Ушлашлар",
  detention_person: "Ким",
  grounds: "Асос",
  handed_to: "Кимга топширилди",
  add_detention: "Ушлашни қўшиш",
  report_sync_title: "Баённома ўзгаришлари",
  conflict_note: "Бошқа қурилмада кейинроқ ўзгартирилди; диспетчер иккала вариантни кўради.",
  item_report: "#{id} чақирув баённомаси",
  item_person: "Иштирокчи: {name}",
  item_detention: "Ушлаш: {grounds}",
  item_action: "{action} · #{id} чақирув",
  server_unreachable: "Серверга уланиб бўлмади.",
  server_answered: "Сервер жавоби: {status}.",
};

/** Every catalogue, by language code; English is the fallback for a missing key. */
export const CATALOGUE = { "uz-Latn": UZ_LATN, "uz-Cyrl": UZ_CYRL, ru: RU, en: EN };
export const LANGUAGES = Object.keys(CATALOGUE);
const STORAGE_KEY = "posbon.lang";
const OLD_STORAGE_KEY = "posbon.crew.lang"; // before both apps shared one choice
const OLD_CODES = { uz: "uz-Latn" };
const DEFAULT_TIME_ZONE = "Asia/Samarkand";
let current = "en";
let plurals = new Intl.PluralRules("en");
let timeZone = null;

function known(code) {
  const name = OLD_CODES[code] ?? code;
  return LANGUAGES.find((candidate) => candidate.toLowerCase() === String(name ?? "").toLowerCase()) ?? null;
}

/** The language to use: the stored choice, else the first the browser asks for that we have. */
export function pickLanguage(stored, browserLanguages) {
  if (known(stored) !== null) return known(stored);
  for (const tag of browserLanguages ?? []) {
    const lower = String(tag).toLowerCase();
    if (lower.startsWith("uz")) return lower.includes("cyrl") ? "uz-Cyrl" : "uz-Latn";
    const base = known(lower.split("-")[0]);
    if (base !== null) return base;
  }
  return "en";
}

export function initLanguage() {
  const stored = localStorage.getItem(STORAGE_KEY) ?? localStorage.getItem(OLD_STORAGE_KEY);
  setLanguage(pickLanguage(stored, navigator.languages ?? [navigator.language]));
}

export function setLanguage(lang) {
  current = known(lang) ?? "en";
  plurals = new Intl.PluralRules(current);
  localStorage.setItem(STORAGE_KEY, current);
  localStorage.removeItem(OLD_STORAGE_KEY);
  document.documentElement.lang = current;
  applyStatic();
  document.title = t("app_title");
}

/** Fill every element marked with `data-i18n` (text) or `data-i18n-<attribute>`. */
export function applyStatic(root = document) {
  for (const element of root.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  for (const attribute of ["title", "placeholder", "aria-label"]) {
    const name = `i18n${attribute.replace(/(^|-)(\w)/g, (_, dash, letter) => letter.toUpperCase())}`;
    for (const element of root.querySelectorAll(`[data-i18n-${attribute}]`)) {
      element.setAttribute(attribute, t(element.dataset[name]));
    }
  }
}

export function language() {
  return current;
}

/** Whether the catalogue (the current language's or English) has `key`. */
export function has(key) {
  return key in CATALOGUE[current] || key in EN;
}

/** The message `key` in the current language (English, then the key, when missing); a
 * message with plural forms takes the form for `values.n`. */
export function t(key, values = {}) {
  let text = CATALOGUE[current][key] ?? EN[key] ?? key;
  if (typeof text === "object") text = text[plurals.select(Number(values.n ?? 0))] ?? text.other;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

export function plural(key, n, values = {}) {
  return t(key, { ...values, n });
}

/** The deployment's time zone, from the settings the server puts in the page. */
export function zone() {
  if (timeZone !== null) return timeZone;
  timeZone = DEFAULT_TIME_ZONE;
  try {
    const settings = JSON.parse(document.getElementById("posbon-settings")?.textContent || "{}");
    if (settings.time_zone) {
      new Intl.DateTimeFormat("en", { timeZone: settings.time_zone }); // throws on an unknown zone
      timeZone = settings.time_zone;
    }
  } catch (error) {
    console.warn("time zone setting not usable", error.message);
  }
  return timeZone;
}

function format(value, options) {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(current, { timeZone: zone(), hourCycle: "h23", ...options }).format(date);
}

/** HH:MM:SS in the deployment's time zone. */
export function formatTime(value) {
  return format(value, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** The date and HH:MM in the deployment's time zone. */
export function formatDateTime(value) {
  return format(value, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}
