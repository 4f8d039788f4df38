// Light/dark toggle. The system preference applies until the visitor chooses; the choice is remembered.
import { redrawAll } from "./chart.js";

const media = matchMedia("(prefers-color-scheme: dark)");
const current = () => document.documentElement.dataset.theme || (media.matches ? "dark" : "light");

export function setupThemeToggle(button) {
  const sync = () => {
    const dark = current() === "dark";
    button.setAttribute("aria-pressed", String(dark));
    // A toggle keeps its name; aria-pressed tells assistive technology, the styling and "on/off" tell the eye.
    const state = document.createElement("span");
    state.className = "toggle-state";
    state.setAttribute("aria-hidden", "true");
    state.textContent = dark ? "on" : "off";
    button.replaceChildren("Dark theme ", state);
  };
  button.addEventListener("click", () => {
    const next = current() === "dark" ? "light" : "dark";
    document.documentElement.dataset.theme = next;
    try {
      localStorage.setItem("nft-theme", next);
    } catch {
      // Not remembered when storage is disabled; the toggle still works for this visit.
    }
    sync();
    redrawAll(); // Colour legends are drawn with computed colours.
  });
  media.addEventListener("change", () => (sync(), redrawAll()));
  sync();
}
