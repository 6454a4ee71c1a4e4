import type { LoopbackReply, LoopbackRequest, LoopbackServer } from "../../testing/loopback-server.ts";

/**
 * Shopify's Admin GraphQL API as a loopback server sees it, for tests: `POST
 * /admin/api/<version>/graphql.json` with `X-Shopify-Access-Token` and a JSON body
 * `{query, variables}`. It enforces the path, the version, the token (401 otherwise, as Shopify
 * answers `{"errors":"[API] Invalid API key or access token…"}`), the content type, and the
 * operations it knows: the `fulfillmentEventCreate` mutation (its variables checked against
 * FulfillmentEventInput) and, when given orders, the `orders` connection query with cursor
 * pagination. A leaky-bucket cost limit answers THROTTLED exactly as Shopify does, with
 * `extensions.cost.throttleStatus`.
 */
export interface FakeShopifyAdminOptions {
  accessToken: string;
  apiVersion: string;
  /** Fulfillment GIDs that exist; an event on another one gets a userError */
  fulfillments: readonly string[];
  /** cost bucket: how many points it holds now, and its size and restore rate (points per second) */
  bucket?: { currentlyAvailable: number; maximumAvailable?: number; restoreRate?: number };
  /** the orders the `orders` query pages through (GraphQL Order nodes, as Shopify returns them) */
  orders?: readonly object[];
}

export interface FakeShopifyAdmin {
  /** every fulfillment event created, in order */
  readonly events: Array<Record<string, unknown> & { id: string }>;
  /** the query strings of the `orders` queries answered, with their variables */
  readonly orderQueries: Array<{ query: string; variables: Record<string, unknown> }>;
  /** the bucket's points now (tests drain or refill it) */
  setAvailable(points: number): void;
}

const EVENT_STATUSES = new Set([
  "ATTEMPTED_DELIVERY",
  "CARRIER_PICKED_UP",
  "CONFIRMED",
  "DELAYED",
  "DELIVERED",
  "FAILURE",
  "IN_TRANSIT",
  "LABEL_PRINTED",
  "LABEL_PURCHASED",
  "OUT_FOR_DELIVERY",
  "PICKED_UP",
  "READY_FOR_PICKUP",
]);

const INPUT_FIELDS = new Set([
  "fulfillmentId",
  "status",
  "happenedAt",
  "estimatedDeliveryAt",
  "message",
  "address1",
  "city",
  "province",
  "country",
  "zip",
  "latitude",
  "longitude",
]);

const MUTATION_COST = 10;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function fakeShopifyAdmin(server: LoopbackServer, options: FakeShopifyAdminOptions): FakeShopifyAdmin {
  const events: FakeShopifyAdmin["events"] = [];
  const orderQueries: FakeShopifyAdmin["orderQueries"] = [];
  const maximumAvailable = options.bucket?.maximumAvailable ?? 2000;
  const restoreRate = options.bucket?.restoreRate ?? 100;
  let available = options.bucket?.currentlyAvailable ?? maximumAvailable;

  const costExtensions = (requested: number, actual: number | null) => ({
    cost: {
      requestedQueryCost: requested,
      actualQueryCost: actual,
      throttleStatus: { maximumAvailable, currentlyAvailable: available, restoreRate },
    },
  });

  const graphqlError = (message: string, code: string): LoopbackReply => ({
    status: 200,
    body: { errors: [{ message, extensions: { code } }] },
  });

  function charge(requested: number): LoopbackReply | null {
    if (available < requested) {
      return {
        status: 200,
        body: {
          errors: [
            {
              message: "Throttled",
              extensions: {
                code: "THROTTLED",
                documentation: "https://shopify.dev/api/usage/rate-limits",
              },
            },
          ],
          extensions: costExtensions(requested, null),
        },
      };
    }
    available -= requested;
    return null;
  }

  function fulfillmentEventCreate(query: string, variables: Record<string, unknown>): LoopbackReply {
    if (!/\$fulfillmentEvent\s*:\s*FulfillmentEventInput!/.test(query)) {
      return graphqlError(
        "Variable $fulfillmentEvent is not declared as FulfillmentEventInput!",
        "argumentLiteralsIncompatible",
      );
    }
    if (!/fulfillmentEventCreate\s*\(\s*fulfillmentEvent\s*:\s*\$fulfillmentEvent\s*\)/.test(query)) {
      return graphqlError(
        "fulfillmentEventCreate takes fulfillmentEvent: $fulfillmentEvent",
        "missingRequiredArguments",
      );
    }
    const input = variables.fulfillmentEvent;
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      return graphqlError(
        "Variable $fulfillmentEvent of type FulfillmentEventInput! was provided invalid value",
        "INVALID_VARIABLE",
      );
    }
    const fields = input as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      if (!INPUT_FIELDS.has(key)) {
        return graphqlError(
          `Variable $fulfillmentEvent: field is not defined on FulfillmentEventInput: ${key}`,
          "INVALID_VARIABLE",
        );
      }
    }
    if (
      typeof fields.fulfillmentId !== "string" ||
      typeof fields.status !== "string" ||
      !EVENT_STATUSES.has(fields.status)
    ) {
      return graphqlError(
        "Variable $fulfillmentEvent: fulfillmentId (ID!) and status (FulfillmentEventStatus!) are required",
        "INVALID_VARIABLE",
      );
    }
    for (const key of ["happenedAt", "estimatedDeliveryAt"]) {
      const value = fields[key];
      if (value !== undefined && (typeof value !== "string" || !ISO_DATE_TIME.test(value))) {
        return graphqlError(`Variable $fulfillmentEvent: ${key} is not a valid DateTime`, "INVALID_VARIABLE");
      }
    }
    const throttled = charge(MUTATION_COST);
    if (throttled) return throttled;
    if (!options.fulfillments.includes(fields.fulfillmentId)) {
      return {
        status: 200,
        body: {
          data: {
            fulfillmentEventCreate: {
              fulfillmentEvent: null,
              userErrors: [
                { field: ["fulfillmentEvent", "fulfillmentId"], message: "Fulfillment does not exist." },
              ],
            },
          },
          extensions: costExtensions(MUTATION_COST, MUTATION_COST),
        },
      };
    }
    const id = `gid://shopify/FulfillmentEvent/${1000 + events.length}`;
    events.push({ ...fields, id });
    return {
      status: 200,
      body: {
        data: {
          fulfillmentEventCreate: {
            fulfillmentEvent: { id, status: fields.status, happenedAt: fields.happenedAt ?? null },
            userErrors: [],
          },
        },
        extensions: costExtensions(MUTATION_COST, MUTATION_COST),
      },
    };
  }

  function ordersQuery(query: string, variables: Record<string, unknown>): LoopbackReply {
    const first = variables.first;
    if (typeof first !== "number" || !Number.isInteger(first) || first < 1 || first > 250) {
      return graphqlError("orders: first must be between 1 and 250", "INVALID_VARIABLE");
    }
    if (
      !/pageInfo\s*{[^}]*hasNextPage[^}]*endCursor[^}]*}|pageInfo\s*{[^}]*endCursor[^}]*hasNextPage[^}]*}/.test(
        query,
      )
    ) {
      return graphqlError(
        "orders: the query asks for no pageInfo { hasNextPage endCursor }",
        "INVALID_QUERY",
      );
    }
    const all = options.orders ?? [];
    const after = variables.after;
    let start = 0;
    if (after !== undefined && after !== null) {
      const index = typeof after === "string" ? cursorIndex(after) : null;
      if (index === null || index >= all.length)
        return graphqlError("Invalid cursor for current pagination sort.", "BAD_REQUEST");
      start = index + 1;
    }
    const cost = 2 + first;
    const throttled = charge(cost);
    if (throttled) return throttled;
    orderQueries.push({ query, variables });
    const page = all.slice(start, start + first);
    const nodes = page.map((order, i) => ({ cursor: cursorOf(start + i), node: order }));
    const last = nodes.at(-1);
    return {
      status: 200,
      body: {
        data: {
          orders: {
            edges: nodes,
            nodes: page,
            pageInfo: { hasNextPage: start + first < all.length, endCursor: last ? last.cursor : null },
          },
        },
        extensions: costExtensions(cost, cost),
      },
    };
  }

  server.route("POST", "/admin/api/:version/graphql.json", (request: LoopbackRequest): LoopbackReply => {
    if (request.headers["x-shopify-access-token"] !== options.accessToken) {
      return {
        status: 401,
        body: { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" },
      };
    }
    if (request.params.version !== options.apiVersion) {
      return { status: 404, body: { errors: "Not Found" } };
    }
    if (!(request.headers["content-type"] ?? "").startsWith("application/json")) {
      return { status: 415, body: { errors: "Content-Type must be application/json" } };
    }
    const body = request.json as { query?: unknown; variables?: unknown } | undefined;
    if (typeof body?.query !== "string") {
      return { status: 400, body: { errors: { query: "Required parameter missing or invalid" } } };
    }
    const variables = (
      typeof body.variables === "object" && body.variables !== null ? body.variables : {}
    ) as Record<string, unknown>;
    if (/^\s*mutation\b[\s\S]*\bfulfillmentEventCreate\b/.test(body.query))
      return fulfillmentEventCreate(body.query, variables);
    if (/^\s*query\b[\s\S]*\borders\s*\(/.test(body.query) && options.orders)
      return ordersQuery(body.query, variables);
    return graphqlError("This fake knows fulfillmentEventCreate and the orders query only", "undefinedField");
  });

  return {
    events,
    orderQueries,
    setAvailable(points) {
      available = points;
    },
  };
}

function cursorOf(index: number): string {
  return Buffer.from(JSON.stringify({ last_id: index })).toString("base64");
}

function cursorIndex(cursor: string): number | null {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64").toString("utf8")) as { last_id?: unknown };
    return typeof parsed.last_id === "number" ? parsed.last_id : null;
  } catch {
    return null;
  }
}
