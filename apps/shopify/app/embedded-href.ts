import { useLocation } from "@remix-run/react";

/**
 * A path of the app with the embedded request's search parameters kept (shop, host, embedded,
 * id_token): inside the admin App Bridge adds a fresh session token to every request; outside
 * the admin frame the page still authenticates with the token it was opened with.
 */
export function useEmbeddedHref(): (path: string) => string {
  const { search } = useLocation();
  const kept = new URLSearchParams(search);
  for (const key of [...kept.keys()]) {
    if (!["shop", "host", "embedded", "id_token", "locale"].includes(key)) kept.delete(key);
  }
  const query = kept.toString();
  return (path: string) => {
    if (query === "") return path;
    return `${path}${path.includes("?") ? "&" : "?"}${query}`;
  };
}
