# ruff: noqa: RUF001, RUF002  (the Uzbek modifier letters are meant, not look-alikes)
"""Uzbek, Latin script: the sentences of en.py (same keys, same `{name}` placeholders).

Spelling: oʻ and gʻ with U+02BB, the tutuq belgisi ʼ with U+02BC, as the 1995 alphabet
recommends; numbers before a noun as "5-hodisa" (incident No. 5).
"""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, str]] = {
    "already_resolved": "{id}-ziddiyat allaqachon hal qilingan.",
    "bad_characters": "Soʻrovda saqlab ham, qidirib ham boʻlmaydigan belgi bor (NUL bayti); uni "
    "olib tashlab, soʻrovni qayta yuboring.",
    "bad_encoding": "{line}-qator UTF-8 matni emas, shuning uchun hech narsa import qilinmadi.",
    "bad_header": "Yuklashning majburiy sarlavhasi yoʻq yoki notoʻgʻri yozilgan.",
    "bad_header.metadata": "Upload-Metadata yozuvni koʻrsatishi kerak: 'recording_id <base64>'.",
    "bad_json": "JSON tanasi juda chuqur joylashgan, uni oʻqib boʻlmaydi; soddaroq hujjat "
    "yuboring.",
    "bad_message": "Bu soket bunday xabarni qabul qilmaydi.",
    "bad_request": "Soʻrov notoʻgʻri tuzilgan.",
    "checksum_mismatch": "Boʻlakning nazorat summasi mos kelmadi; u tashlab yuborildi.",
    "conflict": "Soʻrov joriy holatga zid.",
    "gone": "Bu butunlay yoʻq boʻlgan; qayta soʻrash uni qaytarmaydi.",
    "conflict.entry": "Bu mavjud yozuvga zid: {reason}.",
    "conflict.change": "Bu oʻzgarish mavjud yozuvga zid: {reason}.",
    "crew_not_allowed": "Faqat ekipaj tokenlari ekipajga tegishli boʻladi: --crew ni olib "
    "tashlang yoki --role crew dan foydalaning (bu tokenning roli: {role}).",
    "crew_off_duty": "{crew} ekipaji navbatchilikda emas.",
    "crew_on_incident": "Ekipaj hodisada band; hodisa yopilguncha uning holati hodisaga qarab "
    "oʻzgaradi.",
    "crew_out_of_service": "{crew} ekipaji xizmatdan tashqarida.",
    "crew_required": "Ekipaj tokeni bitta ekipajga tegishli: --crew CREW_ID qoʻshing (ekipajlar "
    "va ularning id raqamlari: GET /api/v1/crews).",
    "crew_unknown": "{id} id raqamli ekipaj yoʻq: avval uni import qiling (posbon crews import) "
    "yoki mavjud ekipajning id raqamini bering (roʻyxat: GET /api/v1/crews).",
    "database_unavailable": "Posbon hozir maʼlumotlar bazasiga ulana olmayapti, shuning uchun "
    "soʻrov bajarilmadi; birozdan soʻng qayta yuboring.",
    "details_too_deep": "details obyekti {depth} darajadan chuqurroq joylashgan; uni "
    "soddalashtiring.",
    "details_too_large": "details obyekti JSON koʻrinishida {size} bayt; koʻpi bilan {limit} "
    "bayt sigʻadi.",
    "device_not_yours": "{device} qurilmasi {owner} ga tegishli.",
    "empty_period": "Davr boshi (since) davr oxiridan (until) oldin boʻlishi kerak.",
    "evidence_store_unavailable": "Dalillar omboriga ulanib boʻlmadi; hech narsa oʻzgartirilmadi.",
    "external_id_reused": "external_id {external_id} allaqachon {alert}-signalni bildiradi va u "
    "bundan farq qiladi; takroriy soʻrov aynan oʻsha signalni yuborishi, yangi signal esa yangi "
    "id olishi kerak.",
    "fault_drills_off": "Nosozlik mashqlari oʻchirilgan; qismlarni ataylab toʻxtatish uchun "
    "posbon ni --fault-drills (POSBON_FAULT_DRILLS=true) bilan ishga tushiring.",
    "forbidden": "Bu tokenning roliga bunga ruxsat yoʻq.",
    "forbidden.role": "{role} roliga bunga ruxsat yoʻq; kerakli rollar: {roles}.",
    "gap": "client_seq {expected} kutilgan edi, {received} keldi.",
    "half_position": "lat va lon ikkalasini bering yoki hech birini bermang.",
    "http_error": "Soʻrov bajarilmadi.",
    "idempotency_key_reused": "op_id {op_id} bu hodisa boʻyicha boshqa soʻrov uchun allaqachon "
    "ishlatilgan; yangi oʻzgarish uchun yangi op_id yuboring.",
    "imported": "Import qilingan qatorlar: {count}.",
    "imported.skipped": "Import qilingan qatorlar: {count}; oʻtkazib yuborilgan notoʻgʻri "
    "qatorlar: {skipped}.",
    "internal_error": "Posbon ichki xatoga uchradi; u jurnalga yozildi.",
    "invalid_image": "Soʻrov tanasi JPEG yoki PNG rasm emas.",
    "invalid_image.image": "Rasmdan foydalanib boʻlmaydi: {reason}.",
    "invalid_image.frame": "Kadrdan foydalanib boʻlmaydi: {reason}.",
    "invalid_audit_action": "Amalni nuqta bilan ajratilgan kichik harfli "
    "soʻzlar bilan bering, masalan site. yoki site.update.",
    "invalid_plate_query": "Qidiriladigan raqamni 2 dan 16 tagacha harf yoki raqam bilan "
    "bering, masalan 01 A 123 BC.",
    "invalid_key": "Qurilma kaliti yaroqsiz: {reason}.",
    "invalid_message": "Soʻrov tanasi toʻgʻri JSON emas yoki bu manzil qabul qiladigan xabar emas.",
    "invalid_request": "Soʻrov tanasi yoki parametrlari notoʻgʻri: {reasons}",
    "invalid_transition": "{id}-hodisaning holati: «{status}»; uni «{target}» holatiga "
    "oʻtkazib boʻlmaydi.",
    "message_too_long": "Xabar juda uzun; koʻpi bilan {limit} belgi boʻlishi mumkin.",
    "method_not_allowed": "Bu manzil ushbu HTTP usulini qabul qilmaydi.",
    "method_override": "X-HTTP-Method-Override {method} /uploads/<id> manziliga yuboriladi.",
    "models_unavailable": "Tanib olish modellari tayyor emas: {reason}. 'posbon models "
    "prepare' ni ishga tushiring (README ga qarang).",
    "naive_time": "since va until ni vaqt mintaqasi bilan bering, masalan 2026-11-01T00:00:00Z.",
    "no_image": "Rasmni soʻrov tanasida yuboring (image/jpeg).",
    "no_such_part": "{name} nomli qism yoʻq; mavjud qismlar: {parts}.",
    "no_usable_face": "Fotosuratda yuz topilmadi; shaxsning yuzi aniq koʻrinadigan fotosurat "
    "yuboring.",
    "several_faces": "Fotosuratda bir nechta yuz bor ({count}), shuning uchun kimni roʻyxatga "
    "olish noaniq; faqat shu shaxs tushgan fotosurat yuboring.",
    "face_too_small": "Fotosuratdagi yuz kengligi {width} piksel, roʻyxatga olish uchun kamida "
    "{minimum} piksel kerak; yaqinroqdan yoki kattaroq olingan fotosurat yuboring.",
    "face_too_blurred": "Fotosuratdagi yuz roʻyxatga olish uchun juda xira (aniqlik {sharpness}, "
    "kamida {minimum} kerak); aniq, fokuslangan fotosurat yuboring.",
    "not_a_crew": "Bu token ekipajga bogʻlanmagan.",
    "invalid_report": "Hisobot yaroqsiz: {reason}.",
    "invalid_report.json": "Hisobot JSON emas.",
    "report_too_large": "Hisobot koʻpi bilan {limit} bayt boʻlishi mumkin.",
    "workers_not_external": "Bu tugun ishchilar hisobotini qabul qilmaydi: kameralarni tashqi "
    "ishchilar tahlil qilishi uchun recognition_workers=external (va redis:// bus_url) ni "
    "belgilang.",
    "not_a_recognition": "{id}-ogohlantirish yuz yoki raqam aniqlash emas, uni baholab boʻlmaydi.",
    "not_dispatchable": "{id}-hodisaning holati: «{status}»; unga ekipaj yuborib boʻlmaydi.",
    "not_found": "Bunday manba yoʻq; manzillar roʻyxati: /schema.",
    "not_found.incident": "{id} id raqamli hodisa yoʻq.",
    "not_found.your_incident": "Siz uchun {id} id raqamli hodisa yoʻq.",
    "not_found.in_scope": "Sizning ruxsatingiz doirasida {name} {id} bilan hech narsa yo'q.",
    "out_of_scope": "{name} ruxsati bu manzilni qamramaydi; administratorga murojaat qiling.",
    "scope_not_allowed": "--district, --camera va --watchlist faqat admin va dispatcher "
    "tokenlarini toraytiradi (bu tokenning roli {role}).",
    "scope_not_allowed.empty": "--district uchun tuman nomi kerak.",
    "not_found.camera": "{id} id raqamli kamera yoʻq.",
    "not_found.plate_list": "{id} id raqamli davlat raqamlari roʻyxati yoʻq.",
    "not_found.plate_entry": "{list}-davlat raqamlari roʻyxatida {id} id raqamli yozuv yoʻq.",
    "not_found.custody_log": "{id}-yozuvning saqlash zanjiri jurnali yoʻq.",
    "not_found.evidence": "{id}-yozuvning hali tasdiqlangan fayli yoʻq.",
    "not_found.evidence_missing": "{id}-yozuvning dalil fayli topilmadi.",
    "not_your_incident": "{id}-hodisa bu ekipajga biriktirilmagan.",
    "not_your_recording": "{id}-yozuv boshqa post yoki ekipaj tomonidan sinxronlangan; uning "
    "faylini faqat ular yuklay oladi.",
    "not_your_upload": "Bu yuklash boshqa post yoki planshetga tegishli.",
    "offset_mismatch": "Upload-Offset {claimed} saqlangan {stored} siljishga mos emas; qayerdan "
    "davom ettirishni bilish uchun HEAD yuboring.",
    "outcome_required": "Yopish uchun natija kerak.",
    "outcome_required.close": "Hodisani «{target}» holatida yopish uchun natija kerak.",
    "payload_too_large": "Soʻrov tanasi juda katta.",
    "payload_too_large.image": "Rasm juda katta; koʻpi bilan {limit} bayt boʻlishi mumkin.",
    "range_not_satisfiable": "Soʻralgan baytlar oraligʻi fayldan tashqarida.",
    "recognition_busy": "Tanib olish band; kadrni birozdan soʻng qayta yuboring.",
    "recognition_unavailable": "Tanib olish hozir ishlamayapti.",
    "recording_not_synced": "{id}-yozuv nomaʼlum: avval uning metamaʼlumotlarini sinxronlang.",
    "recording_restricted": "{id}-yozuvning kirish darajasi: {access}; uni faqat administrator "
    "ocha oladi.",
    "recording_verified": "{id}-yozuvning tasdiqlangan fayli allaqachon bor; dalil hech qachon "
    "almashtirilmaydi.",
    "refused": "Server soʻrovni rad etdi.",
    "rejected": "Oʻzgarish butunlay rad etildi.",
    "rows_rejected": "Notoʻgʻri qatorlar: {count}, shuning uchun hech narsa import qilinmadi; "
    "ularni tuzating yoki toʻgʻri qatorlarni import qilish uchun skip_invalid ni bering.",
    "scope_forbidden": "Bu qurilma {scope} doirasini oʻqiy olmaydi.",
    "size_mismatch": "Upload-Length {length} {id}-yozuvning sinxronlangan hajmidan ({size}) "
    "farq qiladi.",
    "sync_error": "Sinxronlash soʻrovi bajarilmadi.",
    "account_locked": "Parol yoki kod juda koʻp marta notoʻgʻri kiritildi: hisob bloklandi; "
    "{seconds} soniyadan keyin qayta urinib koʻring.",
    "code_required": "Bu hisob uchun autentifikator ilovasidagi 6 xonali kod kerak.",
    "conflict.creating": "Bu hisob hozir yaratilmoqda; qayta kiring.",
    "cookie_not_session": "posbon_session cookie faylida faqat kirish seansi boʻladi; tokenni "
    "'Authorization: Bearer <token>' sifatida yuboring.",
    "csrf_failed": "Oʻzgarish sahifaning X-CSRF-Token sarlavhasisiz keldi; sahifani qayta yuklang.",
    "not_local_user": "{username} identifikatsiya provayderi orqali kiradi; uning paroli oʻsha "
    "yerda saqlanadi.",
    "password_too_short": "Parol kamida {count} belgidan iborat boʻlishi kerak.",
    "session_expired": "Seans juda uzoq ishlatilmadi va tugatildi; qayta kiring.",
    "sign_in_failed": "Foydalanuvchi nomi, parol yoki kod notoʻgʻri.",
    "user_not_found": "{username} nomli foydalanuvchi yoʻq.",
    "username_taken": "{username} nomli foydalanuvchi allaqachon bor.",
    "username_taken.local": "{username} nomi mahalliy hisobga tegishli; identifikatsiya provayderi"
    " foydalanuvchisi uni egallay olmaydi.",
    "token_invalid": "Bu token nomaʼlum yoki bekor qilingan.",
    "token_missing": "Token koʻrsatilmadi.",
    "token_missing.how": "'Authorization: Bearer <token>' yuboring; tokenni 'posbon token "
    "create' buyrugʻi bilan yarating.",
    "token_not_found": "{id} id raqamli token yoʻq.",
    "too_large": "Bitta yuborishda koʻpi bilan {mutations} ta oʻzgarish va {bytes} bayt "
    "boʻlishi mumkin.",
    "too_large.upload": "Upload-Length {length} Tus-Max-Size {limit} dan katta.",
    "too_large.body": "Soʻrov tanasi Upload-Length chegarasidan oshib ketdi.",
    "too_many_failed_sign_ins": "Bu manzildan juda koʻp muvaffaqiyatsiz kirish urinishlari boʻldi; "
    "{seconds} soniyadan keyin qayta urinib koʻring.",
    "too_many_failed_tokens": "Bu manzildan juda koʻp nomaʼlum token keldi; {seconds} soniyadan "
    "soʻng qayta urinib koʻring.",
    "tus_error": "Yuklash soʻrovi bajarilmadi.",
    "tus_version": "Tus-Resumable: {version} yuboring ({got} keldi).",
    # Single sign-on (server/oidc).
    "oidc_bad_state": "Bu kirish bu yerda boshlanmagan yoki yoʻlda oʻzgartirilgan; uni kirish "
    "sahifasidan qaytadan boshlang.",
    "oidc_bad_state.missing": "Bu brauzerda kirish boshlanmagan (yoki uning cookie fayli "
    "bloklangan); uni kirish sahifasidan qaytadan boshlang.",
    "oidc_bad_state.expired": "Kirish juda uzoq davom etdi; uni kirish sahifasidan qaytadan "
    "boshlang.",
    "oidc_bad_state.code": "Identifikatsiya provayderi kod yubormadi; kirishni kirish "
    "sahifasidan qaytadan boshlang.",
    "oidc_no_role": "{username} Posbonga kirish huquqini beradigan birorta guruhda emas; "
    "administratordan guruhlaringizdan birini rollar xaritasiga qoʻshishni soʻrang.",
    "oidc_not_configured": "Bu serverda yagona kirish sozlanmagan (--oidc-issuer).",
    "oidc_refused": "Identifikatsiya provayderi kirishni rad etdi: {reason}.",
    "oidc_refused.check": "Kirish rad etildi: {reason}.",
    "oidc_unavailable": "Shahar identifikatsiya provayderidan hozir foydalanib boʻlmaydi "
    "({reason}); keyinroq urinib koʻring.",
    "unauthorized": "'Authorization: Bearer <token>' yuboring; tokenni posbon token buyrugʻi "
    "bilan yarating.",
    "unavailable": "Posbon hozir bu soʻrovni bajara olmaydi; birozdan soʻng qayta yuboring.",
    "unknown_schema_version": "schema_version {version} bu server biladiganidan ({newest}) "
    "yangiroq.",
    "unknown_site": "{id} id raqamli obyekt yoʻq.",
    "unknown_contact": "{contact} kontakti {incident} hodisasi obyektining roʻyxatida yoʻq; "
    "«Kimga qoʻngʻiroq qilish» roʻyxatidan kontakt tanlang.",
    "not_found.contact": "{id} id raqamli kontakt yoʻq.",
    "unprocessable": "Soʻrov toʻgʻri tuzilgan, lekin uni bajarib boʻlmaydi.",
    "unreachable": "Serverga ulanib boʻlmadi.",
    "unsupported_media_type": "Soʻrov tanasini application/json sifatida yuboring.",
    "upgrade_required": "schema_version {version} endi qoʻllab-quvvatlanmaydi; eng eski "
    "qoʻllab-quvvatlanadigani: {oldest}.",
    "upload_expired": "{id}-yuklashning muddati tugadi; yangisini boshlang.",
    "upload_finished": "Tugallangan yuklash dalil hisoblanadi, uni oʻchirib boʻlmaydi.",
    "upload_finished.state": "{id}-yuklash allaqachon {state} holatida.",
    "upload_not_found": "{id} yuklash yoʻq.",
    "wrong_content_type": "PATCH tanasi {media_type} turida boʻlishi kerak.",
    # Retention and legal hold (server/evidence/retention*, holds*)
    "evidence_deleted": "{id}-yozuvning dalil fayli {at} da oʻchirildi: {reason}.",
    "evidence_deleted.under_way": "{id}-yozuvning saqlash muddati tugadi, uning fayli "
    "oʻchirilmoqda.",
    "hold_released": "{id}-huquqiy saqlash allaqachon bekor qilingan.",
    "hold_unknown": "{id} raqamli huquqiy saqlash yoʻq.",
    "retention_category_exists": "{name} saqlash toifasi allaqachon bor; uni PATCH bilan "
    "oʻzgartiring.",
    "retention_category_shorter": "{name} saqlash toifasini qisqartirib boʻlmaydi; qisqaroq "
    "toifa yarating va yozuvlarni unga oʻtkazing (har birini ikkinchi kishi tasdiqlaydi).",
    "retention_category_unknown": "{name} saqlash toifasi yoʻq; roʻyxatni GET "
    "/api/v1/evidence/retention/categories beradi.",
    "retention_nothing_pending": "{id}-yozuvda tasdiqlashni kutayotgan qisqaroq toifa yoʻq.",
    "retention_same_person": "Bu qisqaroq toifani oʻzingiz soʻragansiz; uni ikkinchi kishi "
    "tasdiqlashi kerak.",
    "retention_unassigned": "{id}-yozuvning tasdiqlangan fayli yoʻq, shuning uchun saqlash "
    "muddati hali belgilanmagan.",
    # Evidence share links (server/evidence/sharing.py, share_routes.py)
    "share_target": "recording_id yoki incident_id dan faqat bittasini koʻrsating.",
    "share_expiry": "expires_at kelajakda va koʻpi bilan {days} kun ichida boʻlishi kerak.",
    "evidence_not_verified": "{id} yozuvining tasdiqlangan fayli hali yoʻq, shuning uchun "
    "ulashadigan narsa yoʻq.",
    "share_nothing_to_share": "{id} hodisaga hali birorta tasdiqlangan yozuv bogʻlanmagan, "
    "shuning uchun ulashadigan narsa yoʻq.",
    "share_not_found": "Bunday havola mavjud emas; yuboruvchidan yangisini soʻrang.",
    "share_revoked": "Bu havola bekor qilingan; yuboruvchidan yangisini soʻrang.",
    "share_expired": "Bu havolaning muddati tugagan; yuboruvchidan yangisini soʻrang.",
    "share_locked": "Notoʻgʻri PIN-kodlar juda koʻp: havola {until} UTC gacha bloklangan.",
    "share_pin_required": "Bu havola PIN-kod talab qiladi: havolani brauzerda oching va avval "
    "PIN-kodni kiriting.",
    "share_view_only": "Bu havola faqat koʻrish uchun; yuklab olishga ruxsat yoʻq.",
    "evidence_deleted.share": "{id} yozuvining dalil fayli saqlash muddati tugagach oʻchirilgan.",
    "evidence_missing": "{id} yozuvining dalil fayli yoʻq.",
    "not_found.share": "{id} raqamli havola yoʻq.",
    "not_found.share_item": "{id} yozuvi bu havolaga kirmaydi.",
    # Court packages (server/evidence/package*.py)
    "package_restricted": "{id}-hodisa dalillari orasida {ids} bor, ularni faqat administrator "
    "ocha oladi; paketni eksport qilishni administratordan soʻrang.",
    "evidence_altered": "{id}-yozuvning dalil fayli endi qayd etilgan SHA-256 ga mos kelmaydi; "
    "'posbon custody verify' ni ishga tushiring va faylni nusxadan tiklang.",
    # Redaction (server/evidence/redaction.py, redaction_files.py)
    "not_found.redaction_source": "{id}-yozuvning niqoblash uchun tasdiqlangan fayli yoʻq.",
    "not_found.redaction": "{id} raqamli niqoblash yoʻq.",
    "not_found.redaction_frame": "{number}-kadr 0..{last} oraligʻidan tashqarida.",
    "not_found.evidence_file": "{where} dalil fayli topilmadi.",
    "conflict.redaction_not_in_review": "{id}-niqoblash {state} holatida; ramkalarni oʻzgartirish "
    "va nusxa yaratishni boshlash faqat tekshiruv bosqichida mumkin.",
    "conflict.redaction_detecting": "{id}-niqoblash hali videoni tahlil qilmoqda.",
    "bad_request.duplicate_track": "Ikkita izda bir xil track_id bor.",
    "bad_request.too_many_keyframes": "Kalit kadrlar jami {limit} tadan koʻp.",
    "bad_request.track_keyframes": "{track}-izga kalit kadrlar kerak, ularning hammasi iz "
    "oraligʻida va 0..{last} kadrlar ichida boʻlishi lozim.",
    "bad_request.box_outside": "{track}-izning ramkasi kadrdan tashqarida.",
    # Harakat rejalari (server/plans)
    "not_found.plan": "{id} raqamli reja yoʻq.",
    "not_found.plan_version": "{id}-rejaning {version}-versiyasi yoʻq.",
    "not_found.incident_plan": "{id}-hodisaning harakat rejasi yoʻq.",
    "not_found.plan_step": "{id}-hodisa harakat rejasida {index}-qadam yoʻq.",
    "plan_scope_both": "Reja bitta obyektga yoki bitta obyekt turiga tegishli boʻladi, ikkalasiga "
    "emas: site_kind yoki site_id ni olib tashlang.",
    "plan_scope_taken": "{id}-reja ({name}) bu signal turi va doirani allaqachon qamrab olgan; "
    "oʻsha rejani oʻzgartiring yoki avval uni oʻchiring.",
    "plan_reason_required": "«{state}» qadam uchun sabab kerak; uni 'reason' da yozing.",
    "plan_incident_closed": "{id}-hodisa yopilgan; uning harakat rejasi endi oʻzgarmaydi.",
    "plan_no_open_steps": "{id}-hodisada ochiq majburiy reja qadami yoʻq; uni odatdagidek yoping.",
    "plan_steps_open": "{id}-hodisada majburiy reja qadamlari ochiq: {steps}. Har birini "
    "bajarildi, oʻtkazib yuborildi yoki muvaffaqiyatsiz deb belgilang yoki rejani chetlab "
    "oʻtish sababi bilan yoping.",
    "recipient_required": "Bitta qabul qiluvchini koʻrsating: contact_id (shu hodisa obyektining "
    "kontakti) yoki duty_desk: true.",
    "duty_desk_not_configured": "{channel} uchun navbatchi qism belgilanmagan: posbon ni "
    "{setting} bilan ishga tushiring.",
    "contact_not_of_site": "{contact} kontakti bu hodisa obyektiga tegishli emas; roʻyxatni GET "
    "/api/v1/incidents/{incident}/contacts beradi.",
    "contact_has_no_telegram": "{contact} kontaktida Telegram chati yoʻq; uni kontaktga qoʻshing "
    "yoki SMS yuboring.",
    "contact_has_no_phone": "{contact} kontaktida telefon raqami yoʻq; avval uni qoʻshing.",
    "phone_not_of_contact": "{phone} {contact} kontaktining telefoni emas; uning telefonlaridan "
    "birini tanlang.",
    "sms_not_configured": "SMS xabarnomalar oʻchirilgan: posbon ni operatorning SMPP shlyuzini "
    "koʻrsatuvchi --smpp-host (va --smpp-system-id, --smpp-password) bilan ishga tushiring.",
    "telegram_not_configured": "Telegram xabarnomalari oʻchirilgan: posbon ni "
    "--telegram-bot-token (bot tokeni) bilan ishga tushiring.",
}

STATUSES: Final[dict[str, str]] = {
    "new": "yangi",
    "dispatched": "ekipaj yuborilgan",
    "acknowledged": "ekipaj qabul qilgan",
    "en_route": "yoʻlda",
    "on_scene": "joyida",
    "resolved": "yakunlangan",
    "cancelled": "bekor qilingan",
    "false_alarm": "soxta signal",
}
