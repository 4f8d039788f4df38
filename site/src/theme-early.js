// Applies a saved theme choice before the first paint, so a dark-theme visitor never sees a white flash.
try {
  const saved = localStorage.getItem("nft-theme");
  if (saved === "light" || saved === "dark") document.documentElement.dataset.theme = saved;
} catch {
  // Storage may be disabled; the system preference then applies.
}
