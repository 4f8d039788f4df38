// Controls whose value lives in the URL (url-state.js): a choice writes its parameter, the page
// redraws from the new fragment. A value the link names but this view lacks falls back with a notice.
import { el } from "./dom.js";
import { setParam } from "./url-state.js";

const optionOf = (option) => (typeof option === "string" ? { value: option, label: option } : option);

/** The value to show for a parameter, and a notice text when the link's value was not usable. */
export function resolveChoice(name, wanted, options, fallback, what = name) {
  const values = options.map((option) => optionOf(option).value);
  if (wanted === undefined || wanted === null || wanted === "") return { value: fallback, notice: null };
  if (values.includes(wanted)) return { value: wanted, notice: null };
  const shown = optionOf(options.find((option) => optionOf(option).value === fallback) ?? fallback).label;
  return { value: fallback, notice: `The link asks for ${what} “${wanted}”, which this view does not have, so ${shown} is shown.` };
}

const noticeNode = (notice) => (notice ? el("p", { class: "param-notice", role: "status", "data-testid": "param-notice" }, notice) : null);

/** A labelled <select> bound to a URL parameter. Returns {node, value, notice}. */
export function choiceSelect({ name, label, options, params, fallback, what }) {
  const { value, notice } = resolveChoice(name, params[name], options, fallback, what);
  const select = el(
    "select",
    { "data-focus-key": name, name },
    options.map(optionOf).map((option) => el("option", { value: option.value, selected: option.value === value }, option.label)),
  );
  select.addEventListener("change", () => setParam(name, select.value));
  return { node: el("label", {}, label, select), notice: noticeNode(notice), value };
}

/** A row of toggle buttons bound to a URL parameter (the pressed one is the value). */
export function choiceButtons({ name, label, options, params, fallback, what }) {
  const { value, notice } = resolveChoice(name, params[name], options, fallback, what);
  const buttons = options.map(optionOf).map((option) => {
    const button = el("button", { type: "button", class: "toggle", "aria-pressed": String(option.value === value), "data-focus-key": `${name}-${option.value}`, "data-value": option.value }, option.label);
    button.addEventListener("click", () => setParam(name, option.value));
    return button;
  });
  const group = el("div", { class: "toggle-group", role: "group", "aria-label": label, "data-param": name }, el("span", { class: "toggle-label", "aria-hidden": "true" }, label), buttons);
  return { node: group, notice: noticeNode(notice), value };
}

/** The controls row of a view: the controls, then any fallback notices under them. */
export function controlsRow(...choices) {
  const present = choices.filter(Boolean);
  return [el("div", { class: "controls" }, present.map((choice) => choice.node)), ...present.map((choice) => choice.notice).filter(Boolean)];
}

/** The region picker every region view shows; NEM (all regions) unless the link names another. */
export function regionChoice(regions, params) {
  const fallback = regions.includes("NEM") ? "NEM" : regions[0];
  return choiceSelect({ name: "region", label: "Region", options: regions, params, fallback, what: "region" });
}
