# ruff: noqa: RUF001  (Cyrillic letters and the Uzbek modifier letters are meant, not look-alikes)
"""Uzbek, Cyrillic script: the sentences of uz_latn.py written in Cyrillic (same keys, same
`{name}` placeholders); commands, headers and field names stay as the server spells them.
"""

from __future__ import annotations

from typing import Final

MESSAGES: Final[dict[str, str]] = {
    "already_resolved": "{id}-зиддият аллақачон ҳал қилинган.",
    "bad_characters": "Сўровда сақлаб ҳам, қидириб ҳам бўлмайдиган белги бор (NUL байти); уни "
    "олиб ташлаб, сўровни қайта юборинг.",
    "bad_encoding": "{line}-қатор UTF-8 матни эмас, шунинг учун ҳеч нарса импорт қилинмади.",
    "bad_header": "Юклашнинг мажбурий сарлавҳаси йўқ ёки нотўғри ёзилган.",
    "bad_header.metadata": "Upload-Metadata ёзувни кўрсатиши керак: 'recording_id <base64>'.",
    "bad_json": "JSON танаси жуда чуқур жойлашган, уни ўқиб бўлмайди; соддароқ ҳужжат юборинг.",
    "bad_message": "Бу сокет бундай хабарни қабул қилмайди.",
    "bad_request": "Сўров нотўғри тузилган.",
    "checksum_mismatch": "Бўлакнинг назорат суммаси мос келмади; у ташлаб юборилди.",
    "conflict": "Сўров жорий ҳолатга зид.",
    "gone": "Бу бутунлай йўқ бўлган; қайта сўраш уни қайтармайди.",
    "conflict.entry": "Бу мавжуд ёзувга зид: {reason}.",
    "conflict.change": "Бу ўзгариш мавжуд ёзувга зид: {reason}.",
    "crew_not_allowed": "Фақат экипаж токенлари экипажга тегишли бўлади: --crew ни олиб "
    "ташланг ёки --role crew дан фойдаланинг (бу токеннинг роли: {role}).",
    "crew_off_duty": "{crew} экипажи навбатчиликда эмас.",
    "crew_on_incident": "Экипаж ҳодисада банд; ҳодиса ёпилгунча унинг ҳолати ҳодисага қараб "
    "ўзгаради.",
    "crew_out_of_service": "{crew} экипажи хизматдан ташқарида.",
    "crew_required": "Экипаж токени битта экипажга тегишли: --crew CREW_ID қўшинг (экипажлар ва "
    "уларнинг id рақамлари: GET /api/v1/crews).",
    "crew_unknown": "{id} id рақамли экипаж йўқ: аввал уни импорт қилинг (posbon crews import) "
    "ёки мавжуд экипажнинг id рақамини беринг (рўйхат: GET /api/v1/crews).",
    "database_unavailable": "Posbon ҳозир маълумотлар базасига улана олмаяпти, шунинг учун "
    "сўров бажарилмади; бироздан сўнг қайта юборинг.",
    "details_too_deep": "details объекти {depth} даражадан чуқурроқ жойлашган; уни соддалаштиринг.",
    "details_too_large": "details объекти JSON кўринишида {size} байт; кўпи билан {limit} байт "
    "сиғади.",
    "device_not_yours": "{device} қурилмаси {owner} га тегишли.",
    "empty_period": "Давр боши (since) давр охиридан (until) олдин бўлиши керак.",
    "evidence_store_unavailable": "Далиллар омборига уланиб бўлмади; ҳеч нарса ўзгартирилмади.",
    "external_id_reused": "external_id {external_id} аллақачон {alert}-сигнални билдиради ва у "
    "бундан фарқ қилади; такрорий сўров айнан ўша сигнални юбориши, янги сигнал эса янги id "
    "олиши керак.",
    "fault_drills_off": "Носозлик машқлари ўчирилган; қисмларни атайлаб тўхтатиш учун posbon ни "
    "--fault-drills (POSBON_FAULT_DRILLS=true) билан ишга туширинг.",
    "forbidden": "Бу токеннинг ролига бунга рухсат йўқ.",
    "forbidden.role": "{role} ролига бунга рухсат йўқ; керакли роллар: {roles}.",
    "gap": "client_seq {expected} кутилган эди, {received} келди.",
    "half_position": "lat ва lon иккаласини беринг ёки ҳеч бирини берманг.",
    "http_error": "Сўров бажарилмади.",
    "idempotency_key_reused": "op_id {op_id} бу ҳодиса бўйича бошқа сўров учун аллақачон "
    "ишлатилган; янги ўзгариш учун янги op_id юборинг.",
    "imported": "Импорт қилинган қаторлар: {count}.",
    "imported.skipped": "Импорт қилинган қаторлар: {count}; ўтказиб юборилган нотўғри "
    "қаторлар: {skipped}.",
    "internal_error": "Posbon ички хатога учради; у журналга ёзилди.",
    "invalid_image": "Сўров танаси JPEG ёки PNG расм эмас.",
    "invalid_image.image": "Расмдан фойдаланиб бўлмайди: {reason}.",
    "invalid_image.frame": "Кадрдан фойдаланиб бўлмайди: {reason}.",
    "invalid_audit_action": "Амални нуқта билан ажратилган кичик ҳарфли "
    "сўзлар билан беринг, масалан site. ёки site.update.",
    "invalid_plate_query": "Қидириладиган рақамни 2 дан 16 тагача ҳарф ёки рақам билан "
    "беринг, масалан 01 A 123 BC.",
    "invalid_key": "Қурилма калити яроқсиз: {reason}.",
    "invalid_message": "Сўров танаси тўғри JSON эмас ёки бу манзил қабул қиладиган хабар эмас.",
    "invalid_request": "Сўров танаси ёки параметрлари нотўғри: {reasons}",
    "invalid_transition": "{id}-ҳодисанинг ҳолати: «{status}»; уни «{target}» ҳолатига ўтказиб "
    "бўлмайди.",
    "message_too_long": "Хабар жуда узун; кўпи билан {limit} белги бўлиши мумкин.",
    "method_not_allowed": "Бу манзил ушбу HTTP усулини қабул қилмайди.",
    "method_override": "X-HTTP-Method-Override {method} /uploads/<id> манзилига юборилади.",
    "models_unavailable": "Таниб олиш моделлари тайёр эмас: {reason}. 'posbon models prepare' "
    "ни ишга туширинг (README га қаранг).",
    "naive_time": "since ва until ни вақт минтақаси билан беринг, масалан 2026-11-01T00:00:00Z.",
    "no_image": "Расмни сўров танасида юборинг (image/jpeg).",
    "no_such_part": "{name} номли қисм йўқ; мавжуд қисмлар: {parts}.",
    "no_usable_face": "Фотосуратда юз топилмади; шахснинг юзи аниқ кўринадиган фотосурат юборинг.",
    "several_faces": "Фотосуратда бир нечта юз бор ({count}), шунинг учун кимни рўйхатга олиш "
    "ноаниқ; фақат шу шахс тушган фотосурат юборинг.",
    "face_too_small": "Фотосуратдаги юз кенглиги {width} пиксел, рўйхатга олиш учун камида "
    "{minimum} пиксел керак; яқинроқдан ёки каттароқ олинган фотосурат юборинг.",
    "face_too_blurred": "Фотосуратдаги юз рўйхатга олиш учун жуда хира (аниқлик {sharpness}, "
    "камида {minimum} керак); аниқ, фокусланган фотосурат юборинг.",
    "not_a_crew": "Бу токен экипажга боғланмаган.",
    "invalid_report": "Ҳисобот яроқсиз: {reason}.",
    "invalid_report.json": "Ҳисобот JSON эмас.",
    "report_too_large": "Ҳисобот кўпи билан {limit} байт бўлиши мумкин.",
    "workers_not_external": "Бу тугун ишчилар ҳисоботини қабул қилмайди: камераларни ташқи ишчилар "
    "таҳлил қилиши учун recognition_workers=external (ва redis:// bus_url) ни белгиланг.",
    "not_a_recognition": "{id}-огоҳлантириш юз ёки рақам аниқлаш эмас, уни баҳолаб бўлмайди.",
    "not_dispatchable": "{id}-ҳодисанинг ҳолати: «{status}»; унга экипаж юбориб бўлмайди.",
    "not_found": "Бундай манба йўқ; манзиллар рўйхати: /schema.",
    "not_found.incident": "{id} id рақамли ҳодиса йўқ.",
    "not_found.your_incident": "Сиз учун {id} id рақамли ҳодиса йўқ.",
    "not_found.in_scope": "Сизнинг рухсатингиз доирасида {name} {id} билан ҳеч нарса йўқ.",
    "out_of_scope": "{name} рухсати бу манзилни қамрамайди; администраторга мурожаат қилинг.",
    "scope_not_allowed": "--district, --camera ва --watchlist фақат admin ва dispatcher "
    "токенларини торайтиради (бу токеннинг роли {role}).",
    "scope_not_allowed.empty": "--district учун туман номи керак.",
    "not_found.camera": "{id} id рақамли камера йўқ.",
    "not_found.plate_list": "{id} id рақамли давлат рақамлари рўйхати йўқ.",
    "not_found.plate_entry": "{list}-давлат рақамлари рўйхатида {id} id рақамли ёзув йўқ.",
    "not_found.custody_log": "{id}-ёзувнинг сақлаш занжири журнали йўқ.",
    "not_found.evidence": "{id}-ёзувнинг ҳали тасдиқланган файли йўқ.",
    "not_found.evidence_missing": "{id}-ёзувнинг далил файли топилмади.",
    "not_your_incident": "{id}-ҳодиса бу экипажга бириктирилмаган.",
    "not_your_recording": "{id}-ёзув бошқа пост ёки экипаж томонидан синхронланган; унинг "
    "файлини фақат улар юклай олади.",
    "not_your_upload": "Бу юклаш бошқа пост ёки планшетга тегишли.",
    "offset_mismatch": "Upload-Offset {claimed} сақланган {stored} силжишга мос эмас; қаердан "
    "давом эттиришни билиш учун HEAD юборинг.",
    "outcome_required": "Ёпиш учун натижа керак.",
    "outcome_required.close": "Ҳодисани «{target}» ҳолатида ёпиш учун натижа керак.",
    "payload_too_large": "Сўров танаси жуда катта.",
    "payload_too_large.image": "Расм жуда катта; кўпи билан {limit} байт бўлиши мумкин.",
    "range_not_satisfiable": "Сўралган байтлар оралиғи файлдан ташқарида.",
    "recognition_busy": "Таниб олиш банд; кадрни бироздан сўнг қайта юборинг.",
    "recognition_unavailable": "Таниб олиш ҳозир ишламаяпти.",
    "recording_not_synced": "{id}-ёзув номаълум: аввал унинг метамаълумотларини синхронланг.",
    "recording_restricted": "{id}-ёзувнинг кириш даражаси: {access}; уни фақат администратор "
    "оча олади.",
    "recording_verified": "{id}-ёзувнинг тасдиқланган файли аллақачон бор; далил ҳеч қачон "
    "алмаштирилмайди.",
    "refused": "Сервер сўровни рад этди.",
    "rejected": "Ўзгариш бутунлай рад этилди.",
    "rows_rejected": "Нотўғри қаторлар: {count}, шунинг учун ҳеч нарса импорт қилинмади; "
    "уларни тузатинг ёки тўғри қаторларни импорт қилиш учун skip_invalid ни беринг.",
    "scope_forbidden": "Бу қурилма {scope} доирасини ўқий олмайди.",
    "size_mismatch": "Upload-Length {length} {id}-ёзувнинг синхронланган ҳажмидан ({size}) фарқ "
    "қилади.",
    "sync_error": "Синхронлаш сўрови бажарилмади.",
    "account_locked": "Парол ёки код жуда кўп марта нотўғри киритилди: ҳисоб блокланди; {seconds} "
    "сониядан кейин қайта уриниб кўринг.",
    "code_required": "Бу ҳисоб учун аутентификатор иловасидаги 6 хонали код керак.",
    "conflict.creating": "Бу ҳисоб ҳозир яратилмоқда; қайта киринг.",
    "cookie_not_session": "posbon_session cookie файлида фақат кириш сеанси бўлади; токенни "
    "'Authorization: Bearer <token>' сифатида юборинг.",
    "csrf_failed": "Ўзгариш саҳифанинг X-CSRF-Token сарлавҳасисиз келди; саҳифани қайта юкланг.",
    "not_local_user": "{username} идентификация провайдери орқали киради; унинг пароли ўша ерда "
    "сақланади.",
    "password_too_short": "Парол камида {count} белгидан иборат бўлиши керак.",
    "session_expired": "Сеанс жуда узоқ ишлатилмади ва тугатилди; қайта киринг.",
    "sign_in_failed": "Фойдаланувчи номи, парол ёки код нотўғри.",
    "user_not_found": "{username} номли фойдаланувчи йўқ.",
    "username_taken": "{username} номли фойдаланувчи аллақачон бор.",
    "username_taken.local": "{username} номи маҳаллий ҳисобга тегишли; идентификация провайдери "
    "фойдаланувчиси уни эгаллай олмайди.",
    "token_invalid": "Бу токен номаълум ёки бекор қилинган.",
    "token_missing": "Токен кўрсатилмади.",
    "token_missing.how": "'Authorization: Bearer <token>' юборинг; токенни 'posbon token "
    "create' буйруғи билан яратинг.",
    "token_not_found": "{id} id рақамли токен йўқ.",
    "too_large": "Битта юборишда кўпи билан {mutations} та ўзгариш ва {bytes} байт бўлиши мумкин.",
    "too_large.upload": "Upload-Length {length} Tus-Max-Size {limit} дан катта.",
    "too_large.body": "Сўров танаси Upload-Length чегарасидан ошиб кетди.",
    "too_many_failed_sign_ins": "Бу манзилдан жуда кўп муваффақиятсиз кириш уринишлари бўлди; "
    "{seconds} сониядан кейин қайта уриниб кўринг.",
    "too_many_failed_tokens": "Бу манзилдан жуда кўп номаълум токен келди; {seconds} сониядан "
    "сўнг қайта уриниб кўринг.",
    "tus_error": "Юклаш сўрови бажарилмади.",
    "tus_version": "Tus-Resumable: {version} юборинг ({got} келди).",
    # Single sign-on (server/oidc).
    "oidc_bad_state": "Бу кириш бу ерда бошланмаган ёки йўлда ўзгартирилган; уни кириш "
    "саҳифасидан қайтадан бошланг.",
    "oidc_bad_state.missing": "Бу браузерда кириш бошланмаган (ёки унинг cookie файли "
    "блокланган); уни кириш саҳифасидан қайтадан бошланг.",
    "oidc_bad_state.expired": "Кириш жуда узоқ давом этди; уни кириш саҳифасидан қайтадан бошланг.",
    "oidc_bad_state.code": "Идентификация провайдери код юбормади; киришни кириш саҳифасидан "
    "қайтадан бошланг.",
    "oidc_no_role": "{username} Posbonга кириш ҳуқуқини берадиган бирорта гуруҳда эмас; "
    "администратордан гуруҳларингиздан бирини роллар харитасига қўшишни сўранг.",
    "oidc_not_configured": "Бу серверда ягона кириш созланмаган (--oidc-issuer).",
    "oidc_refused": "Идентификация провайдери киришни рад этди: {reason}.",
    "oidc_refused.check": "Кириш рад этилди: {reason}.",
    "oidc_unavailable": "Шаҳар идентификация провайдеридан ҳозир фойдаланиб бўлмайди "
    "({reason}); кейинроқ уриниб кўринг.",
    "unauthorized": "'Authorization: Bearer <token>' юборинг; токенни posbon token буйруғи "
    "билан яратинг.",
    "unavailable": "Posbon ҳозир бу сўровни бажара олмайди; бироздан сўнг қайта юборинг.",
    "unknown_schema_version": "schema_version {version} бу сервер биладиганидан ({newest}) "
    "янгироқ.",
    "unknown_site": "{id} id рақамли объект йўқ.",
    "unknown_contact": "{contact} контакти {incident} ҳодисаси объектининг рўйхатида йўқ; «Кимга "
    "қўнғироқ қилиш» рўйхатидан контакт танланг.",
    "not_found.contact": "{id} id рақамли контакт йўқ.",
    "unprocessable": "Сўров тўғри тузилган, лекин уни бажариб бўлмайди.",
    "unreachable": "Серверга уланиб бўлмади.",
    "unsupported_media_type": "Сўров танасини application/json сифатида юборинг.",
    "upgrade_required": "schema_version {version} энди қўллаб-қувватланмайди; энг эски "
    "қўллаб-қувватланадигани: {oldest}.",
    "upload_expired": "{id}-юклашнинг муддати тугади; янгисини бошланг.",
    "upload_finished": "Тугалланган юклаш далил ҳисобланади, уни ўчириб бўлмайди.",
    "upload_finished.state": "{id}-юклаш аллақачон {state} ҳолатида.",
    "upload_not_found": "{id} юклаш йўқ.",
    "wrong_content_type": "PATCH танаси {media_type} турида бўлиши керак.",
    # Retention and legal hold (server/evidence/retention*, holds*)
    "evidence_deleted": "{id}-ёзувнинг далил файли {at} да ўчирилди: {reason}.",
    "evidence_deleted.under_way": "{id}-ёзувнинг сақлаш муддати тугади, унинг файли ўчирилмоқда.",
    "hold_released": "{id}-ҳуқуқий сақлаш аллақачон бекор қилинган.",
    "hold_unknown": "{id} рақамли ҳуқуқий сақлаш йўқ.",
    "retention_category_exists": "{name} сақлаш тоифаси аллақачон бор; уни PATCH билан "
    "ўзгартиринг.",
    "retention_category_shorter": "{name} сақлаш тоифасини қисқартириб бўлмайди; қисқароқ "
    "тоифа яратинг ва ёзувларни унга ўтказинг (ҳар бирини иккинчи киши тасдиқлайди).",
    "retention_category_unknown": "{name} сақлаш тоифаси йўқ; рўйхатни GET "
    "/api/v1/evidence/retention/categories беради.",
    "retention_nothing_pending": "{id}-ёзувда тасдиқлашни кутаётган қисқароқ тоифа йўқ.",
    "retention_same_person": "Бу қисқароқ тоифани ўзингиз сўрагансиз; уни иккинчи киши "
    "тасдиқлаши керак.",
    "retention_unassigned": "{id}-ёзувнинг тасдиқланган файли йўқ, шунинг учун сақлаш "
    "муддати ҳали белгиланмаган.",
    # Evidence share links (server/evidence/sharing.py, share_routes.py)
    "share_target": "recording_id ёки incident_id дан фақат биттасини кўрсатинг.",
    "share_expiry": "expires_at келажакда ва кўпи билан {days} кун ичида бўлиши керак.",
    "evidence_not_verified": "{id} ёзувининг тасдиқланган файли ҳали йўқ, шунинг учун улашадиган "
    "нарса йўқ.",
    "share_nothing_to_share": "{id} ҳодисага ҳали бирорта тасдиқланган ёзув боғланмаган, шунинг "
    "учун улашадиган нарса йўқ.",
    "share_not_found": "Бундай ҳавола мавжуд эмас; юборувчидан янгисини сўранг.",
    "share_revoked": "Бу ҳавола бекор қилинган; юборувчидан янгисини сўранг.",
    "share_expired": "Бу ҳаволанинг муддати тугаган; юборувчидан янгисини сўранг.",
    "share_locked": "Нотўғри PIN-кодлар жуда кўп: ҳавола {until} UTC гача блокланган.",
    "share_pin_required": "Бу ҳавола PIN-код талаб қилади: ҳаволани браузерда очинг ва аввал "
    "PIN-кодни киритинг.",
    "share_view_only": "Бу ҳавола фақат кўриш учун; юклаб олишга рухсат йўқ.",
    "evidence_deleted.share": "{id} ёзувининг далил файли сақлаш муддати тугагач ўчирилган.",
    "evidence_missing": "{id} ёзувининг далил файли йўқ.",
    "not_found.share": "{id} рақамли ҳавола йўқ.",
    "not_found.share_item": "{id} ёзуви бу ҳаволага кирмайди.",
    # Court packages (server/evidence/package*.py)
    "package_restricted": "{id}-ҳодиса далиллари орасида {ids} бор, уларни фақат администратор "
    "оча олади; пакетни экспорт қилишни администратордан сўранг.",
    "evidence_altered": "{id}-ёзувнинг далил файли энди қайд этилган SHA-256 га мос келмайди; "
    "'posbon custody verify' ни ишга туширинг ва файлни нусхадан тикланг.",
    # Redaction (server/evidence/redaction.py, redaction_files.py)
    "not_found.redaction_source": "{id}-ёзувнинг ниқоблаш учун тасдиқланган файли йўқ.",
    "not_found.redaction": "{id} рақамли ниқоблаш йўқ.",
    "not_found.redaction_frame": "{number}-кадр 0..{last} оралиғидан ташқарида.",
    "not_found.evidence_file": "{where} далил файли топилмади.",
    "conflict.redaction_not_in_review": "{id}-ниқоблаш {state} ҳолатида; рамкаларни ўзгартириш "
    "ва нусха яратишни бошлаш фақат текширув босқичида мумкин.",
    "conflict.redaction_detecting": "{id}-ниқоблаш ҳали видеони таҳлил қилмоқда.",
    "bad_request.duplicate_track": "Иккита изда бир хил track_id бор.",
    "bad_request.too_many_keyframes": "Калит кадрлар жами {limit} тадан кўп.",
    "bad_request.track_keyframes": "{track}-изга калит кадрлар керак, уларнинг ҳаммаси из "
    "оралиғида ва 0..{last} кадрлар ичида бўлиши лозим.",
    "bad_request.box_outside": "{track}-изнинг рамкаси кадрдан ташқарида.",
    # Ҳаракат режалари (server/plans)
    "not_found.plan": "{id} рақамли режа йўқ.",
    "not_found.plan_version": "{id}-режанинг {version}-версияси йўқ.",
    "not_found.incident_plan": "{id}-ҳодисанинг ҳаракат режаси йўқ.",
    "not_found.plan_step": "{id}-ҳодиса ҳаракат режасида {index}-қадам йўқ.",
    "plan_scope_both": "Режа битта объектга ёки битта объект турига тегишли бўлади, иккаласига "
    "эмас: site_kind ёки site_id ни олиб ташланг.",
    "plan_scope_taken": "{id}-режа ({name}) бу сигнал тури ва доирани аллақачон қамраб олган; "
    "ўша режани ўзгартиринг ёки аввал уни ўчиринг.",
    "plan_reason_required": "«{state}» қадам учун сабаб керак; уни 'reason' да ёзинг.",
    "plan_incident_closed": "{id}-ҳодиса ёпилган; унинг ҳаракат режаси энди ўзгармайди.",
    "plan_no_open_steps": "{id}-ҳодисада очиқ мажбурий режа қадами йўқ; уни одатдагидек ёпинг.",
    "plan_steps_open": "{id}-ҳодисада мажбурий режа қадамлари очиқ: {steps}. Ҳар бирини "
    "бажарилди, ўтказиб юборилди ёки муваффақиятсиз деб белгиланг ёки режани четлаб ўтиш "
    "сабаби билан ёпинг.",
    "recipient_required": "Битта қабул қилувчини кўрсатинг: contact_id (шу ҳодиса объектининг "
    "контакти) ёки duty_desk: true.",
    "duty_desk_not_configured": "{channel} учун навбатчи қисм белгиланмаган: posbon ни {setting} "
    "билан ишга туширинг.",
    "contact_not_of_site": "{contact} контакти бу ҳодиса объектига тегишли эмас; рўйхатни GET "
    "/api/v1/incidents/{incident}/contacts беради.",
    "contact_has_no_telegram": "{contact} контактида Telegram чати йўқ; уни контактга қўшинг ёки "
    "SMS юборинг.",
    "contact_has_no_phone": "{contact} контактида телефон рақами йўқ; аввал уни қўшинг.",
    "phone_not_of_contact": "{phone} {contact} контактининг телефони эмас; унинг телефонларидан "
    "бирини танланг.",
    "sms_not_configured": "SMS хабарномалар ўчирилган: posbon ни операторнинг SMPP шлюзини "
    "кўрсатувчи --smpp-host (ва --smpp-system-id, --smpp-password) билан ишга туширинг.",
    "telegram_not_configured": "Telegram хабарномалари ўчирилган: posbon ни --telegram-bot-token "
    "(бот токени) билан ишга туширинг.",
}

STATUSES: Final[dict[str, str]] = {
    "new": "янги",
    "dispatched": "экипаж юборилган",
    "acknowledged": "экипаж қабул қилган",
    "en_route": "йўлда",
    "on_scene": "жойида",
    "resolved": "якунланган",
    "cancelled": "бекор қилинган",
    "false_alarm": "сохта сигнал",
}
