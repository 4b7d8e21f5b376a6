// Day or night: the tablet follows the system's prefers-color-scheme until the crew taps the
// header toggle; that choice is remembered on the tablet and wins from then on. app.css reads
// html[data-scheme].

const STORAGE_KEY = "posbon.crew.scheme";
const THEME_COLOUR = { day: "#ffffff", night: "#000000" };

export function initScheme(button) {
  const dark = window.matchMedia("(prefers-color-scheme: dark)");
  const apply = () => {
    const stored = localStorage.getItem(STORAGE_KEY);
    const scheme = stored === "day" || stored === "night" ? stored : dark.matches ? "night" : "day";
    document.documentElement.dataset.scheme = scheme;
    button.setAttribute("aria-pressed", String(scheme === "night"));
    document.querySelector('meta[name="theme-color"]')?.setAttribute("content", THEME_COLOUR[scheme]);
  };
  dark.addEventListener("change", apply);
  button.addEventListener("click", () => {
    localStorage.setItem(STORAGE_KEY, document.documentElement.dataset.scheme === "night" ? "day" : "night");
    apply();
  });
  apply();
}
