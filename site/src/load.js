// Loads one view file: the real one from data/, or the synthetic sample from demo/ when the real
// file is missing, unreadable or empty. Which files exist comes from manifest.json (written by the
// build), so a missing file is never requested and never logs a 404.

const manifestPromise = fetch("manifest.json", { cache: "no-cache" })
  .then((response) => (response.ok ? response.json() : null))
  .catch(() => null);

const cache = new Map();

/** Names of the real view files the build found (null when there is no manifest to say). */
export async function realFiles() {
  const manifest = await manifestPromise;
  return manifest && Array.isArray(manifest.data) ? manifest.data : null;
}

/** A view file with nothing to show: no meta, or every table and series empty. */
export function emptyReason(body) {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return "does not hold a JSON object";
  if (!body.meta || typeof body.meta !== "object") return "has no meta block";
  const content = Object.entries(body).filter(([key]) => key !== "meta");
  if (content.length === 0) return "holds no data";
  const hasData = content.some(([, value]) => {
    if (Array.isArray(value)) return value.length > 0;
    if (value && typeof value === "object") return Object.keys(value).length > 0;
    return value !== null && value !== undefined;
  });
  return hasData ? null : "holds no data";
}

async function readJson(url) {
  let response;
  try {
    response = await fetch(url, { cache: "no-cache" });
  } catch (error) {
    return { problem: `could not be fetched (${error.message})` };
  }
  if (!response.ok) return { problem: `could not be fetched (HTTP ${response.status})` };
  const text = await response.text();
  if (text.trim() === "") return { problem: "is empty" };
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return { problem: "is not valid JSON" };
  }
  const reason = emptyReason(body);
  return reason ? { problem: reason } : { body };
}

async function listed(folder, file) {
  const manifest = await manifestPromise;
  // Without a manifest (an old build), ask for the file and let the fetch say whether it exists.
  if (!manifest || !Array.isArray(manifest[folder])) return true;
  return manifest[folder].includes(file);
}

async function loadFrom(folder, file) {
  if (!(await listed(folder, file))) return { problem: "is missing" };
  return readJson(`${folder}/${file}`);
}

/**
 * Resolves to {body, source: "data"|"demo", url, problem} where problem says why the real file
 * was not used (null when it was). Rejects with a plain-language Error when neither file is usable.
 */
export function loadView(name) {
  if (!cache.has(name)) cache.set(name, resolveView(name));
  return cache.get(name);
}

async function resolveView(name) {
  const file = `${name}.json`;
  const real = await loadFrom("data", file);
  if (real.body) return { body: real.body, source: "data", url: `data/${file}`, problem: null };
  const demo = await loadFrom("demo", file);
  if (demo.body) return { body: demo.body, source: "demo", url: `demo/${file}`, problem: `data/${file} ${real.problem}` };
  throw new Error(`data/${file} ${real.problem}, and the demo sample demo/${file} ${demo.problem}.`);
}

/**
 * The view catalogue (views.json: ranges, views and their range files, downloads) from data/, or from
 * demo/ when there is no usable real one; null when neither folder has one (an older build).
 */
export function loadCatalogue() {
  if (!cache.has("views.json")) cache.set("views.json", resolveCatalogue());
  return cache.get("views.json");
}

async function resolveCatalogue() {
  for (const folder of ["data", "demo"]) {
    if (!(await listed(folder, "views.json"))) continue;
    const read = await readCatalogue(`${folder}/views.json`);
    if (read) return { body: read, folder };
  }
  return null;
}

async function readCatalogue(url) {
  try {
    const response = await fetch(url, { cache: "no-cache" });
    if (!response.ok) return null;
    const body = await response.json();
    return body && typeof body === "object" && Array.isArray(body.views) ? body : null;
  } catch {
    return null;
  }
}
