import {
  alertBox,
  type ConsoleCaller,
  type ConsoleExtension,
  type ConsoleRouter,
  canChange,
  consolePage,
  csrfField,
  type EngineContext,
  html,
  noticeBox,
  type SafeHtml,
  withDone,
} from "@trackflow/engine";
import type { WooConnectionRow } from "@trackflow/store";
import { backfillWooOrders, WooBackfillError } from "./backfill.ts";
import { ConnectInputSchema, connectWooStore, WooConnectError } from "./connect.ts";
import { disconnectWooStore } from "./disconnect.ts";
import type { WooClientOptions } from "./woo-client.ts";
import { loadWooConnection } from "./woo-connection.ts";

export const WOO_CONSOLE_PATH = "/console/woocommerce";

const DONE: Readonly<Record<string, string>> = {
  connected: "The shop is connected: its webhooks are created and its orders come in.",
  disconnected: "The shop is disconnected: its webhooks are removed and its keys deleted.",
  backfill: "Past orders imported (one more batch; run it again until it says done).",
};

/** What the merchant typed, given back after a problem (never the secret). */
interface ConnectFormState {
  storeUrl?: string;
  consumerKey?: string;
  problem?: { field: "storeUrl" | "consumerKey" | "consumerSecret" | "shop"; message: string };
}

function connectionCard(row: WooConnectionRow): SafeHtml {
  const report = row.lastReconcileReport as { missed?: unknown[]; reenabled?: unknown[] } | null;
  const backfill = row.backfill;
  return html`<section class="card" aria-labelledby="woo-shop">
<h2 id="woo-shop">Connected shop</h2>
<dl>
<dt>Store</dt><dd>${row.storeUrl}</dd>
<dt>Connected</dt><dd>${row.connectedAt.toISOString()}</dd>
<dt>Webhooks in the shop</dt><dd>${row.webhooks.map((w) => `${w.topic} (#${w.id})`).join(", ") || "none"}</dd>
<dt>Last reconciliation</dt><dd>${
    row.lastReconciledAt
      ? `${row.lastReconciledAt.toISOString()}${report?.missed ? `: ${report.missed.length} missed order(s) caught up` : ""}`
      : "not yet (every 5 minutes)"
  }</dd>
<dt>Backfill of past orders</dt><dd>${
    backfill
      ? backfill.done
        ? `done: ${backfill.imported} orders`
        : `${backfill.imported} orders so far, page ${backfill.page} of ${backfill.totalPages ?? "?"}`
      : "not started"
  }</dd>
</dl>
</section>`;
}

function connectForm(caller: ConsoleCaller, state: ConnectFormState, connected: boolean): SafeHtml {
  const err = (field: string) =>
    state.problem?.field === field
      ? html`<p class="field-error" id="w-${field}-error">${state.problem.message}</p>`
      : "";
  const attrs = (field: string, hint: string) =>
    html` aria-describedby="${hint}${state.problem?.field === field ? ` w-${field}-error` : ""}"${
      state.problem?.field === field ? html` aria-invalid="true"` : ""
    }`;
  return html`<section class="card" aria-labelledby="woo-connect">
<h2 id="woo-connect">${connected ? "Connect again (new keys or another shop)" : "Connect a shop"}</h2>
<p>In WordPress: WooCommerce › Settings › Advanced › REST API › Add key, with <strong>Read/Write</strong> permissions. Pretty permalinks must be on (Settings › Permalinks: anything but "Plain").</p>
${err("shop")}
<form method="post" action="${WOO_CONSOLE_PATH}/connect" novalidate>${csrfField(caller)}
<div class="field"><label for="w-storeUrl">Store address</label><p class="muted" id="w-storeUrl-hint">https://shop.example.com</p>
<input id="w-storeUrl" name="storeUrl" type="url" required value="${state.storeUrl ?? ""}"${attrs("storeUrl", "w-storeUrl-hint")}>${err("storeUrl")}</div>
<div class="field"><label for="w-consumerKey">Consumer key</label><p class="muted" id="w-consumerKey-hint">ck_…</p>
<input id="w-consumerKey" name="consumerKey" type="text" required autocomplete="off" spellcheck="false" value="${state.consumerKey ?? ""}"${attrs("consumerKey", "w-consumerKey-hint")}>${err("consumerKey")}</div>
<div class="field"><label for="w-consumerSecret">Consumer secret</label><p class="muted" id="w-consumerSecret-hint">cs_…; stored encrypted and never shown again</p>
<input id="w-consumerSecret" name="consumerSecret" type="password" required autocomplete="off"${attrs("consumerSecret", "w-consumerSecret-hint")}>${err("consumerSecret")}</div>
<fieldset><legend>Status back into WooCommerce</legend>
<div class="field"><input id="w-enableWriteback" name="enableWriteback" type="checkbox" value="1"><label for="w-enableWriteback">Add an order note on every shipment status change</label></div>
<div class="field"><label for="w-noteVisibility">Notes are</label><select id="w-noteVisibility" name="noteVisibility"><option value="private">private (staff only)</option><option value="customer">sent to the customer</option></select></div>
<div class="field"><input id="w-completeOnDelivery" name="completeOnDelivery" type="checkbox" value="1"><label for="w-completeOnDelivery">Complete the order when every parcel is delivered</label></div>
</fieldset>
<button type="submit">Connect</button>
</form>
</section>`;
}

function actionsCard(caller: ConsoleCaller): SafeHtml {
  return html`<section class="card" aria-labelledby="woo-actions">
<h2 id="woo-actions">Actions</h2>
<form method="post" action="${WOO_CONSOLE_PATH}/backfill">${csrfField(caller)}<button type="submit" class="secondary">Import past orders (next batch)</button></form>
<form method="post" action="${WOO_CONSOLE_PATH}/disconnect">${csrfField(caller)}<button type="submit" class="danger">Disconnect the shop</button></form>
</section>`;
}

export function renderWooPage(
  caller: ConsoleCaller,
  row: WooConnectionRow | null,
  messages: { notice?: string | undefined; alert?: string | undefined } = {},
  form: ConnectFormState = {},
): string {
  const write = canChange(caller);
  return consolePage(
    caller,
    WOO_CONSOLE_PATH,
    "WooCommerce",
    html`<h1>WooCommerce</h1>
${noticeBox(messages.notice)}${alertBox(messages.alert)}
${row ? connectionCard(row) : html`<p>No WooCommerce shop is connected.</p>`}
${write ? connectForm(caller, form, row !== null) : ""}
${write && row ? actionsCard(caller) : ""}`,
  );
}

const FIELD_OF: Readonly<Record<string, NonNullable<ConnectFormState["problem"]>["field"]>> = {
  storeUrl: "storeUrl",
  consumerKey: "consumerKey",
  consumerSecret: "consumerSecret",
};

function registerWooConsole(router: ConsoleRouter, options: WooClientOptions): void {
  const { ctx } = router;
  router.page(WOO_CONSOLE_PATH, async (caller, request, reply) => {
    const done = DONE[request.query.done ?? ""];
    return router.html(
      reply,
      200,
      renderWooPage(caller, await loadWooConnection(ctx, caller.tenant.id), { notice: done }),
    );
  });

  router.action(`${WOO_CONSOLE_PATH}/connect`, async (caller, _request, form, reply) => {
    const state: ConnectFormState = {
      storeUrl: (form.get("storeUrl") ?? "").slice(0, 2048),
      consumerKey: (form.get("consumerKey") ?? "").slice(0, 256),
    };
    const parsed = ConnectInputSchema.safeParse({
      storeUrl: state.storeUrl,
      consumerKey: state.consumerKey,
      consumerSecret: form.get("consumerSecret") ?? "",
      noteVisibility: form.get("noteVisibility") === "customer" ? "customer" : "private",
      completeOnDelivery: form.get("completeOnDelivery") === "1",
      enableWriteback: form.get("enableWriteback") === "1",
    });
    const again = async (problem: NonNullable<ConnectFormState["problem"]>) =>
      router.html(
        reply,
        422,
        renderWooPage(caller, await loadWooConnection(ctx, caller.tenant.id), {}, { ...state, problem }),
      );
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return again({ field: FIELD_OF[String(issue.path[0])] ?? "shop", message: issue.message });
    }
    try {
      await connectWooStore(ctx, caller.tenant.id, parsed.data, { ...options, actor: caller.actor });
    } catch (error) {
      if (error instanceof WooConnectError) return again({ field: "shop", message: error.message });
      throw error;
    }
    return router.redirect(reply, withDone(WOO_CONSOLE_PATH, "connected"));
  });

  router.action(`${WOO_CONSOLE_PATH}/disconnect`, async (caller, _request, _form, reply) => {
    await disconnectWooStore(ctx, caller.tenant.id, { ...options, actor: caller.actor });
    return router.redirect(reply, withDone(WOO_CONSOLE_PATH, "disconnected"));
  });

  router.action(`${WOO_CONSOLE_PATH}/backfill`, async (caller, _request, _form, reply) => {
    try {
      await backfillWooOrders(ctx, caller.tenant.id, { pages: 5 }, options);
    } catch (error) {
      if (error instanceof WooBackfillError)
        return router.html(
          reply,
          404,
          renderWooPage(caller, await loadWooConnection(ctx, caller.tenant.id), { alert: error.message }),
        );
      throw error;
    }
    return router.redirect(reply, withDone(WOO_CONSOLE_PATH, "backfill"));
  });
}

/** The WooCommerce page of the web console: the connected shop, connect, backfill, disconnect. */
export function wooConsoleExtension(_ctx: EngineContext, options: WooClientOptions = {}): ConsoleExtension {
  return {
    nav: { label: "WooCommerce", href: WOO_CONSOLE_PATH },
    register: (router) => registerWooConsole(router, options),
  };
}
