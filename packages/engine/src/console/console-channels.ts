import { FAILOVER_PROVIDER, PROVIDER_FACTORIES } from "@trackflow/channels";
import { listCredentials } from "@trackflow/store";
import { writeAudit } from "../audit/audit-writer.ts";
import { readChannelConfig } from "../dispatch/channel-resolver.ts";
import { type EngineContext, newId } from "../engine-context.ts";
import {
  CHANNEL_KIND_PREFIX,
  type ChannelConnection,
  loadChannelConnections,
} from "../notify/channel-connections.ts";
import { queueNotification } from "../notify/queue-notification.ts";
import { ProvisioningError, saveChannel } from "../tenancy/provision.ts";
import { html, type SafeHtml } from "../tracking/html.ts";
import type { ConsoleCaller } from "./console-auth.ts";
import {
  type ConfigField,
  configFields,
  fieldOfIssue,
  readConfigForm,
  renderConfigFields,
} from "./console-config-form.ts";
import { formatInstant } from "./console-format.ts";
import { alertBox, canChange, consolePage, csrfField, noticeBox } from "./console-layout.ts";
import type { ConsoleRouter } from "./console-router.ts";

const CHANNEL_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const PROVIDERS = [...PROVIDER_FACTORIES.map((f) => f.provider), FAILOVER_PROVIDER];

/** The generated form's fields of a provider, or null when its configuration is entered as JSON. */
export function providerFields(provider: string): ConfigField[] | null {
  const factory = PROVIDER_FACTORIES.find((f) => f.provider === provider);
  return factory ? configFields(factory.configSchema) : null;
}

export async function loadChannels(ctx: EngineContext, tenantId: string) {
  const [connections, rows] = await Promise.all([
    loadChannelConnections(ctx.db, tenantId),
    listCredentials(ctx.db, tenantId, CHANNEL_KIND_PREFIX),
  ]);
  const created = new Map(rows.map((r) => [r.name, r.createdAt]));
  return [...connections.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((c) => ({ ...c, createdAt: created.get(c.name) ?? null }));
}

type ChannelView = Awaited<ReturnType<typeof loadChannels>>[number];

export interface ChannelFormState {
  name?: string;
  provider?: string;
  /** the problem with the form, shown next to the field it is about */
  problem?: { field: "name" | "provider" | "config"; message: string };
  /** the generated form's problems by configuration field ("from.email") */
  fieldProblems?: Map<string, string>;
  /** what was entered, after a refused save (credentials are never filled in again) */
  entered?: URLSearchParams;
  /** the stored configuration of the connection being edited with the same provider */
  stored?: unknown;
  /** editing a saved connection (its name fixed) */
  editing?: boolean;
}

function testForm(caller: ConsoleCaller, c: ChannelView): SafeHtml {
  const id = `test-${c.name}`;
  return html`<form method="post" action="/console/channels/${encodeURIComponent(c.name)}/test" class="inline">${csrfField(caller)}
<label for="${id}" class="visually-hidden">Send a test message on ${c.name} to</label>
<input id="${id}" name="to" type="text" required maxlength="320" placeholder="${c.kind === "sms" ? "+14155550100" : c.kind === "email" ? "you@example.com" : "recipient"}" autocomplete="off">
<button type="submit" class="secondary" aria-label="Test-send on ${c.name}">Test-send</button></form>`;
}

function providerChooser(state: ChannelFormState): SafeHtml {
  return html`<form method="get" action="/console/channels" class="inline">
<label for="c-pick">Provider</label>
<select id="c-pick" name="provider">${PROVIDERS.map(
    (p) => html`<option value="${p}"${p === state.provider ? html` selected` : ""}>${p}</option>`,
  )}</select>
<button type="submit" class="secondary">Show its form</button></form>`;
}

function saveForm(caller: ConsoleCaller, state: ChannelFormState): SafeHtml {
  const err = (field: string) =>
    state.problem?.field === field
      ? html`<p class="field-error" id="c-${field}-error">${state.problem.message}</p>`
      : "";
  const described = (field: string, hint: string) =>
    `${hint}${state.problem?.field === field ? ` c-${field}-error` : ""}`;
  const invalid = (field: string) => (state.problem?.field === field ? html` aria-invalid="true"` : "");
  const provider = state.provider && PROVIDERS.includes(state.provider) ? state.provider : null;
  const fields = provider ? providerFields(provider) : null;
  const editing = state.editing ?? false;
  return html`<section class="card" aria-labelledby="save-channel">
<h2 id="save-channel">${editing ? html`Edit the connection ${state.name ?? ""}` : "Add or replace a connection"}</h2>
${editing ? "" : providerChooser(state)}
${
  provider === null
    ? html`<p class="muted">Pick a provider to see the fields of its configuration.</p>`
    : html`<form method="post" action="/console/channels" novalidate>${csrfField(caller)}
<input type="hidden" name="provider" value="${provider}">
<p>Provider: <strong>${provider}</strong></p>
<div class="field"><label for="c-name">Name</label><p class="muted" id="c-name-hint">What flows call it: email, sms, ops-slack…</p>
<input id="c-name" name="name" type="text" required value="${state.name ?? ""}"${editing ? html` readonly` : ""} aria-describedby="${described("name", "c-name-hint")}"${invalid("name")}>${err("name")}</div>
${
  fields
    ? html`<fieldset><legend>Configuration and credentials</legend>
${err("config")}
${renderConfigFields(fields, {
  stored: state.stored,
  entered: state.entered,
  problems: state.fieldProblems,
  editing: state.stored !== undefined,
})}</fieldset>`
    : html`<div class="field"><label for="c-config">Configuration (JSON)</label>
<p class="muted" id="c-config-hint">A failover channel lists the channels to try in order, e.g. {"channels": ["email", "email-backup"]}. Enter the whole configuration: what is stored is encrypted and never shown again.</p>
<textarea id="c-config" name="config" rows="6" class="code" spellcheck="false" autocomplete="off" aria-describedby="${described("config", "c-config-hint")}"${invalid("config")}></textarea>${err("config")}</div>`
}
<button type="submit">Save connection</button>
</form>`
}
</section>`;
}

export function renderChannels(
  caller: ConsoleCaller,
  channels: ChannelView[],
  messages: { notice?: string | undefined; alert?: string | undefined } = {},
  form: ChannelFormState = {},
): string {
  const write = canChange(caller);
  return consolePage(
    caller,
    "channels",
    "Channels",
    html`<h1>Channels and connections</h1>
${noticeBox(messages.notice)}${alertBox(messages.alert)}
<section class="card" aria-labelledby="connections">
<h2 id="connections">Connections (${channels.length})</h2>
${
  channels.length === 0
    ? html`<p>No connections yet: messages go to the local preview outbox.</p>`
    : html`<table><caption class="visually-hidden">Channel connections</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Provider</th><th scope="col">Kind</th><th scope="col">Credentials</th><th scope="col">Saved</th>${write ? html`<th scope="col">Edit</th><th scope="col">Test-send</th>` : ""}</tr></thead>
<tbody>${channels.map(
        (c) =>
          html`<tr><td>${c.name}</td><td>${c.provider}</td><td>${c.kind}</td><td><span class="muted">stored, encrypted (write-only)</span></td><td>${formatInstant(c.createdAt)}</td>${write ? html`<td><a href="/console/channels?edit=${encodeURIComponent(c.name)}" aria-label="Edit ${c.name}">Edit</a></td><td>${testForm(caller, c)}</td>` : ""}</tr>`,
      )}</tbody></table>`
}
</section>
${write ? saveForm(caller, form) : ""}`,
  );
}

/**
 * A test message on one of the tenant's channels to an address staff enter: a real notification,
 * queued like any other (the provider sends it, every attempt is recorded), critical so quiet
 * hours do not hold it, audited. Returns the outcome of queueing it.
 */
export async function queueTestSend(
  ctx: EngineContext,
  caller: Pick<ConsoleCaller, "tenant" | "actor">,
  connection: ChannelConnection,
  to: string,
) {
  return await ctx.db.transaction(async (tx) => {
    const outcome = await queueNotification(ctx, tx, {
      tenant: caller.tenant,
      idempotencyKey: `test-send:${newId("req")}`,
      flowId: null,
      flowVersion: null,
      stepId: null,
      critical: true,
      shipmentId: null,
      orderId: null,
      connection,
      recipient: { address: to },
      content: {
        subject: `Test message from ${caller.tenant.name}`,
        text: `This is a test message from the Trackflow console, sent on the channel "${connection.name}" (${connection.provider}).`,
      },
      about: `channel:${connection.name}`,
    });
    await writeAudit(tx, caller.tenant.id, ctx.now(), {
      actor: caller.actor,
      action: "channel.test_send",
      subject: `channel:${connection.name}`,
      data: { to, outcome },
    });
    return outcome;
  });
}

/** `GET|POST /console/channels` (list, save through saveChannel), `POST …/:name/test` (test-send). */
export function registerChannelRoutes(router: ConsoleRouter): void {
  const { ctx } = router;

  /** The stored configuration of a saved channel, when it has this provider (to keep its credentials). */
  const storedConfig = async (tenantId: string, name: string, provider: string) => {
    if (!CHANNEL_NAME.test(name)) return undefined;
    const stored = await readChannelConfig(ctx, tenantId, name);
    return stored && stored.provider === provider ? stored.config : undefined;
  };

  router.page("/console/channels", async (caller, request, reply) => {
    const notice =
      request.query.done === "saved" ? `Connection "${request.query.name ?? ""}" saved.` : undefined;
    const channels = await loadChannels(ctx, caller.tenant.id);
    let form: ChannelFormState = { provider: request.query.provider };
    const edit = request.query.edit;
    if (edit !== undefined) {
      const channel = channels.find((c) => c.name === edit);
      if (!channel) return router.text(reply, 404, "no such channel");
      form = {
        name: channel.name,
        provider: channel.provider,
        editing: true,
        stored: providerFields(channel.provider)
          ? await storedConfig(caller.tenant.id, channel.name, channel.provider)
          : undefined,
      };
    }
    return router.html(reply, 200, renderChannels(caller, channels, { notice }, form));
  });

  router.action("/console/channels", async (caller, _request, form, reply) => {
    const name = (form.get("name") ?? "").trim();
    const provider = (form.get("provider") ?? "").trim();
    const fields = providerFields(provider);
    const json = fields === null || form.has("config");
    let stored: unknown;
    const again = async (problem: ChannelFormState["problem"], fieldProblems?: Map<string, string>) =>
      router.html(
        reply,
        400,
        renderChannels(
          caller,
          await loadChannels(ctx, caller.tenant.id),
          { alert: "The connection was not saved: see the form." },
          {
            name,
            provider,
            problem,
            ...(fieldProblems ? { fieldProblems } : {}),
            ...(json ? {} : { entered: form, stored }),
          },
        ),
      );
    if (!CHANNEL_NAME.test(name))
      return again({ field: "name", message: "lower-case letters, digits, - and _ (at most 64)" });
    if (!PROVIDERS.includes(provider)) return again({ field: "provider", message: "pick a provider" });
    let config: unknown;
    let kept: string[] = [];
    if (json) {
      try {
        config = JSON.parse(form.get("config") ?? "");
      } catch (error) {
        return again({ field: "config", message: `not JSON: ${(error as Error).message}. Enter it again.` });
      }
      if (typeof config !== "object" || config === null || Array.isArray(config))
        return again({ field: "config", message: 'a JSON object, e.g. {"apiKey": "…"}. Enter it again.' });
    } else {
      stored = await storedConfig(caller.tenant.id, name, provider);
      const read = readConfigForm(fields, form, stored);
      if (read.problems.size > 0) return again(undefined, read.problems);
      const schema = PROVIDER_FACTORIES.find((f) => f.provider === provider)!.configSchema;
      const parsed = schema.safeParse(read.config);
      if (!parsed.success) {
        const problems = new Map<string, string>();
        let general: string | undefined;
        for (const issue of parsed.error.issues) {
          const field = fieldOfIssue(fields, issue.path);
          if (field === null) general ??= `${issue.path.join(".") || "configuration"}: ${issue.message}`;
          else if (!problems.has(field)) problems.set(field, issue.message);
        }
        return again(general ? { field: "config", message: general } : undefined, problems);
      }
      config = read.config;
      kept = read.kept;
    }
    try {
      await saveChannel(ctx, caller.tenant.id, { name, provider, config });
    } catch (error) {
      if (!(error instanceof ProvisioningError)) throw error;
      return again({ field: "config", message: `${error.message}.${json ? " Enter it again." : ""}` });
    }
    await writeAudit(ctx.db, caller.tenant.id, ctx.now(), {
      actor: caller.actor,
      action: "channel.edited",
      subject: `channel:${name}`,
      data: { provider, ...(kept.length > 0 ? { keptCredentials: kept } : {}) },
    });
    return router.redirect(reply, `/console/channels?done=saved&name=${encodeURIComponent(name)}`);
  });

  router.action("/console/channels/:name/test", async (caller, request, form, reply) => {
    const name = request.params.name ?? "";
    const connection = (await loadChannelConnections(ctx.db, caller.tenant.id)).get(name);
    if (!connection) return router.text(reply, 404, "no such channel");
    const to = (form.get("to") ?? "").trim();
    if (to === "" || to.length > 320)
      return router.html(
        reply,
        400,
        renderChannels(caller, await loadChannels(ctx, caller.tenant.id), {
          alert: `Enter the address to send the test message on "${name}" to.`,
        }),
      );
    const outcome = await queueTestSend(ctx, caller, connection, to);
    if (outcome === "suppressed")
      return router.html(
        reply,
        409,
        renderChannels(caller, await loadChannels(ctx, caller.tenant.id), {
          alert: `The test message to ${to} was not sent: the recipient opted out of ${connection.kind}.`,
        }),
      );
    return router.redirect(
      reply,
      `/console/notifications?${new URLSearchParams({ channel: name, done: "tested" })}`,
    );
  });
}
