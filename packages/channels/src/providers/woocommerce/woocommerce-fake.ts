import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import type { LoopbackReply, LoopbackRequest, LoopbackServer } from "../../testing/loopback-server.ts";
import { startLoopbackServer } from "../../testing/loopback-server.ts";
import { LOOPBACK_TLS } from "./loopback-tls.ts";

/** A REST API key as WooCommerce > Settings > Advanced > REST API makes it. */
export interface FakeWooKey {
  consumerKey: string;
  consumerSecret: string;
  permissions: "read" | "write" | "read_write";
}

/** A webhook as `/wp-json/wc/v3/webhooks` shows it, plus the failure count WooCommerce keeps. */
export interface FakeWooWebhook {
  id: number;
  name: string;
  status: "active" | "paused" | "disabled";
  topic: string;
  delivery_url: string;
  secret: string;
  failureCount: number;
}

/** A delivery the shop made (or tried): what was sent and how the receiver answered. */
export interface FakeWooDelivery {
  webhookId: number;
  deliveryId: string;
  topic: string;
  headers: Record<string, string>;
  body: string;
  status: number | null;
}

export type WooOrderJson = Record<string, unknown> & { id: number; status: string };

export interface FakeWoo {
  readonly server: LoopbackServer;
  /** the store URL ("http://127.0.0.1:<port>", "https://…" with `https`) */
  readonly url: string;
  readonly orders: Map<number, WooOrderJson>;
  readonly webhooks: Map<number, FakeWooWebhook>;
  readonly notes: Array<{ orderId: number; id: number; note: string; customer_note: boolean }>;
  readonly deliveries: FakeWooDelivery[];
  /** the save-time pings sent to delivery URLs, with the receiver's status */
  readonly pings: Array<{ webhookId: number; url: string; body: string; status: number | null }>;
  /** "plain" permalinks: /wp-json/ is no route (404 HTML page), as on a site that never set them */
  permalinks: "pretty" | "plain";
  /** the next N deliveries are lost on the way (WooCommerce does not retry) */
  loseNextDeliveries(count: number): void;
  /** creates an order as checkout would, and fires order.created */
  createOrder(order: Partial<WooOrderJson> & { status: string }): Promise<WooOrderJson>;
  /** changes an order (date_modified moves on), and fires order.updated */
  updateOrder(id: number, changes: Partial<WooOrderJson>): Promise<WooOrderJson>;
  /** deletes an order for good, and fires order.deleted with `{"id": N}` */
  deleteOrder(id: number): Promise<void>;
  close(): Promise<void>;
}

export interface FakeWooOptions {
  keys: FakeWooKey[];
  /** serve HTTPS (Basic auth) instead of HTTP (OAuth 1.0a) */
  https?: boolean;
  /** the shop's clock (order dates, OAuth timestamp window) */
  now: () => Date;
  /** how many failed deliveries in a row disable a webhook (WooCommerce's default: more than 5) */
  maxDeliveryFailures?: number;
}

class WpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** WooCommerce's date format: local (here UTC) time without offset. */
const wooDate = (date: Date) => date.toISOString().slice(0, 19);

/** RFC 3986 encoding, written out on its own so the check does not share the client's code. */
function rfc3986(text: string): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/**
 * A WooCommerce shop on loopback that enforces what the real one does: over HTTPS, REST keys as
 * Basic auth (or consumer_key/consumer_secret query parameters); over HTTP, only OAuth 1.0a
 * signatures in the query (HMAC-SHA1/256, 15-minute timestamp window, nonces used once), a wrong
 * signature refused; read-only keys refused on writes; `per_page` at most 100 and the
 * X-WP-Total/X-WP-TotalPages headers; webhooks created through the API (a ping on activation),
 * signed deliveries (base64 HMAC-SHA256 of the body) with delivery ids, disabled after repeated
 * failures; order notes; the Shipment Tracking extension's REST route over the
 * `_wc_shipment_tracking_items` meta the Advanced Shipment Tracking plugin shares.
 */
export async function startFakeWoo(options: FakeWooOptions): Promise<FakeWoo> {
  const server = await startLoopbackServer(options.https ? { tls: LOOPBACK_TLS } : {});
  const orders = new Map<number, WooOrderJson>();
  const webhooks = new Map<number, FakeWooWebhook>();
  const notes: FakeWoo["notes"] = [];
  const deliveries: FakeWooDelivery[] = [];
  const pings: FakeWoo["pings"] = [];
  const usedNonces = new Set<string>();
  const maxFailures = options.maxDeliveryFailures ?? 5;
  let nextOrderId = 100;
  let nextWebhookId = 1;
  let nextNoteId = 1;
  let lose = 0;

  const authenticate = (request: LoopbackRequest): FakeWooKey => {
    const url = new URL(request.path, server.url);
    for (const [k, v] of Object.entries(request.query)) url.searchParams.set(k, v);
    if (options.https) {
      let key = request.query.consumer_key;
      let secret = request.query.consumer_secret;
      const basic = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? "");
      if (basic) {
        const decoded = Buffer.from(basic[1]!, "base64").toString("utf8");
        const colon = decoded.indexOf(":");
        key = decoded.slice(0, colon);
        secret = decoded.slice(colon + 1);
      }
      if (!key || !secret)
        throw new WpError(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.");
      const found = options.keys.find((k) => k.consumerKey === key);
      if (!found) throw new WpError(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.");
      if (found.consumerSecret !== secret)
        throw new WpError(401, "woocommerce_rest_authentication_error", "Consumer secret is invalid.");
      return found;
    }
    // plain HTTP: WooCommerce ignores Basic auth and accepts only OAuth 1.0a
    const params = { ...request.query };
    if (!params.oauth_consumer_key) {
      throw new WpError(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.");
    }
    for (const name of [
      "oauth_consumer_key",
      "oauth_timestamp",
      "oauth_nonce",
      "oauth_signature",
      "oauth_signature_method",
    ]) {
      if (!params[name])
        throw new WpError(401, "woocommerce_rest_authentication_error", `${name} parameter is missing.`);
    }
    const found = options.keys.find((k) => k.consumerKey === params.oauth_consumer_key);
    if (!found) throw new WpError(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.");
    const method = params.oauth_signature_method!;
    if (method !== "HMAC-SHA1" && method !== "HMAC-SHA256")
      throw new WpError(
        401,
        "woocommerce_rest_authentication_error",
        "Invalid signature - signature method is invalid.",
      );
    const offered = params.oauth_signature!;
    delete params.oauth_signature;
    const normalized = Object.keys(params)
      .map((name) => [rfc3986(name), rfc3986(params[name]!)] as [string, string])
      .sort((a, b) => (a[0] === b[0] ? a[1].localeCompare(b[1]) : a[0] < b[0] ? -1 : 1))
      .map(([name, value]) => `${name}=${value}`)
      .join("&");
    const base = `${request.method.toUpperCase()}&${rfc3986(`${url.origin}${url.pathname}`)}&${rfc3986(normalized)}`;
    const expected = createHmac(method === "HMAC-SHA1" ? "sha1" : "sha256", `${found.consumerSecret}&`)
      .update(base)
      .digest("base64");
    const a = Buffer.from(expected);
    const b = Buffer.from(offered);
    if (a.length !== b.length || !timingSafeEqual(a, b))
      throw new WpError(
        401,
        "woocommerce_rest_authentication_error",
        "Invalid signature - provided signature does not match.",
      );
    const drift = Math.abs(options.now().getTime() / 1000 - Number(params.oauth_timestamp));
    if (!(drift <= 15 * 60))
      throw new WpError(401, "woocommerce_rest_authentication_error", "Invalid timestamp.");
    const nonceKey = `${found.consumerKey}:${params.oauth_timestamp}:${params.oauth_nonce}`;
    if (usedNonces.has(nonceKey))
      throw new WpError(
        401,
        "woocommerce_rest_authentication_error",
        "Invalid nonce - nonce has already been used.",
      );
    usedNonces.add(nonceKey);
    return found;
  };

  const writable = (key: FakeWooKey) => {
    if (key.permissions === "read")
      throw new WpError(
        401,
        "woocommerce_rest_authentication_error",
        "The API key provided does not have write permissions.",
      );
  };

  const route = (
    method: string,
    path: string,
    handler: (request: LoopbackRequest, key: FakeWooKey) => LoopbackReply | Promise<LoopbackReply>,
  ) => {
    server.route(method, path, async (request) => {
      if (fake.permalinks === "plain") {
        return {
          status: 404,
          headers: { "Content-Type": "text/html; charset=UTF-8" },
          body: "<!DOCTYPE html><title>Page not found</title>",
        };
      }
      try {
        const key = authenticate(request);
        if (method !== "GET") writable(key);
        return await handler(request, key);
      } catch (error) {
        if (error instanceof WpError)
          return {
            status: error.status,
            body: { code: error.code, message: error.message, data: { status: error.status } },
          };
        throw error;
      }
    });
  };

  const orderOr404 = (id: string | undefined): WooOrderJson => {
    const order = orders.get(Number(id));
    if (!order) throw new WpError(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.");
    return order;
  };
  const json = (request: LoopbackRequest): Record<string, unknown> => {
    if (request.json === undefined || typeof request.json !== "object" || request.json === null)
      throw new WpError(400, "rest_invalid_json", "Invalid JSON body passed.");
    return request.json as Record<string, unknown>;
  };

  const deliver = async (topic: string, payload: object) => {
    const body = JSON.stringify(payload);
    for (const hook of webhooks.values()) {
      if (hook.topic !== topic || hook.status !== "active") continue;
      const deliveryId = randomUUID();
      const headers: Record<string, string> = {
        "Content-Type": "application/json",
        "User-Agent": "WooCommerce/9.8.1 Hookshot (WordPress/6.8)",
        "X-WC-Webhook-Source": `${server.url}/`,
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Resource": topic.split(".")[0]!,
        "X-WC-Webhook-Event": topic.split(".")[1]!,
        "X-WC-Webhook-Signature": createHmac("sha256", hook.secret).update(body).digest("base64"),
        "X-WC-Webhook-ID": String(hook.id),
        "X-WC-Webhook-Delivery-ID": deliveryId,
      };
      const record: FakeWooDelivery = { webhookId: hook.id, deliveryId, topic, headers, body, status: null };
      deliveries.push(record);
      if (lose > 0) {
        lose--;
        continue;
      }
      try {
        const response = await fetch(hook.delivery_url, { method: "POST", headers, body });
        record.status = response.status;
        await response.arrayBuffer();
      } catch {
        record.status = null;
      }
      if (record.status !== null && record.status >= 200 && record.status < 300) hook.failureCount = 0;
      else if (++hook.failureCount > maxFailures) hook.status = "disabled";
    }
  };

  const ping = async (hook: FakeWooWebhook) => {
    const body = `webhook_id=${hook.id}`;
    let status: number | null = null;
    try {
      const response = await fetch(hook.delivery_url, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body,
      });
      status = response.status;
      await response.arrayBuffer();
    } catch {
      status = null;
    }
    pings.push({ webhookId: hook.id, url: hook.delivery_url, body, status });
  };

  const showWebhook = (hook: FakeWooWebhook) => ({
    id: hook.id,
    name: hook.name,
    status: hook.status,
    topic: hook.topic,
    resource: hook.topic.split(".")[0],
    event: hook.topic.split(".")[1],
    delivery_url: hook.delivery_url,
  });

  route("GET", "/wp-json/wc/v3/orders", (request) => {
    const perPage = Number(request.query.per_page ?? 10);
    const page = Number(request.query.page ?? 1);
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100)
      throw new WpError(400, "rest_invalid_param", "Invalid parameter(s): per_page");
    if (!Number.isInteger(page) || page < 1)
      throw new WpError(400, "rest_invalid_param", "Invalid parameter(s): page");
    let rows = [...orders.values()];
    const after = request.query.modified_after;
    if (after !== undefined) {
      const since = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(after) ? after : `${after}Z`);
      if (Number.isNaN(since))
        throw new WpError(400, "rest_invalid_param", "Invalid parameter(s): modified_after");
      rows = rows.filter((o) => Date.parse(`${o.date_modified_gmt as string}Z`) > since);
    }
    const before = request.query.before;
    if (before !== undefined) {
      const until = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(before) ? before : `${before}Z`);
      rows = rows.filter((o) => Date.parse(`${o.date_created_gmt as string}Z`) < until);
    }
    const orderby = request.query.orderby ?? "date";
    const field = orderby === "modified" ? "date_modified_gmt" : orderby === "id" ? "id" : "date_created_gmt";
    rows.sort(
      (a, b) => String(a[field]).localeCompare(String(b[field]), "en", { numeric: true }) || a.id - b.id,
    );
    if ((request.query.order ?? "desc") === "desc") rows.reverse();
    const totalPages = Math.max(1, Math.ceil(rows.length / perPage));
    return {
      status: 200,
      headers: { "X-WP-Total": String(rows.length), "X-WP-TotalPages": String(totalPages) },
      body: rows.slice((page - 1) * perPage, page * perPage),
    };
  });
  route("GET", "/wp-json/wc/v3/orders/:id", (request) => ({
    status: 200,
    body: orderOr404(request.params.id),
  }));
  route("PUT", "/wp-json/wc/v3/orders/:id", async (request) => {
    orderOr404(request.params.id);
    const changes = json(request);
    return {
      status: 200,
      body: await fake.updateOrder(Number(request.params.id), changes as Partial<WooOrderJson>),
    };
  });
  route("POST", "/wp-json/wc/v3/orders/:id/notes", (request) => {
    const order = orderOr404(request.params.id);
    const body = json(request);
    if (typeof body.note !== "string" || body.note === "")
      throw new WpError(400, "rest_missing_callback_param", "Missing parameter(s): note");
    const note = {
      orderId: order.id,
      id: nextNoteId++,
      note: body.note,
      customer_note: body.customer_note === true,
    };
    notes.push(note);
    return {
      status: 201,
      body: {
        id: note.id,
        author: "system",
        date_created: wooDate(options.now()),
        note: note.note,
        customer_note: note.customer_note,
      },
    };
  });
  route("GET", "/wp-json/wc/v3/webhooks", () => ({
    status: 200,
    body: [...webhooks.values()].map(showWebhook),
  }));
  route("GET", "/wp-json/wc/v3/webhooks/:id", (request) => {
    const hook = webhooks.get(Number(request.params.id));
    if (!hook) throw new WpError(404, "woocommerce_rest_webhook_invalid_id", "Invalid ID.");
    return { status: 200, body: showWebhook(hook) };
  });
  route("POST", "/wp-json/wc/v3/webhooks", async (request) => {
    const body = json(request);
    const topics = ["order.created", "order.updated", "order.deleted", "order.restored"];
    if (typeof body.topic !== "string" || !topics.includes(body.topic))
      throw new WpError(400, "rest_invalid_param", "Invalid parameter(s): topic");
    if (typeof body.delivery_url !== "string" || !URL.canParse(body.delivery_url))
      throw new WpError(400, "rest_invalid_param", "Invalid parameter(s): delivery_url");
    const hook: FakeWooWebhook = {
      id: nextWebhookId++,
      name: typeof body.name === "string" ? body.name : `Webhook created on ${wooDate(options.now())}`,
      status: body.status === "paused" || body.status === "disabled" ? body.status : "active",
      topic: body.topic,
      delivery_url: body.delivery_url,
      secret: typeof body.secret === "string" && body.secret !== "" ? body.secret : randomUUID(),
      failureCount: 0,
    };
    webhooks.set(hook.id, hook);
    if (hook.status === "active") await ping(hook);
    return { status: 201, body: showWebhook(hook) };
  });
  route("PUT", "/wp-json/wc/v3/webhooks/:id", (request) => {
    const hook = webhooks.get(Number(request.params.id));
    if (!hook) throw new WpError(404, "woocommerce_rest_webhook_invalid_id", "Invalid ID.");
    const body = json(request);
    if (body.status === "active" || body.status === "paused" || body.status === "disabled") {
      hook.status = body.status;
      if (body.status === "active") hook.failureCount = 0;
    }
    return { status: 200, body: showWebhook(hook) };
  });
  route("DELETE", "/wp-json/wc/v3/webhooks/:id", (request) => {
    const hook = webhooks.get(Number(request.params.id));
    if (!hook) throw new WpError(404, "woocommerce_rest_webhook_invalid_id", "Invalid ID.");
    if (request.query.force !== "true")
      throw new WpError(501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.");
    webhooks.delete(hook.id);
    return { status: 200, body: showWebhook(hook) };
  });
  route("GET", "/wp-json/wc-shipment-tracking/v3/orders/:id/shipment-trackings", (request) => {
    const order = orderOr404(request.params.id);
    const meta = (order.meta_data as Array<{ key: string; value: unknown }> | undefined) ?? [];
    const items =
      (meta.find((m) => m.key === "_wc_shipment_tracking_items")?.value as Array<Record<string, unknown>>) ??
      [];
    return {
      status: 200,
      body: items.map((item) => ({
        tracking_id: item.tracking_id,
        tracking_provider: item.custom_tracking_provider || item.tracking_provider,
        tracking_link: item.custom_tracking_link ?? "",
        tracking_number: item.tracking_number,
        date_shipped: item.date_shipped
          ? new Date(Number(item.date_shipped) * 1000).toISOString().slice(0, 10)
          : "",
      })),
    };
  });

  const fake: FakeWoo = {
    server,
    url: server.url,
    orders,
    webhooks,
    notes,
    deliveries,
    pings,
    permalinks: "pretty",
    loseNextDeliveries(count) {
      lose += count;
    },
    async createOrder(input) {
      const now = wooDate(options.now());
      const order: WooOrderJson = {
        number: "",
        currency: "USD",
        total: "0.00",
        billing: {},
        shipping: {},
        line_items: [],
        meta_data: [],
        ...input,
        id: input.id ?? nextOrderId++,
        date_created_gmt: (input.date_created_gmt as string | undefined) ?? now,
        date_modified_gmt: now,
      };
      if (order.number === "") order.number = String(order.id);
      orders.set(order.id, order);
      await deliver("order.created", order);
      return order;
    },
    async updateOrder(id, changes) {
      const order = orders.get(id);
      if (!order) throw new Error(`no order ${id}`);
      Object.assign(order, changes, { id, date_modified_gmt: wooDate(options.now()) });
      await deliver("order.updated", order);
      return order;
    },
    async deleteOrder(id) {
      orders.delete(id);
      await deliver("order.deleted", { id });
    },
    close: () => server.close(),
  };
  return fake;
}
