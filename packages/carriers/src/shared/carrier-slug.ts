/**
 * A Trackflow carrier slug from a source's carrier name: `known` names first (exact, then by
 * slug), else the name itself as a slug ("CanadaPost" → "canada_post", "royal-mail" →
 * "royal_mail").
 */
export function carrierSlug(name: string, known: Readonly<Record<string, string>> = {}): string {
  const trimmed = name.trim();
  if (Object.hasOwn(known, trimmed)) return known[trimmed]!;
  const slug = trimmed
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 64);
  if (Object.hasOwn(known, slug)) return known[slug]!;
  return slug === "" ? "unknown" : slug;
}
