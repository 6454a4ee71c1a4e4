import { parseArgs } from "node:util";
import { apiClient } from "./api-client.ts";
import { type CliIo, type ExitCode, writeLine } from "./cli-io.ts";
import { DEMO_DAY, demoPayload } from "./demo-day.ts";
import { progressBar } from "./progress-bar.ts";

export const demoUsage = `trackflow demo [--url URL] [--key KEY]
  Replays a realistic day of shipments (deliveries, delays, failed attempts, a customs hold,
  returns) into a running server: orders with customers are registered, then each carrier's
  own payloads are ingested. Without real channel credentials the notifications go to the
  local preview outbox (GET /api/notifications).`;

export async function demoCommand(argv: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseArgs({ args: argv, options: { url: { type: "string" }, key: { type: "string" } } });
  const client = apiClient(values);
  const run = String(Date.now() % 1000).padStart(3, "0");
  const bar = progressBar(io.stderr, DEMO_DAY.length, "demo");
  const rows: string[] = [];
  for (const [i, s] of DEMO_DAY.entries()) {
    const { body, trackingNumber, carrier } = await demoPayload(s, `${run}${String(i).padStart(2, "0")}`);
    const registered = await client.request<{ error?: string }>("POST", "/api/shipments", {
      carrier,
      trackingNumber,
      order: {
        externalId: `demo-${run}-${s.orderNumber.slice(1)}`,
        number: s.orderNumber,
        customer: s.customer,
        lines: [{ lineId: "1", quantity: 1, shippedQuantity: 1 }],
      },
    });
    if (registered.status !== 201) {
      writeLine(
        io.stderr,
        `demo: registering ${carrier} ${trackingNumber} failed: ${registered.status} ${registered.body.error ?? ""}`,
      );
      return 1;
    }
    const ingested = await client.request<{ error?: string; shipments?: { status: string }[] }>(
      "POST",
      `/api/ingest/${s.source}`,
      body,
    );
    if (ingested.status !== 200) {
      writeLine(
        io.stderr,
        `demo: ingesting ${s.source}/${s.fixture} failed: ${ingested.status} ${ingested.body.error ?? ""}`,
      );
      return 1;
    }
    rows.push(
      `${s.orderNumber}  ${carrier.padEnd(9)} ${trackingNumber.padEnd(24)} ${(ingested.body.shipments?.[0]?.status ?? "?").padEnd(20)} ${s.story}`,
    );
    bar.update(i + 1);
  }
  bar.finish();
  const notifications = await client.request<{ notifications: unknown[] }>(
    "GET",
    "/api/notifications?limit=1000",
  );
  writeLine(io.stdout, `A day of ${DEMO_DAY.length} shipments replayed into ${client.baseUrl}:\n`);
  for (const row of rows) writeLine(io.stdout, `  ${row}`);
  writeLine(
    io.stdout,
    `\n${notifications.body.notifications.length} notifications so far (preview outbox unless channels are configured): ${client.baseUrl}/api/notifications`,
  );
  return 0;
}
