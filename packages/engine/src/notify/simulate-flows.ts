import { SOURCE_IDS, sourceById } from "@trackflow/carriers";
import {
  type ActionStep,
  applyEvent,
  DEFAULT_EXCEPTION_POLICY,
  detectExceptions,
  durationMs,
  type EventTime,
  type ExceptionPolicy,
  eventTimeSortKey,
  type FlowChange,
  type FlowDefinition,
  type FlowDefinitionInput,
  FlowDefinitionSchema,
  formatEventTime,
  initialShipmentState,
  type MessageTemplate,
  nextCronTime,
  type OrderStatus,
  type PlannedStep,
  parseTimestamp,
  planFlowSteps,
  quietHoursRelease,
  rollupOrder,
  type ShipmentEvent,
  ShipmentEventSchema,
  type ShipmentException,
  type ShipmentState,
  type StatusTransition,
  transitionsBetween,
  type VersionedFlow,
} from "@trackflow/core";
import type {
  NotificationRecipient,
  OrderCustomer,
  OrderRow,
  ShipmentRow,
  TenantRow,
  TenantSettings,
} from "@trackflow/store";
import { z } from "zod";
import { type ChannelConnection, previewConnection } from "./channel-connections.ts";
import { localeChain, tenantBrand } from "./compose-message.ts";
import { defaultTemplate } from "./default-templates.ts";
import { flowContext } from "./flow-context.ts";
import { type DailySummaryInput, messageVariables } from "./message-variables.ts";
import { afterDelays, recipientsOf } from "./plan-notifications.ts";
import { type ChatFormat, renderNotification } from "./render-notification.ts";
import {
  NAMED_TIMELINE_NAMES,
  namedTimeline,
  SYNTHETIC_CARRIER,
  SYNTHETIC_TRACKING_NUMBER,
  SyntheticEventSchema,
} from "./synthetic-timelines.ts";

/** Bad simulation input: `field` names where ("timeline.2.status", "flows.0.trigger"). */
export class SimulationInputError extends Error {
  override name = "SimulationInputError";
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

/**
 * A carrier timeline to simulate, in one of four forms: normalised events; a source's payloads
 * (normalised with that source's parser); the short synthetic form; or a named synthetic one.
 */
export type SimulationTimeline =
  | readonly unknown[]
  | { source: string; payloads: readonly unknown[]; receivedAt?: string }
  | { named: string };

/** The payloads form: each payload as the source sends it; `receivedAt` makes them a late backfill. */
export const PayloadTimelineSchema = z.object({
  source: z.string().min(1),
  payloads: z.array(z.unknown()).min(1).max(1000),
  /** all payloads reached us at this time (a backfill); by default each scan arrives as it happens */
  receivedAt: z.iso.datetime({ offset: true }).optional(),
});

export const NamedTimelineSchema = z.object({ named: z.string().min(1) });

/** For documentation (OpenAPI); simulateFlows reads the forms itself to name the field at fault. */
export const SimulationTimelineSchema = z.union([
  NamedTimelineSchema,
  PayloadTimelineSchema,
  z.array(SyntheticEventSchema).min(1).max(1000),
  z.array(ShipmentEventSchema).min(1).max(1000),
]);

export const SimulationCustomerSchema = z.object({
  name: z.string().max(200).optional(),
  email: z.email().optional(),
  phone: z.string().max(32).optional(),
  locale: z.string().max(35).optional(),
  timeZone: z.string().max(64).optional(),
  consent: z
    .object({ email: z.boolean(), sms: z.boolean(), chat: z.boolean(), push: z.boolean() })
    .partial()
    .optional(),
});

export const SimulationOrderSchema = z.object({
  externalId: z.string().min(1).max(128).optional(),
  number: z.string().max(64).optional(),
  customer: SimulationCustomerSchema.optional(),
  tags: z.array(z.string()).default([]),
  totalValue: z.number().nonnegative().optional(),
  lines: z
    .array(
      z.object({
        lineId: z.string().min(1),
        quantity: z.number().int().min(0),
        shippedQuantity: z.number().int().min(0).default(0),
      }),
    )
    .default([]),
  destinationCountry: z.string().length(2).optional(),
});
export type SimulationOrder = z.input<typeof SimulationOrderSchema>;

export interface SimulationTemplate {
  id: string;
  locale?: string;
  /** the channel kind it is written for: "email" when absent */
  channel?: string;
  subject?: string | null;
  text: string;
  html?: string | null;
}

export interface SimulateFlowsInput {
  /** definitions (validated here) or versioned flows as stored */
  flows: readonly (FlowDefinitionInput | VersionedFlow | unknown)[];
  timeline: SimulationTimeline;
  order?: SimulationOrder | null;
  /** the order's customer; with neither order nor customer, a sample customer (alex@example.com) */
  customer?: z.input<typeof SimulationCustomerSchema> | null;
  tenant?: { id?: string; name?: string; settings?: TenantSettings };
  /** the tenant's own templates; built-in ones otherwise */
  templates?: readonly SimulationTemplate[];
  /** the tenant's channel connections by name; others are read from the name, as the preview outbox does */
  channels?: readonly ChannelConnection[];
  /**
   * When the simulation ends: exceptions that time alone brings (no scan, a date passed), delays and
   * digests are followed up to it. Default: seven days after the last scan arrived.
   */
  now?: Date;
  /** the engine's public origin, for the unsubscribe link in emails */
  publicUrl?: string;
}

/** One message the flows would send (or hold, suppress, throttle), rendered, with when and why. */
export interface SimulatedMessage {
  /** when it goes out: after delays, digests and quiet hours (for one not sent: when that was decided) */
  at: string;
  /** when the change that caused it came in */
  changedAt: string;
  flowId: string;
  flowVersion?: number;
  stepId: string;
  stepType: ActionStep["type"];
  trigger: FlowChange["kind"];
  why: string;
  shipment: { carrier: string; trackingNumber: string } | null;
  channel: string;
  channelKind: string;
  to: string;
  subject: string | null;
  text: string;
  html?: string;
  /** held back until `at` by quiet hours */
  held?: true;
  /** not sent: opted out, no address, a stale event, a template that does not render */
  suppressed?: true;
  /** not sent: a throttle step before it was at its limit */
  throttled?: true;
  /** sent as one digest of several changes */
  digested?: true;
  /** why held, suppressed, throttled, delayed or digested */
  reason?: string;
}

export interface SimulationResult {
  messages: SimulatedMessage[];
  /** the shipments as they ended */
  shipments: Array<{ carrier: string; trackingNumber: string; status: string; events: number }>;
  /** when the simulation started and ended (ISO) */
  from: string;
  until: string;
}

/** One delivery of scans: all that reached us at one time (a webhook, a backfill, one live scan). */
interface Delivery {
  receivedAt: number;
  events: ShipmentEvent[];
}

const HOUR = 3_600_000;
const MINUTE = 60_000;
const DEFAULT_TAIL_MS = 7 * 24 * HOUR;
const SIM_TENANT = "simulation";
/** The scheduler's exception check runs every minute: time-based exceptions fire on the next one. */
const CHECK_INTERVAL_MS = MINUTE;
/** Shipments the periodic check no longer looks at (exception-checks.ts). */
const CLOSED = new Set(["delivered", "returned_to_sender", "cancelled"]);

const SAMPLE_CUSTOMER: OrderCustomer = {
  name: "Alex Smith",
  email: "alex@example.com",
  phone: "+14155550100",
  locale: "en",
};

function issuePath(prefix: string, issue: z.core.$ZodIssue): string {
  return [prefix, ...issue.path.map(String)].filter((p) => p !== "").join(".");
}

function parseWith<T extends z.ZodType>(schema: T, value: unknown, field: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new SimulationInputError(issuePath(field, issue), issue.message);
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function instantOf(t: EventTime): number {
  return eventTimeSortKey(t);
}

function syntheticToEvent(raw: unknown, index: number): { event: ShipmentEvent; receivedAt: number } {
  const e = parseWith(SyntheticEventSchema, raw, `timeline.${index}`);
  const occurredAt = parseTimestamp(e.at);
  let estimatedDelivery: EventTime | null = null;
  if (e.estimatedDelivery !== undefined) {
    try {
      estimatedDelivery = parseTimestamp(e.estimatedDelivery);
    } catch (error) {
      throw new SimulationInputError(`timeline.${index}.estimatedDelivery`, (error as Error).message);
    }
  }
  const location =
    e.location === undefined
      ? null
      : typeof e.location === "string"
        ? { description: e.location, city: null, state: null, postalCode: null, country: null }
        : e.location;
  const event: ShipmentEvent = {
    source: "simulation",
    carrier: e.carrier ?? SYNTHETIC_CARRIER,
    trackingNumber: e.trackingNumber ?? SYNTHETIC_TRACKING_NUMBER,
    pieceId: e.pieceId ?? null,
    sourceEventId: `sim-${index}`,
    status: e.status,
    reason: e.reason ?? null,
    actionRequired: false,
    informational: false,
    rawCode: `sim:${e.status}`,
    rawStatus: null,
    message: e.message ?? e.status.replaceAll("_", " "),
    location,
    occurredAt,
    estimatedDelivery,
    signedBy: null,
  };
  const receivedAt = Math.max(instantOf(occurredAt), e.receivedAt ? Date.parse(e.receivedAt) : 0);
  return { event, receivedAt };
}

/** Each scan as its own delivery at `receivedAt` (by default, when it happened); equal times merge. */
function deliveriesOf(items: Array<{ event: ShipmentEvent; receivedAt: number }>): Delivery[] {
  const byTime = new Map<number, ShipmentEvent[]>();
  const sorted = items
    .map((item, i) => ({ ...item, i }))
    .sort(
      (a, b) =>
        a.receivedAt - b.receivedAt ||
        instantOf(a.event.occurredAt) - instantOf(b.event.occurredAt) ||
        a.i - b.i,
    );
  for (const { event, receivedAt } of sorted) {
    const list = byTime.get(receivedAt) ?? [];
    list.push(event);
    byTime.set(receivedAt, list);
  }
  return [...byTime.entries()].map(([receivedAt, events]) => ({ receivedAt, events }));
}

/** The timeline, in any of its forms, as deliveries in the order they reach the engine. */
export function resolveTimeline(timeline: unknown): Delivery[] {
  if (Array.isArray(timeline)) {
    if (timeline.length === 0) throw new SimulationInputError("timeline", "at least one event");
    if (timeline.length > 1000) throw new SimulationInputError("timeline", "at most 1000 events");
    const synthetic = isRecord(timeline[0]) && "at" in timeline[0];
    return deliveriesOf(
      timeline.map((raw, i) => {
        if (synthetic) return syntheticToEvent(raw, i);
        const event = parseWith(ShipmentEventSchema, raw, `timeline.${i}`);
        return { event, receivedAt: instantOf(event.occurredAt) };
      }),
    );
  }
  if (isRecord(timeline) && "named" in timeline) {
    const { named } = parseWith(NamedTimelineSchema, timeline, "timeline");
    const found = namedTimeline(named);
    if (!found)
      throw new SimulationInputError(
        "timeline.named",
        `no synthetic timeline "${named}"; one of ${NAMED_TIMELINE_NAMES.join(", ")}`,
      );
    return resolveTimeline(found.events);
  }
  if (isRecord(timeline) && "source" in timeline) {
    const t = parseWith(PayloadTimelineSchema, timeline, "timeline");
    const source = sourceById(t.source);
    if (!source)
      throw new SimulationInputError(
        "timeline.source",
        `unknown source "${t.source}"; one of ${SOURCE_IDS.join(", ")}`,
      );
    const items: Array<{ event: ShipmentEvent; receivedAt: number }> = [];
    t.payloads.forEach((payload, i) => {
      let events: ShipmentEvent[];
      try {
        events = source.parse(payload);
      } catch (error) {
        throw new SimulationInputError(`timeline.payloads.${i}`, (error as Error).message);
      }
      for (const event of events) {
        const at = instantOf(event.occurredAt);
        items.push({ event, receivedAt: t.receivedAt ? Math.max(at, Date.parse(t.receivedAt)) : at });
      }
    });
    if (items.length === 0)
      throw new SimulationInputError("timeline.payloads", `no scans in the ${source.id} payloads`);
    return deliveriesOf(items);
  }
  throw new SimulationInputError(
    "timeline",
    'an array of events, {source, payloads} or {named}, e.g. {"named": "delayed"}',
  );
}

function parseFlows(flows: readonly unknown[]): VersionedFlow[] {
  return flows.map((raw, i) => {
    if (isRecord(raw) && "definition" in raw && typeof raw.version === "number") {
      return {
        version: raw.version,
        definition: parseWith(FlowDefinitionSchema, raw.definition, `flows.${i}.definition`),
      };
    }
    return { version: 1, definition: parseWith(FlowDefinitionSchema, raw, `flows.${i}`) };
  });
}

function chatFormatOf(provider: string): ChatFormat {
  if (provider === "slack" || provider === "slack-webhook") return "slack";
  if (provider === "teams") return "teams";
  return "plain";
}

function quote(text: string): string {
  return `'${text.length > 80 ? `${text.slice(0, 77)}…` : text}'`;
}

interface ShipmentSim {
  carrier: string;
  trackingNumber: string;
  state: ShipmentState;
  events: Map<string, ShipmentEvent>;
  fired: Set<string>;
}

interface Subject {
  sim: ShipmentSim | null;
  exception?: ShipmentException | null;
  summary?: DailySummaryInput | null;
  order: OrderRow | null;
  /** for webhook and write-back steps */
  changeName: string;
  why: string;
  trigger: FlowChange["kind"];
  stale?: string | null;
}

interface OpenDigest {
  dueAt: number;
  planned: PlannedStep;
  step: Extract<ActionStep, { type: "digest" }>;
  items: Array<{
    key: string;
    variables: Record<string, unknown>;
    why: string;
    at: number;
    order: OrderRow | null;
  }>;
  sim: ShipmentSim | null;
  trigger: FlowChange["kind"];
}

/**
 * Dry-runs flows against a carrier timeline: every message they would send, rendered, with when
 * and why. Pure: no database, no queue. It follows the engine step by step (ingest.ts,
 * fire-exceptions.ts, plan-notifications.ts, digest.ts, delivery-gate.ts): each delivery of scans
 * is applied to the shipment's state and its net status change goes to the flows (stale scans
 * never notify); exceptions are looked for after each delivery and, between deliveries, on the
 * periodic check's minute; delays and business days are counted in the tenant's time zone;
 * throttles count within this run; digests collect and flush at their due time; quiet hours
 * hold non-critical messages; scheduled flows run at their cron's times while the timeline lasts.
 */
export function simulateFlows(input: SimulateFlowsInput): SimulationResult {
  const flows = parseFlows(input.flows);
  const deliveries = resolveTimeline(input.timeline);
  const settings: TenantSettings = input.tenant?.settings ?? {};
  const tenant: TenantRow = {
    id: input.tenant?.id ?? SIM_TENANT,
    name: input.tenant?.name ?? "My shop",
    settings,
    createdAt: new Date(0),
  };
  const timeZone = settings.timeZone ?? "UTC";
  const brand = tenantBrand(tenant);
  const policy: ExceptionPolicy = {
    ...DEFAULT_EXCEPTION_POLICY,
    stalledAfterHours: { ...DEFAULT_EXCEPTION_POLICY.stalledAfterHours, ...settings.stalledAfterHours },
  };
  const connections = new Map((input.channels ?? []).map((c) => [c.name, c]));
  const unsubscribeUrl = `${(input.publicUrl ?? "https://trackflow.invalid").replace(/\/+$/, "")}/u/simulated`;

  const orderInput = input.order ? parseWith(SimulationOrderSchema, input.order, "order") : null;
  const customerInput = input.customer
    ? parseWith(SimulationCustomerSchema, input.customer, "customer")
    : null;
  const customer: OrderCustomer = customerInput ?? orderInput?.customer ?? SAMPLE_CUSTOMER;
  let order: OrderRow = {
    id: "ord_simulated",
    tenantId: tenant.id,
    source: "simulation",
    externalId: orderInput?.externalId ?? orderInput?.number ?? "1001",
    status: "received",
    customer,
    data: {
      orderNumber: orderInput?.number ?? orderInput?.externalId ?? "1001",
      tags: orderInput?.tags ?? [],
      totalValue: orderInput?.totalValue ?? null,
    },
    lines: orderInput?.lines ?? [],
    updatedAt: new Date(0),
  };
  const destinationCountry = orderInput?.destinationCountry ?? null;

  const first = deliveries[0]!.receivedAt;
  const last = deliveries[deliveries.length - 1]!.receivedAt;
  const until = input.now ? input.now.getTime() : last + DEFAULT_TAIL_MS;
  if (until < first) throw new SimulationInputError("now", "before the first event of the timeline");

  const shipments = new Map<string, ShipmentSim>();
  const messages: Array<SimulatedMessage & { seq: number }> = [];
  const throttlePasses = new Map<string, number[]>();
  const digests = new Map<string, OpenDigest>();
  let seq = 0;

  const rollup = (at: number): OrderStatus =>
    rollupOrder(
      {
        cancelled: false,
        hold: null,
        returned: false,
        processing: false,
        lines: order.lines,
        shipments: [...shipments.values()].map((s) => s.state),
      },
      new Date(at),
    );
  order = { ...order, status: rollup(first) };

  const iso = (ms: number) => new Date(ms).toISOString();
  const emit = (m: Omit<SimulatedMessage, "at" | "changedAt"> & { at: number; changedAt: number }) =>
    messages.push({ ...m, at: iso(m.at), changedAt: iso(m.changedAt), seq: seq++ });

  const lastEventOf = (sim: ShipmentSim | null) => {
    if (!sim) return null;
    const t = sim.state.timeline;
    const latest = t.findLast((e) => !e.informational) ?? t[t.length - 1];
    return (latest && sim.events.get(latest.fingerprint)) ?? null;
  };

  const variablesFor = (subject: Subject) =>
    messageVariables({
      tenantName: tenant.name,
      brand,
      shipment: subject.sim?.state ?? null,
      lastEvent: lastEventOf(subject.sim),
      order: subject.order,
      exception: subject.exception ?? null,
      summary: subject.summary ?? null,
    });

  const templateFor = (templateId: string, kind: string, locale: string | null | undefined) => {
    const locales = localeChain(locale);
    for (const l of locales) {
      const own = input.templates?.find(
        (t) => t.id === templateId && (t.channel ?? "email") === kind && (t.locale ?? "en") === l,
      );
      if (own)
        return { subject: own.subject ?? null, text: own.text, html: own.html ?? null } as MessageTemplate;
    }
    return defaultTemplate(templateId, kind, locales);
  };

  const render = (
    step: ActionStep,
    connection: ChannelConnection,
    recipient: NotificationRecipient,
    variables: object,
    changeName: string,
  ): { subject: string | null; text: string; html?: string } | { error: string } => {
    if (step.type === "webhook" || step.type === "writeback") return { subject: null, text: changeName };
    const template = templateFor(step.template, connection.kind, recipient.locale);
    if (!template) return { error: `no template named "${step.template}"` };
    try {
      const r = renderNotification({
        template,
        kind: connection.kind,
        variables,
        brand,
        unsubscribeUrl,
        chatFormat: chatFormatOf(connection.provider),
        locale: recipient.locale ?? null,
      });
      return { subject: r.subject ?? null, text: r.text, ...(r.html ? { html: r.html } : {}) };
    } catch (error) {
      return { error: (error as Error).message };
    }
  };

  /** Quiet hours in the recipient's zone, unless critical (delivery-gate.ts; no stored preferences here). */
  const gate = (earliest: number, recipient: NotificationRecipient, critical: boolean) => {
    if (critical || !settings.quietHours) return { at: earliest, held: null };
    const zone = recipient.timeZone ?? timeZone;
    const at = quietHoursRelease(new Date(earliest), settings.quietHours, zone).getTime();
    return {
      at,
      held:
        at > earliest ? `quiet hours ${settings.quietHours.from}–${settings.quietHours.to} (${zone})` : null,
    };
  };

  const throttleKeyOf = (per: string, sim: ShipmentSim | null, address: string) =>
    per === "recipient"
      ? `recipient:${address.toLowerCase()}`
      : per === "shipment"
        ? `shipment:${sim ? `${sim.carrier}/${sim.trackingNumber}` : "-"}`
        : per === "order"
          ? `order:${order.id}`
          : "tenant";

  const firstClosedThrottle = (p: PlannedStep, sim: ShipmentSim | null, address: string, now: number) => {
    for (const t of p.throttles) {
      const key = `${p.flowId}\u0000${t.id}\u0000${throttleKeyOf(t.per, sim, address)}`;
      const windowStart = now - durationMs(t.window);
      const passes = (throttlePasses.get(key) ?? []).filter((at) => at > windowStart);
      if (passes.length >= t.max) return t;
      passes.push(now);
      throttlePasses.set(key, passes);
    }
    return null;
  };

  const shipmentRef = (sim: ShipmentSim | null) =>
    sim ? { carrier: sim.carrier, trackingNumber: sim.trackingNumber } : null;

  /** plan-notifications.ts, in memory. */
  const perform = (planned: readonly PlannedStep[], at: number, subject: Subject) => {
    if (planned.length === 0) return;
    const variables = variablesFor(subject);
    for (const p of planned) {
      const connection = connections.get(p.step.channel) ?? previewConnection(p.step.channel);
      const notBefore = afterDelays(p.delays, new Date(at), timeZone).getTime();
      const base = {
        changedAt: at,
        flowId: p.flowId,
        flowVersion: p.flowVersion,
        stepId: p.step.id,
        stepType: p.step.type,
        trigger: subject.trigger,
        why: subject.why,
        shipment: shipmentRef(subject.sim),
        channel: connection.name,
        channelKind: connection.kind,
      };
      const delayed =
        notBefore > at
          ? `after ${p.delays.map((d) => d.duration ?? `${d.businessDays} business days`).join(" + ")}`
          : null;
      if (p.step.type === "digest" && !subject.stale) {
        collect(p, p.step, subject, variables, notBefore, at);
        continue;
      }
      const recipients = recipientsOf(p.step, connection, { tenant, order: subject.order });
      if (recipients.length === 0) {
        emit({
          ...base,
          at,
          to: "",
          subject: null,
          text: "",
          suppressed: true,
          reason: subject.stale ?? "no recipient address for this channel",
        });
        continue;
      }
      for (const recipient of recipients) {
        const content = render(p.step, connection, recipient, variables, subject.changeName);
        const shown = "error" in content ? { subject: null, text: "" } : content;
        if (subject.stale) {
          emit({ ...base, ...shown, at, to: recipient.address, suppressed: true, reason: subject.stale });
          continue;
        }
        const throttle = firstClosedThrottle(p, subject.sim, recipient.address, at);
        if (throttle) {
          emit({
            ...base,
            ...shown,
            at,
            to: recipient.address,
            throttled: true,
            reason: `throttle "${throttle.id}": at most ${throttle.max} per ${throttle.per} in ${throttle.window}`,
          });
          continue;
        }
        if ("error" in content) {
          emit({ ...base, ...shown, at, to: recipient.address, suppressed: true, reason: content.error });
          continue;
        }
        const g = gate(notBefore, recipient, p.critical);
        const reasons = [delayed, g.held].filter((r): r is string => r !== null);
        emit({
          ...base,
          ...content,
          at: g.at,
          to: recipient.address,
          ...(g.held ? { held: true as const } : {}),
          ...(reasons.length > 0 ? { reason: reasons.join("; ") } : {}),
        });
      }
    }
  };

  /** digest.ts collectIntoDigest, in memory. */
  const collect = (
    p: PlannedStep,
    step: Extract<ActionStep, { type: "digest" }>,
    subject: Subject,
    variables: Record<string, unknown>,
    notBefore: number,
    at: number,
  ) => {
    const shipmentId = subject.sim ? `${subject.sim.carrier}/${subject.sim.trackingNumber}` : null;
    const digestKey =
      step.per === "order"
        ? `order:${subject.order?.id ?? `shipment:${shipmentId}`}`
        : step.per === "shipment"
          ? `shipment:${shipmentId ?? "-"}`
          : "tenant";
    const key = `${p.flowId}\u0000${step.id}\u0000${digestKey}`;
    let open = digests.get(key);
    if (!open) {
      const dueAt =
        step.window !== undefined
          ? notBefore + durationMs(step.window)
          : nextCronTime(step.untilCron!, timeZone, new Date(notBefore)).getTime();
      open = { dueAt, planned: p, step, items: [], sim: subject.sim, trigger: subject.trigger };
      digests.set(key, open);
    }
    if (open.items.some((i) => i.key === p.idempotencyKey)) return;
    open.items.push({
      key: p.idempotencyKey,
      variables: { ...variables, orderId: subject.order?.id ?? null, shipmentId },
      why: subject.why,
      at,
      order: subject.order,
    });
  };

  /** digest.ts flushDueDigest, in memory. */
  const flush = (key: string, digest: OpenDigest) => {
    digests.delete(key);
    const { step, planned: p, items } = digest;
    const latest = items[items.length - 1]!;
    const variables = {
      ...latest.variables,
      digest: { count: items.length, items: items.map((i) => i.variables) },
    };
    const connection = connections.get(step.channel) ?? previewConnection(step.channel);
    const why = `digest of ${items.length} change${items.length === 1 ? "" : "s"} per ${step.per}: ${items.map((i) => i.why).join("; ")}`;
    const base = {
      changedAt: items[0]!.at,
      flowId: p.flowId,
      flowVersion: p.flowVersion,
      stepId: step.id,
      stepType: step.type,
      trigger: digest.trigger,
      why,
      shipment: items.length === 1 ? shipmentRef(digest.sim) : null,
      channel: connection.name,
      channelKind: connection.kind,
      digested: true as const,
    };
    const collected = `collected ${items.length} change${items.length === 1 ? "" : "s"} until ${iso(digest.dueAt)}`;
    const recipients = recipientsOf(step, connection, { tenant, order: latest.order });
    if (recipients.length === 0)
      emit({
        ...base,
        at: digest.dueAt,
        to: "",
        subject: null,
        text: "",
        suppressed: true,
        reason: "no recipient address for this channel",
      });
    for (const recipient of recipients) {
      const content = render(step, connection, recipient, variables, "digest");
      if ("error" in content) {
        emit({
          ...base,
          at: digest.dueAt,
          to: recipient.address,
          subject: null,
          text: "",
          suppressed: true,
          reason: content.error,
        });
        continue;
      }
      const g = gate(digest.dueAt, recipient, p.critical);
      emit({
        ...base,
        ...content,
        at: g.at,
        to: recipient.address,
        ...(g.held ? { held: true as const } : {}),
        reason: [collected, g.held].filter(Boolean).join("; "),
      });
    }
  };

  const contextOf = (sim: ShipmentSim, status: string) =>
    flowContext(
      { carrier: sim.carrier, destinationCountry, state: { status } } as unknown as ShipmentRow,
      order,
    );

  const many = () => shipments.size > 1;
  const label = (sim: ShipmentSim) => (many() ? ` ${sim.trackingNumber}` : "");

  /** fire-exceptions.ts: each condition once per shipment. */
  const fireExceptions = (sim: ShipmentSim, at: number, how: string) => {
    const context = contextOf(sim, sim.state.status);
    for (const exception of detectExceptions(sim.state, new Date(at), policy)) {
      if (sim.fired.has(exception.key)) continue;
      sim.fired.add(exception.key);
      const change: FlowChange = { kind: "exception", exception, key: `exception:${exception.key}` };
      const steps = planFlowSteps(
        tenant.id,
        `shipment:${sim.carrier}/${sim.trackingNumber}`,
        flows,
        change,
        context,
      );
      perform(steps, at, {
        sim,
        exception,
        order,
        changeName: "shipment.exception",
        trigger: "exception",
        why: `exception ${exception.kind}${label(sim)}: ${exception.detail} (${how})`,
      });
    }
  };

  const rollUp = (at: number, sim: ShipmentSim, cause: string) => {
    const status = rollup(at);
    if (status === order.status) return;
    const from = order.status;
    order = { ...order, status };
    const change: FlowChange = { kind: "order_status", from, to: status, key: `order:${status}:${cause}` };
    const steps = planFlowSteps(
      tenant.id,
      `order:${order.id}`,
      flows,
      change,
      contextOf(sim, sim.state.status),
    );
    perform(steps, at, {
      sim,
      order,
      changeName: "order.status_changed",
      trigger: "order_status",
      why: `order ${from} → ${status}`,
    });
  };

  /** ingest.ts, one delivery. */
  const ingest = (delivery: Delivery) => {
    const at = delivery.receivedAt;
    const groups = Map.groupBy(delivery.events, (e) => `${e.carrier}\u0000${e.trackingNumber}`);
    for (const key of [...groups.keys()].sort()) {
      const events = groups.get(key)!;
      const firstEvent = events[0]!;
      let sim = shipments.get(key);
      if (!sim) {
        sim = {
          carrier: firstEvent.carrier,
          trackingNumber: firstEvent.trackingNumber,
          state: initialShipmentState(firstEvent.carrier, firstEvent.trackingNumber),
          events: new Map(),
          fired: new Set(),
        };
        shipments.set(key, sim);
      }
      const before = sim.state;
      const transitions: StatusTransition[] = [];
      let accepted = 0;
      let lastFingerprint = "";
      for (const event of events) {
        const applied = applyEvent(sim.state, event);
        if (applied.duplicate) continue;
        accepted++;
        sim.state = applied.state;
        lastFingerprint = applied.fingerprint;
        sim.events.set(applied.fingerprint, event);
        transitions.push(...applied.transitions);
      }
      if (accepted === 0) continue;
      // as in ingest.ts: conditions see the shipment as this delivery leaves it
      const context = contextOf(sim, sim.state.status);
      const lastShipmentChange = transitions.findLast((t) => t.scope === "shipment");
      const net = lastShipmentChange
        ? transitionsBetween(before, sim.state, lastShipmentChange.fingerprint).filter(
            (t) => t.scope === "shipment",
          )
        : [];
      for (const transition of net) {
        const cause = sim.events.get(transition.fingerprint);
        const stale = staleness(cause, at);
        const change: FlowChange = {
          kind: "shipment_status",
          transition,
          key: `status:${transition.to}:${transition.reason ?? ""}:${transition.fingerprint}`,
        };
        const steps = planFlowSteps(
          tenant.id,
          `shipment:${sim.carrier}/${sim.trackingNumber}`,
          flows,
          change,
          context,
        );
        const reason = transition.reason ? ` (${transition.reason})` : "";
        const event = cause ? ` (event ${quote(cause.message)}, ${formatEventTime(cause.occurredAt)})` : "";
        perform(steps, at, {
          sim,
          order,
          changeName: "shipment.status_changed",
          trigger: "shipment_status",
          why: `shipment${label(sim)} ${transition.from} → ${transition.to}${reason}${event}`,
          stale,
        });
      }
      fireExceptions(sim, at, "on this scan");
      rollUp(at, sim, lastFingerprint);
    }
  };

  const staleness = (cause: ShipmentEvent | undefined, at: number): string | null => {
    const hours = settings.staleEventHours;
    if (hours === undefined || cause === undefined) return null;
    const age = at - instantOf(cause.occurredAt);
    if (age <= hours * HOUR) return null;
    return `stale: the event is ${Math.floor(age / HOUR)} hours old when it arrives (limit ${hours}); history never notifies`;
  };

  // scheduled flows: their times from the first scan to the first time after the last one
  const schedules = flows
    .filter((f) => f.definition.enabled && f.definition.trigger.type === "schedule")
    .map((f) => {
      const trigger = f.definition.trigger as Extract<FlowDefinition["trigger"], { type: "schedule" }>;
      const zone = trigger.timeZone ?? timeZone;
      const end = Math.min(until, nextCronTime(trigger.cron, zone, new Date(last)).getTime());
      return {
        flow: f,
        cron: trigger.cron,
        zone,
        end,
        next: nextCronTime(trigger.cron, zone, new Date(first)).getTime(),
      };
    });

  const runSchedule = (s: (typeof schedules)[number], at: number) => {
    const change: FlowChange = { kind: "schedule", flowId: s.flow.definition.id, key: `schedule:${iso(at)}` };
    const steps = planFlowSteps(tenant.id, `tenant:${tenant.id}`, flows, change, flowContext(null, null));
    const date = new Intl.DateTimeFormat("en-CA", { timeZone: s.zone }).format(new Date(at));
    perform(steps, at, {
      sim: null,
      order: null,
      summary: {
        date,
        shipments: [...shipments.values()].map((sim) => ({
          trackingNumber: sim.trackingNumber,
          carrier: sim.carrier,
          status: sim.state.status,
          orderNumber: order.data.orderNumber ?? null,
          estimatedDelivery: sim.state.estimatedDelivery,
        })),
      },
      changeName: "flow.scheduled",
      trigger: "schedule",
      why: `schedule "${s.cron}" (${s.zone}) at ${iso(at)}`,
    });
  };

  /** The first minute in (from, to) at which the periodic check finds a new exception. */
  const nextTimedException = (sim: ShipmentSim, from: number, to: number): number | null => {
    if (CLOSED.has(sim.state.status) || sim.state.timeline.length === 0) return null;
    const hasNew = (t: number) =>
      detectExceptions(sim.state, new Date(t), policy).some((e) => !sim.fired.has(e.key));
    let lo = Math.floor(from / CHECK_INTERVAL_MS) + 1;
    let hi = Math.ceil(to / CHECK_INTERVAL_MS) - 1;
    if (lo > hi || !hasNew(hi * CHECK_INTERVAL_MS)) return null;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (hasNew(mid * CHECK_INTERVAL_MS)) hi = mid;
      else lo = mid + 1;
    }
    return lo * CHECK_INTERVAL_MS;
  };

  /** Lets time pass up to `to` (exclusive): digests flush, schedules run, the periodic check fires. */
  let clock = first - 1;
  const advance = (to: number, inclusive: boolean) => {
    for (;;) {
      const limit = inclusive ? to + 1 : to;
      let nextAt = Number.POSITIVE_INFINITY;
      let action: (() => void) | null = null;
      for (const [key, digest] of digests) {
        if (digest.dueAt < limit && digest.dueAt < nextAt) {
          nextAt = digest.dueAt;
          action = () => flush(key, digest);
        }
      }
      for (const s of schedules) {
        if (s.next <= s.end && s.next < limit && s.next < nextAt) {
          const at = s.next;
          nextAt = at;
          action = () => {
            s.next = nextCronTime(s.cron, s.zone, new Date(at)).getTime();
            runSchedule(s, at);
          };
        }
      }
      for (const sim of shipments.values()) {
        const found = nextTimedException(sim, clock, Math.min(limit, nextAt));
        if (found !== null && found < nextAt) {
          nextAt = found;
          action = () => fireExceptions(sim, found, "found by the periodic check");
        }
      }
      if (action === null) return;
      clock = nextAt;
      action();
    }
  };

  for (const delivery of deliveries) {
    advance(delivery.receivedAt, false);
    clock = delivery.receivedAt;
    ingest(delivery);
  }
  advance(until, true);

  messages.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.seq - b.seq);
  return {
    messages: messages.map(({ seq: _seq, ...m }) => m),
    shipments: [...shipments.values()].map((s) => ({
      carrier: s.carrier,
      trackingNumber: s.trackingNumber,
      status: s.state.status,
      events: s.state.timeline.length,
    })),
    from: iso(first),
    until: iso(until),
  };
}
