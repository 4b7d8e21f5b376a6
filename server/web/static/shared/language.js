// Which language a staff page speaks: the person's stored choice (localStorage `posbon.lang`,
// the same key on every page and in the crew app), else the first of the browser's languages
// Posbon has, else English. The dispatcher page (js/i18n.js) and the redaction review page
// (redact/i18n.js) both choose here.

export const LANGUAGES = ["uz-Latn", "uz-Cyrl", "ru", "en"];
export const STORAGE_KEY = "posbon.lang";

/** The language for a stored choice and the browser's list (BCP 47 tags), English when none fits. */
export function pickLanguage(stored, browserLanguages) {
  if (LANGUAGES.includes(stored)) return stored;
  for (const tag of browserLanguages ?? []) {
    const parts = String(tag).toLowerCase().split(/[-_]/);
    if (parts[0] === "uz") return parts.includes("cyrl") ? "uz-Cyrl" : "uz-Latn";
    if (parts[0] === "ru") return "ru";
    if (parts[0] === "en") return "en";
  }
  return "en";
}

/** The stored choice, or null (none yet, or storage switched off: the browser's list decides). */
export function storedLanguage() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** Fill a language <select> with one option per language, each named in itself by `nameOf`,
 * show `current`, and call `onChoose(code)` when the person picks another. */
export function bindLanguagePicker(picker, current, nameOf, onChoose) {
  picker.replaceChildren(
    ...LANGUAGES.map((code) => {
      const option = document.createElement("option");
      option.value = code;
      option.lang = code;
      option.textContent = nameOf(code);
      return option;
    }),
  );
  picker.value = current;
  picker.addEventListener("change", () => onChoose(picker.value));
}
