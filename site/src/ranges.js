// The period choice of a view, from the catalogue the aggregation writes (views.json): which ranges the
// view publishes, the file of each, and the default. A view without ranges has no period choice.
import { choiceButtons } from "./controls.js";
import { el } from "./dom.js";
import { intervalWord } from "./format.js";

/** The catalogue entry of a view (matched by its default file), or null. */
export function catalogueEntry(catalogue, file) {
  const views = Array.isArray(catalogue?.body?.views) ? catalogue.body.views : [];
  return views.find((view) => view && view.file === `${file}.json`) ?? null;
}

/**
 * {name: the view file to load (without .json), control: the period buttons or null}. The range
 * comes from the link when the view has it, else the view's default (with a notice for an unknown one).
 */
export function periodChoice(catalogue, file, params) {
  const entry = catalogueEntry(catalogue, file);
  const files = entry?.ranges && typeof entry.ranges === "object" ? entry.ranges : null;
  if (!files || !entry.default_range) return { name: file, control: null };
  const ranges = (catalogue.body.ranges ?? []).filter((range) => range && typeof files[range.id] === "string");
  if (ranges.length === 0) return { name: file, control: null };
  const options = ranges.map((range) => ({ value: String(range.id), label: String(range.label ?? range.id) }));
  const control = choiceButtons({ name: "range", label: "Period", options, params, fallback: String(entry.default_range), what: "the period" });
  const chosen = ranges.find((range) => String(range.id) === control.value);
  const resolution = chosen?.resolution ? intervalWord(chosen.resolution) : null;
  if (resolution) control.node.append(el("span", { class: "range-note" }, `${resolution} values`));
  return { name: String(files[control.value]).replace(/\.json$/, ""), control };
}
