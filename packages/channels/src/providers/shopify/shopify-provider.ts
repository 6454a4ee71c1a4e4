import { z } from "zod";
import type { OutboundMessage, ProviderFactory, SendResult } from "../../channel-provider.ts";
import { credentialField, httpUrlField, timeoutMsField } from "../../config-fields.ts";
import { httpSend } from "../../http-send.ts";
import { isRecord, oneLine, type ProviderAnswer, stringField } from "../../provider-answer.ts";
import { finalResult, retryableResult, sentResult, withFinalHint } from "../../send-result.ts";
import { type FulfillmentEventStatus, fulfillmentEventStatus } from "./fulfillment-event-status.ts";
import { SHOPIFY_API_VERSION, SHOPIFY_API_VERSION_PATTERN } from "./shopify-api-version.ts";

export const SHOP_DOMAIN_PATTERN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

export const shopifyConfigSchema = z.object({
  /** the shop's permanent domain, "<name>.myshopify.com" */
  shop: z.string().trim().toLowerCase().regex(SHOP_DOMAIN_PATTERN, "shop must be <name>.myshopify.com"),
  /** the app's offline access token for the shop (needs write_fulfillments), sent as X-Shopify-Access-Token */
  accessToken: credentialField("accessToken"),
  apiVersion: z
    .string()
    .regex(SHOPIFY_API_VERSION_PATTERN, "apiVersion must be YYYY-MM (01, 04, 07 or 10) or unstable")
    .default(SHOPIFY_API_VERSION),
  /** the Admin API origin: https://<shop> unless a test or proxy says otherwise */
  baseUrl: httpUrlField.optional(),
  timeoutMs: timeoutMsField,
});

export type ShopifyConfig = z.output<typeof shopifyConfigSchema>;

export const FULFILLMENT_EVENT_CREATE = `mutation fulfillmentEventCreate($fulfillmentEvent: FulfillmentEventInput!) {
  fulfillmentEventCreate(fulfillmentEvent: $fulfillmentEvent) {
    fulfillmentEvent { id status happenedAt }
    userErrors { field message }
  }
}`;

/** The FulfillmentEventInput Trackflow sends. */
export interface FulfillmentEventInput {
  fulfillmentId: string;
  status: FulfillmentEventStatus;
  happenedAt?: string;
  estimatedDeliveryAt?: string;
  message?: string;
  city?: string;
  province?: string;
  country?: string;
  zip?: string;
}

const EventTimeShape = z.object({
  local: z.string(),
  offset: z.string().nullable(),
  utc: z.string().nullable(),
});

/** What the provider reads of the writeback payload (engine's WritebackPayload); the rest is ignored. */
const HostPayloadSchema = z.object({
  shipment: z.object({
    status: z.string(),
    reason: z.string().nullable(),
    estimatedDelivery: EventTimeShape.nullable(),
    hostRef: z.object({ source: z.string(), id: z.string() }).nullable(),
  }),
  event: z
    .object({
      occurredAt: EventTimeShape.nullable(),
      message: z.string(),
      location: z
        .object({
          city: z.string().nullable().optional(),
          state: z.string().nullable().optional(),
          postalCode: z.string().nullable().optional(),
          country: z.string().nullable().optional(),
        })
        .nullable()
        .optional(),
    })
    .nullable(),
});

/**
 * An EventTime as a Shopify DateTime: the instant when the source gave one (or an offset to make
 * it), else none: a local time without an offset is never passed off as UTC.
 */
function shopifyDateTime(time: z.infer<typeof EventTimeShape> | null | undefined): string | undefined {
  if (!time) return undefined;
  if (time.utc) return time.utc;
  if (time.offset) return `${time.local}${time.offset}`;
  return undefined;
}

const FULFILLMENT_GID = /^gid:\/\/shopify\/Fulfillment\/\d+$/;

/** The mutation's input from the message, or why there is none (a final answer, no call made). */
export function fulfillmentEventInput(message: OutboundMessage): FulfillmentEventInput | { problem: string } {
  const structured = message.content.structured;
  const parsed = HostPayloadSchema.safeParse(isRecord(structured) ? structured.host : undefined);
  if (!parsed.success)
    return { problem: "the message carries no shipment writeback payload (content.structured.host)" };
  const { shipment, event } = parsed.data;
  const ref = shipment.hostRef;
  if (ref === null || ref.source !== "shopify") {
    return { problem: "the shipment has no Shopify fulfillment (hostRef) to write to" };
  }
  if (!FULFILLMENT_GID.test(ref.id)) {
    return { problem: `the shipment's hostRef ${JSON.stringify(ref.id)} is not a Fulfillment GID` };
  }
  const status = fulfillmentEventStatus(shipment.status, shipment.reason);
  if (status === null) return { problem: `Shopify has no fulfillment event status for "${shipment.status}"` };
  const input: FulfillmentEventInput = { fulfillmentId: ref.id, status };
  const happenedAt = shopifyDateTime(event?.occurredAt);
  if (happenedAt) input.happenedAt = happenedAt;
  const estimatedDeliveryAt = shopifyDateTime(shipment.estimatedDelivery);
  if (estimatedDeliveryAt) input.estimatedDeliveryAt = estimatedDeliveryAt;
  if (event?.message) input.message = event.message.slice(0, 255);
  const location = event?.location;
  if (location?.city) input.city = location.city;
  if (location?.state) input.province = location.state;
  if (location?.country) input.country = location.country;
  if (location?.postalCode) input.zip = location.postalCode;
  return input;
}

/**
 * A throttled GraphQL answer (HTTP 200, `errors[].extensions.code` THROTTLED): the wait until the
 * bucket holds the query's cost again, from `extensions.cost` (requestedQueryCost,
 * throttleStatus.currentlyAvailable and restoreRate, points per second). Null when not throttled.
 */
export function throttledWaitMs(body: unknown): number | null {
  if (!isRecord(body) || !Array.isArray(body.errors)) return null;
  const throttled = body.errors.some(
    (error) => isRecord(error) && isRecord(error.extensions) && error.extensions.code === "THROTTLED",
  );
  if (!throttled) return null;
  const cost = isRecord(body.extensions) && isRecord(body.extensions.cost) ? body.extensions.cost : null;
  const status = cost && isRecord(cost.throttleStatus) ? cost.throttleStatus : null;
  const requested = typeof cost?.requestedQueryCost === "number" ? cost.requestedQueryCost : null;
  const available = typeof status?.currentlyAvailable === "number" ? status.currentlyAvailable : null;
  const restoreRate = typeof status?.restoreRate === "number" ? status.restoreRate : null;
  if (requested === null || available === null || restoreRate === null || restoreRate <= 0) return 1000;
  return Math.max(1000, Math.ceil(((requested - available) / restoreRate) * 1000));
}

/** The first GraphQL error's message and code ("message (CODE)"). */
function graphqlErrorText(body: Record<string, unknown>): string {
  const first = Array.isArray(body.errors) ? body.errors[0] : undefined;
  const message = stringField(first, "message") ?? "GraphQL error";
  const code =
    isRecord(first) && isRecord(first.extensions) ? stringField(first.extensions, "code") : undefined;
  return oneLine(code ? `${message} (${code})` : message);
}

/** Codes of top-level GraphQL errors that a later attempt may get past. */
const RETRYABLE_GRAPHQL_CODES = new Set(["INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "TIMEOUT"]);

function classifyShopify(answer: ProviderAnswer, standard: SendResult): SendResult {
  if (answer.status !== 200) {
    return withFinalHint(standard, {
      401: "the access token is invalid or the app was uninstalled",
      402: "the shop is frozen (unpaid)",
      403: "the app lacks the write_fulfillments scope",
      404: "check the shop domain and API version",
      423: "the shop is locked",
    });
  }
  const body = answer.json;
  if (!isRecord(body)) return finalResult("Shopify answered HTTP 200 without a GraphQL body", 200);
  const wait = throttledWaitMs(body);
  if (wait !== null) return retryableResult(`Shopify: throttled: ${graphqlErrorText(body)}`, 200, wait);
  if (Array.isArray(body.errors) && body.errors.length > 0) {
    const first = body.errors[0];
    const code = isRecord(first) && isRecord(first.extensions) ? first.extensions.code : undefined;
    const text = `Shopify: ${graphqlErrorText(body)}`;
    return typeof code === "string" && RETRYABLE_GRAPHQL_CODES.has(code)
      ? retryableResult(text, 200)
      : finalResult(text, 200);
  }
  const payload = isRecord(body.data) ? body.data.fulfillmentEventCreate : undefined;
  if (!isRecord(payload))
    return finalResult("Shopify: the answer has no fulfillmentEventCreate payload", 200);
  const userErrors = Array.isArray(payload.userErrors) ? payload.userErrors : [];
  if (userErrors.length > 0) {
    const texts = userErrors.map((error) => {
      const field = isRecord(error) && Array.isArray(error.field) ? error.field.join(".") : "";
      const message = stringField(error, "message") ?? "rejected";
      return field ? `${field}: ${message}` : message;
    });
    return finalResult(oneLine(`Shopify rejected the fulfillment event: ${texts.join("; ")}`), 200);
  }
  const id = stringField(payload.fulfillmentEvent, "id");
  if (id === undefined)
    return finalResult("Shopify: no fulfillment event was created and no error given", 200);
  return sentResult(id, 200);
}

/**
 * Shopify writeback: each shipment status change becomes a fulfillment event on the Shopify
 * fulfillment the shipment was registered with (its hostRef), through the Admin GraphQL API:
 * `POST https://<shop>/admin/api/<version>/graphql.json` with `X-Shopify-Access-Token` and the
 * `fulfillmentEventCreate` mutation, so the order status page and Shopify's own shipping emails
 * follow. Throttling (HTTP 200 with THROTTLED, or 429) is retryable after the wait the cost
 * bucket needs; userErrors, 401, 403 are final. Shopify takes no idempotency key here.
 */
export const shopifyProviderFactory: ProviderFactory<typeof shopifyConfigSchema> = {
  provider: "shopify",
  kind: "record",
  configSchema: shopifyConfigSchema,
  create(config, deps) {
    const origin = config.baseUrl ?? `https://${config.shop}`;
    const url = `${origin}/admin/api/${config.apiVersion}/graphql.json`;
    return {
      provider: "shopify",
      kind: "record",
      honoursIdempotencyKey: false,
      async send(message, signal) {
        const input = fulfillmentEventInput(message);
        if ("problem" in input) return finalResult(`Shopify: ${input.problem}`, null);
        return httpSend(
          {
            url,
            headers: {
              "X-Shopify-Access-Token": config.accessToken,
              "Content-Type": "application/json",
              Accept: "application/json",
            },
            body: JSON.stringify({ query: FULFILLMENT_EVENT_CREATE, variables: { fulfillmentEvent: input } }),
          },
          {
            provider: "Shopify",
            fetch: deps.fetch,
            now: deps.now,
            signal,
            timeoutMs: config.timeoutMs,
            classify: classifyShopify,
          },
        );
      },
    };
  },
};
