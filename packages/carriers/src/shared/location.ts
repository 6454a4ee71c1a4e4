import type { Location } from "@trackflow/core";

function clean(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

/** A Location from whatever parts a source gave; null when it gave none. */
export function location(parts: {
  description?: string | null;
  city?: string | null;
  state?: string | null;
  postalCode?: string | null;
  country?: string | null;
}): Location | null {
  const loc: Location = {
    description: clean(parts.description),
    city: clean(parts.city),
    state: clean(parts.state),
    postalCode: clean(parts.postalCode),
    country: clean(parts.country)?.toUpperCase() ?? null,
  };
  return Object.values(loc).every((v) => v === null) ? null : loc;
}
