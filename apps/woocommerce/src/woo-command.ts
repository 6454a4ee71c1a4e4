import { parseArgs } from "node:util";
import {
  type ApiClient,
  apiClient,
  type CliCommand,
  type CliIo,
  type ExitCode,
  progressBar,
  UsageError,
  writeLine,
} from "@trackflow/engine";

export const wooUsage = `trackflow woo connect --url STORE_URL --key ck_… --secret cs_… [--customer-notes] [--complete-on-delivery] [--enable-writeback]
trackflow woo status | disconnect | backfill [--restart]
  Connects a WooCommerce shop by its REST API keys (Read/Write), shows it, disconnects it, or
  takes in its past orders (resumable). The Trackflow server and its API key: --server/--api-key
  or TRACKFLOW_URL/TRACKFLOW_API_KEY.`;

async function connect(client: ApiClient, argv: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: "string" },
      key: { type: "string" },
      secret: { type: "string" },
      "customer-notes": { type: "boolean", default: false },
      "complete-on-delivery": { type: "boolean", default: false },
      "enable-writeback": { type: "boolean", default: false },
    },
    strict: true,
  });
  if (!values.url || !values.key || !values.secret)
    throw new UsageError("--url (the shop's address), --key (ck_…) and --secret (cs_…) are required");
  const { status, body } = await client.request<Record<string, unknown>>("POST", "/api/woocommerce/connect", {
    storeUrl: values.url,
    consumerKey: values.key,
    consumerSecret: values.secret,
    noteVisibility: values["customer-notes"] ? "customer" : "private",
    completeOnDelivery: values["complete-on-delivery"],
    enableWriteback: values["enable-writeback"],
  });
  if (status !== 200) {
    writeLine(io.stderr, `trackflow woo connect: ${String(body.error ?? JSON.stringify(body))}`);
    return status === 400 ? 2 : 1;
  }
  const hooks = body.webhooks as Array<{ id: number; topic: string }>;
  const flow = body.writebackFlow as { id: string; enabled: boolean };
  writeLine(io.stdout, `Connected ${String(body.storeUrl)} (${body.orders ?? "?"} orders in the shop).`);
  writeLine(io.stdout, `  Webhooks created: ${hooks.map((h) => `${h.topic} #${h.id}`).join(", ")}`);
  writeLine(
    io.stdout,
    `  Writeback flow "${flow.id}": ${flow.enabled ? "enabled" : "offered, disabled (enable it with PUT /api/flows/woocommerce-writeback)"}`,
  );
  for (const warning of (body.warnings as string[]) ?? []) writeLine(io.stdout, `  Warning: ${warning}`);
  writeLine(io.stdout, "  Past orders: trackflow woo backfill");
  return 0;
}

async function backfill(client: ApiClient, argv: string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseArgs({
    args: argv,
    options: { restart: { type: "boolean", default: false } },
    strict: true,
  });
  let restart = values.restart;
  let bar: ReturnType<typeof progressBar> | null = null;
  for (;;) {
    const { status, body } = await client.request<Record<string, unknown>>(
      "POST",
      "/api/woocommerce/backfill",
      {
        pages: 1,
        restart,
      },
    );
    restart = false;
    if (status !== 200) {
      bar?.finish();
      writeLine(
        io.stderr,
        `trackflow woo backfill: ${String(body.error ?? JSON.stringify(body))} (run it again to resume)`,
      );
      return 1;
    }
    const total = Number(body.totalPages ?? 0);
    bar ??= progressBar(io.stderr, total, "Backfill");
    bar.update(Math.min(Number(body.page) - 1, total), `pages, ${body.imported} orders`);
    if (body.done) {
      bar.finish();
      writeLine(
        io.stdout,
        `Backfill done: ${body.imported} orders taken in.${restart ? "" : " (--restart runs it again)"}`,
      );
      return 0;
    }
  }
}

/** `trackflow woo …`: the WooCommerce connection through a running server's API. */
export async function wooCommand(
  argv: string[],
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ExitCode> {
  const [sub, ...rest] = argv;
  // --server/--api-key name the Trackflow server; the rest belongs to the subcommand
  const others: string[] = [];
  const flags: { url?: string; key?: string } = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const [name, inline] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
    if (name === "--server" || name === "--api-key") {
      const value = inline ?? rest[++i];
      if (value === undefined) throw new UsageError(`${name} needs a value`);
      if (name === "--server") flags.url = value;
      else flags.key = value;
    } else others.push(arg);
  }
  const client = apiClient(flags, env);
  switch (sub) {
    case "connect":
      return await connect(client, others, io);
    case "backfill":
      return await backfill(client, others, io);
    case "status": {
      const { status, body } = await client.request<Record<string, unknown>>(
        "GET",
        "/api/woocommerce/connection",
      );
      if (status !== 200) {
        writeLine(io.stderr, `trackflow woo status: ${String(body.error)}`);
        return 1;
      }
      writeLine(io.stdout, JSON.stringify(body, null, 2));
      return 0;
    }
    case "disconnect": {
      const { status, body } = await client.request<Record<string, unknown>>(
        "DELETE",
        "/api/woocommerce/connection",
      );
      if (status !== 200) {
        writeLine(io.stderr, `trackflow woo disconnect: ${String(body.error)}`);
        return 1;
      }
      const left = (body.leftInShop as string[]) ?? [];
      writeLine(
        io.stdout,
        "Disconnected: webhooks removed from the shop, keys forgotten, writeback flow off.",
      );
      for (const l of left)
        writeLine(
          io.stdout,
          `  Not removed (delete it in WooCommerce > Settings > Advanced > Webhooks): ${l}`,
        );
      return 0;
    }
    default:
      throw new UsageError(
        sub === undefined ? "a subcommand is needed" : `unknown subcommand ${JSON.stringify(sub)}`,
      );
  }
}

export const wooCliCommand: CliCommand = { usage: wooUsage, run: (argv, io) => wooCommand(argv, io) };
