import type { LoaderFunctionArgs } from "@remix-run/node";
import type { TrackflowLoadContext } from "../trackflow-context.ts";

/** OAuth: /auth and /auth/callback (the afterAuth hook installs the shop and starts its backfill). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await (context as unknown as TrackflowLoadContext).shopify.authenticate.admin(request);
  return null;
}
