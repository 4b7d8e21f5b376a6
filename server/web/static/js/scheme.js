// Day or night: the browser's preference (prefers-color-scheme) until the dispatcher picks one
// with the header's toggle, which this browser then remembers. app.css reads html[data-scheme].

const STORAGE_KEY = "posbon.scheme";
const SCHEMES = ["light", "dark"];

function stored() {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return SCHEMES.includes(value) ? value : null;
  } catch {
    return null; // storage switched off: the browser's preference decides
  }
}

function remember(scheme) {
  try {
    localStorage.setItem(STORAGE_KEY, scheme);
  } catch {
    // not kept: the choice still holds on this page
  }
}

export function bindScheme(button) {
  const night = window.matchMedia("(prefers-color-scheme: dark)");
  const show = (scheme) => {
    document.documentElement.dataset.scheme = scheme;
    button.setAttribute("aria-pressed", String(scheme === "dark"));
  };
  show(stored() ?? (night.matches ? "dark" : "light"));
  night.addEventListener("change", () => {
    if (stored() === null) show(night.matches ? "dark" : "light");
  });
  button.addEventListener("click", () => {
    const scheme = document.documentElement.dataset.scheme === "dark" ? "light" : "dark";
    remember(scheme);
    show(scheme);
  });
}
