import type { ActionFunctionArgs } from "@remix-run/node";
import type { TrackflowLoadContext } from "../trackflow-context.ts";
import { webhookAction } from "../webhooks/webhook-action.ts";

/** Every webhook topic of shopify.app.toml: verified by authenticate.webhook, then handled. */
export async function action({ request, context }: ActionFunctionArgs) {
  const { engine, shopify } = context as unknown as TrackflowLoadContext;
  return webhookAction({
    authenticate: (r) => shopify.authenticate.webhook(r),
    ctx: async () => engine.ctx,
  })({ request });
}
