import { FlowDefinitionSchema } from "@trackflow/core";
import { z } from "zod";
import {
  ChannelSchema,
  ManualStatusSchema,
  OrderSchema,
  RegisterShipmentSchema,
  SourceSecretSchema,
  TemplateSchema,
} from "./api-schemas.ts";
import { ManualNotifySchema, SimulateRequestSchema } from "./flow-routes.ts";
import { PreferenceSchema } from "./preference-routes.ts";
import { USER_OPERATIONS } from "./user-routes.ts";

interface Operation {
  method: "get" | "post" | "put" | "patch" | "delete";
  path: string;
  summary: string;
  body?: z.ZodType;
  auth?: boolean;
  responses: Record<string, string>;
}

const OPERATIONS: readonly Operation[] = [
  { method: "get", path: "/healthz", summary: "The process is up", auth: false, responses: { "200": "up" } },
  {
    method: "get",
    path: "/readyz",
    summary: "The database answers",
    auth: false,
    responses: { "200": "ready", "503": "not ready" },
  },
  {
    method: "post",
    path: "/webhooks/{tenant}/{source}",
    summary: "A carrier or aggregator webhook delivery, verified with the tenant's secret for the source",
    auth: false,
    responses: {
      "200": "accepted (or a duplicate)",
      "400": "malformed JSON or a payload of the wrong shape; the message names the field",
      "401": "bad signature or stale timestamp",
      "404": "unknown tenant or source",
      "413": "body over the limit",
      "429": "over the tenant's rate; see Retry-After",
    },
  },
  {
    method: "post",
    path: "/receipts/{tenant}/{channel}",
    summary:
      "Delivery receipts for messages sent through the channel (Twilio status callback, SendGrid Event Webhook, Mailgun webhook), verified with the channel's key",
    auth: false,
    responses: {
      "200": "received, matched and duplicate counts",
      "400": "a body the provider's format cannot be read from",
      "401": "bad, missing, stale or replayed signature",
      "404": "unknown tenant or channel, or a channel that takes no receipts",
      "413": "body over the limit",
      "429": "over the tenant's rate; see Retry-After",
    },
  },
  {
    method: "post",
    path: "/inbound/{tenant}/{channel}",
    summary:
      "Incoming SMS of a Twilio channel: STOP (and the other standard opt-out keywords) opts the sender out of SMS, START opts back in; answers empty TwiML",
    auth: false,
    responses: {
      "200": "empty TwiML",
      "400": "not a form or no From",
      "401": "bad or missing X-Twilio-Signature",
      "404": "unknown tenant or channel, or not a Twilio channel",
      "413": "body over the limit",
    },
  },
  {
    method: "get",
    path: "/api/shipments",
    summary: "Shipments, newest first",
    responses: { "200": "shipments" },
  },
  {
    method: "post",
    path: "/api/shipments",
    summary: "Register a tracking number, optionally for an order",
    body: RegisterShipmentSchema,
    responses: { "201": "the shipment", "400": "invalid body" },
  },
  {
    method: "get",
    path: "/api/shipments/{carrier}/{trackingNumber}",
    summary: "A shipment: status, reason, pieces, events, order, notifications",
    responses: { "200": "the shipment", "404": "unknown" },
  },
  {
    method: "post",
    path: "/api/shipments/{carrier}/{trackingNumber}/status",
    summary: "Set a status by hand (staff override, audited)",
    body: ManualStatusSchema,
    responses: { "200": "the shipment after the change", "400": "invalid body", "404": "unknown" },
  },
  {
    method: "post",
    path: "/api/ingest/{source}",
    summary:
      "Ingest a payload exactly as the source sends it, authenticated by API key instead of the source's signature (bulk loads, history)",
    responses: {
      "200": "accepted and duplicate counts",
      "400": "malformed or unrecognised payload",
      "404": "unknown source",
    },
  },
  {
    method: "put",
    path: "/api/orders/{externalId}",
    summary:
      "Create or update an order as its host knows it (lines, customer, hold, cancellation); its status is rolled up",
    body: OrderSchema,
    responses: { "200": "the order with its derived status", "400": "invalid body" },
  },
  {
    method: "get",
    path: "/api/orders/{id}",
    summary: "An order with its shipments",
    responses: { "200": "the order", "404": "unknown" },
  },
  {
    method: "get",
    path: "/api/notifications",
    summary: "Notifications, filterable by status (dead letters: status=dead)",
    responses: { "200": "notifications" },
  },
  {
    method: "get",
    path: "/api/notifications/{id}/attempts",
    summary: "A notification's delivery attempts",
    responses: { "200": "attempts" },
  },
  {
    method: "post",
    path: "/api/notifications/{id}/replay",
    summary: "Send a dead or failed notification again, with its original idempotency key",
    responses: { "200": "replayed", "404": "unknown", "409": "not dead or failed" },
  },
  {
    method: "get",
    path: "/api/deliveries",
    summary:
      "Webhook deliveries received, newest first, filterable by outcome (queued in the inbox, accepted, duplicate, rejected, failed)",
    responses: { "200": "deliveries, without their bodies" },
  },
  {
    method: "post",
    path: "/api/deliveries/{id}/replay",
    summary: "Put a delivery the inbox gave up on (failed) back in it, to be ingested again",
    responses: { "200": "replayed", "404": "unknown", "409": "not failed" },
  },
  {
    method: "get",
    path: "/api/flows",
    summary: "The latest version of each flow",
    responses: { "200": "flows" },
  },
  {
    method: "put",
    path: "/api/flows/{id}",
    summary:
      "Save a flow (a changed definition becomes a new version); JSON, or YAML with Content-Type application/yaml or text/yaml",
    body: FlowDefinitionSchema,
    responses: { "200": "saved, with its version", "400": "invalid flow; the message names the field" },
  },
  {
    method: "get",
    path: "/api/flows/{id}/versions",
    summary: "Every version of a flow, newest first, with when it was saved",
    responses: { "200": "versions", "404": "unknown flow" },
  },
  {
    method: "post",
    path: "/api/flows/simulate",
    summary:
      "Dry-run flows (given, or the tenant's enabled ones) against a carrier timeline (events, a source's payloads, synthetic events or a named synthetic timeline): every message they would send, rendered, with when and why; nothing is stored or sent",
    body: SimulateRequestSchema,
    responses: {
      "200": "the messages in time order, with held, suppressed, throttled and digested ones marked",
      "400": "invalid flows or timeline; the message names the field",
    },
  },
  {
    method: "get",
    path: "/api/flows/timelines",
    summary: "The named synthetic carrier timelines a simulation can use",
    responses: { "200": "timelines" },
  },
  {
    method: "get",
    path: "/api/flows/defaults",
    summary: "The built-in flow catalogue, with whether the tenant has each flow and whether it is enabled",
    responses: { "200": "the catalogue" },
  },
  {
    method: "post",
    path: "/api/flows/defaults/{id}",
    summary: "Install a built-in flow as the tenant's own, enabled (audited)",
    responses: { "200": "installed, with its version", "404": "no such built-in flow" },
  },
  {
    method: "post",
    path: "/api/shipments/{carrier}/{trackingNumber}/notify",
    summary:
      "Send the customer their status now: plans the tenant's flows with a manual trigger (or the one named) for the shipment; with an Idempotency-Key header a retried request notifies once",
    body: ManualNotifySchema,
    responses: {
      "200": "how many notifications were planned",
      "400": "invalid body",
      "404": "unknown shipment or flow",
      "409": "the flow is disabled or has no manual trigger",
    },
  },
  {
    method: "put",
    path: "/api/sources/{source}",
    summary: "Set the webhook secret of a carrier or aggregator source (write-only)",
    body: SourceSecretSchema,
    responses: { "200": "saved, with the webhook path to give the source", "404": "unknown source" },
  },
  {
    method: "get",
    path: "/api/templates",
    summary: "The tenant's own templates",
    responses: { "200": "templates" },
  },
  {
    method: "put",
    path: "/api/templates/{id}",
    summary:
      "Save a Liquid template for a locale and channel kind; rendered at save time so an unknown variable fails here, not at send",
    body: TemplateSchema,
    responses: {
      "200": "saved",
      "400": "invalid template; the message names the part (subject, text, html)",
    },
  },
  {
    method: "get",
    path: "/api/channels",
    summary: "Channel connections (never their credentials) and the providers available",
    responses: { "200": "channels" },
  },
  {
    method: "get",
    path: "/api/recipients/{address}/preferences",
    summary: "A recipient's preferences per channel kind (opted out, quiet hours, time zone)",
    responses: { "200": "preferences" },
  },
  {
    method: "put",
    path: "/api/recipients/{address}/preferences/{channel}",
    summary:
      "Set a recipient's preference for a channel kind (email, sms, chat, push, ticket or * for all), audited",
    body: PreferenceSchema,
    responses: {
      "200": "the preference as saved",
      "400": "invalid body or channel; the message names the field",
    },
  },
  {
    method: "delete",
    path: "/api/channels/{name}",
    summary: "Remove a channel connection (its flows then go to the preview outbox)",
    responses: { "200": "deleted", "404": "unknown" },
  },
  {
    method: "put",
    path: "/api/channels/{name}",
    summary: "Save a channel connection; credentials are write-only",
    body: ChannelSchema,
    responses: { "200": "saved", "400": "unknown provider or invalid configuration" },
  },
  ...USER_OPERATIONS,
];

/** The OpenAPI 3.1 document of the HTTP API, request bodies generated from the zod schemas. */
export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      summary: op.summary,
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(op.auth === false ? { security: [] } : {}),
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: {
                "application/json": {
                  schema: z.toJSONSchema(op.body, { io: "input", unrepresentable: "any" }),
                },
              },
            },
          }
        : {}),
      responses: Object.fromEntries(
        Object.entries(op.responses).map(([code, description]) => [code, { description }]),
      ),
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Trackflow",
      version: "0.1.0",
      description: "Shipment and order status normalisation and notifications.",
    },
    components: { securitySchemes: { apiKey: { type: "http", scheme: "bearer" } } },
    security: [{ apiKey: [] }],
    paths,
  };
}
