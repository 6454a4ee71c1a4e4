import type { TemplateValidation } from "@trackflow/core";
import { listTemplates, type TemplateRow } from "@trackflow/store";
import type { EngineContext } from "../engine-context.ts";
import { TemplateSchema } from "../http/api-schemas.ts";
import { DEFAULT_TEMPLATE_IDS, defaultTemplate } from "../notify/default-templates.ts";
import { checkTemplate, saveTemplate, TEMPLATE_ID, type TemplateInput } from "../notify/save-template.ts";
import { html, type SafeHtml } from "../tracking/html.ts";
import type { ConsoleCaller } from "./console-auth.ts";
import { formatInstant, statusLabel } from "./console-format.ts";
import { alertBox, canChange, consolePage, csrfField, noticeBox } from "./console-layout.ts";
import type { ConsoleRouter } from "./console-router.ts";

const CHANNEL_KINDS = TemplateSchema.shape.channel.unwrap().options;
type ChannelKind = (typeof CHANNEL_KINDS)[number];
const PARTS = ["subject", "text", "html"] as const;

export interface TemplateKey {
  id: string;
  locale: string;
  channel: ChannelKind;
}

/** The template's id, locale and channel kind from a query or form; null when one is not valid. */
export function parseTemplateKey(get: (name: string) => string | null | undefined): TemplateKey | null {
  const id = (get("id") ?? "").trim();
  const locale = (get("locale") ?? "en").trim() || "en";
  const channel = (get("channel") ?? "email").trim() || "email";
  const parsed = TemplateSchema.pick({ locale: true, channel: true }).safeParse({ locale, channel });
  if (!TEMPLATE_ID.test(id) || !parsed.success) return null;
  return { id, locale: parsed.data.locale, channel: parsed.data.channel };
}

/** What the editor shows: the tenant's template, else the built-in one, else an empty one. */
async function loadTemplate(ctx: EngineContext, tenantId: string, key: TemplateKey) {
  const own = (await listTemplates(ctx.db, tenantId)).find(
    (t) => t.id === key.id && t.locale === key.locale && t.channel === key.channel,
  );
  if (own)
    return {
      source: "own" as const,
      subject: own.body.subject ?? "",
      text: own.body.text,
      html: own.body.html ?? "",
    };
  const builtIn = defaultTemplate(key.id, key.channel, [key.locale]);
  return {
    source: builtIn ? ("built-in" as const) : ("new" as const),
    subject: builtIn?.subject ?? "",
    text: builtIn?.text ?? "",
    html: builtIn?.html ?? "",
  };
}

function templateInput(key: TemplateKey, form: { subject: string; text: string; html: string }) {
  return TemplateSchema.safeParse({
    locale: key.locale,
    channel: key.channel,
    subject: form.subject === "" ? undefined : form.subject,
    text: form.text,
    html: form.html === "" ? undefined : form.html,
  });
}

/** The preview as JSON (what the page's script shows as you type). */
export function previewJson(check: TemplateValidation) {
  return {
    ok: check.errors.length === 0,
    errors: check.errors,
    warnings: check.warnings,
    rendered: check.rendered,
    sms: check.sms ?? null,
  };
}

/** The editor's validation: an input error (too long, empty text) or the engine's rendering check. */
function validate(
  caller: ConsoleCaller,
  key: TemplateKey,
  fields: { subject: string; text: string; html: string },
) {
  const parsed = templateInput(key, fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const part = (PARTS as readonly string[]).includes(String(issue.path[0]))
      ? String(issue.path[0])
      : "text";
    return {
      input: null,
      check: {
        ok: false,
        errors: [{ part: part as "subject" | "text" | "html", message: issue.message }],
        warnings: [],
        rendered: null,
      } satisfies TemplateValidation,
    };
  }
  return { input: parsed.data as TemplateInput, check: checkTemplate(caller.tenant, parsed.data) };
}

const smsLine = (check: TemplateValidation) =>
  check.sms
    ? `${check.sms.segments} SMS segment${check.sms.segments === 1 ? "" : "s"} (${check.sms.encoding}, ${check.sms.characters} characters, ${check.sms.perSegment} per segment)`
    : "";

function partErrors(check: TemplateValidation | null, part: string): SafeHtml {
  const errors = check?.errors.filter((e) => e.part === part) ?? [];
  return html`<p class="field-error" id="err-${part}" data-part="${part}"${errors.length === 0 ? html` hidden` : ""}>${errors.map((e) => `${e.message}${e.line ? ` (line ${e.line})` : ""}`).join("; ")}</p>`;
}

function previewPane(check: TemplateValidation | null): SafeHtml {
  const r = check?.rendered ?? null;
  return html`<section class="card preview" aria-labelledby="preview-heading">
<h2 id="preview-heading">Preview <span class="muted">(sample shipment and order)</span></h2>
<div id="preview" aria-live="polite">
<p id="preview-status" class="muted">${check === null ? "Press Preview to render the template." : check.errors.length > 0 ? "The template does not render: see the errors next to the fields." : "Rendered with the sample values."}</p>
<dl class="facts"><dt>Subject</dt><dd id="preview-subject">${r?.subject ?? "—"}</dd></dl>
<pre id="preview-text" class="message-text">${r?.text ?? ""}</pre>
<p id="preview-sms"${check?.sms ? "" : html` hidden`}>${check ? smsLine(check) : ""}</p>
<ul id="preview-warnings" class="warnings">${(check?.warnings ?? []).map((w) => html`<li>${w.part}: ${w.message}</li>`)}</ul>
</div>
</section>`;
}

export interface TemplateEditorState {
  key: TemplateKey;
  source: "own" | "built-in" | "new";
  fields: { subject: string; text: string; html: string };
  check: TemplateValidation | null;
  notice?: string | undefined;
  alert?: string | undefined;
}

export function renderTemplateEditor(caller: ConsoleCaller, s: TemplateEditorState): string {
  const write = canChange(caller);
  const title = `Template ${s.key.id} (${s.key.locale}, ${s.key.channel})`;
  const invalid = (part: string) =>
    s.check?.errors.some((e) => e.part === part) ? html` aria-invalid="true"` : "";
  const field = (part: (typeof PARTS)[number], label: string, rows: number, hint: string) =>
    html`<div class="field"><label for="t-${part}">${label}</label>
<p class="muted" id="hint-${part}">${hint}</p>
<textarea id="t-${part}" name="${part}" rows="${rows}" class="code" spellcheck="false" aria-describedby="hint-${part} err-${part}"${invalid(part)}${write ? "" : html` readonly`}>${s.fields[part]}</textarea>
${partErrors(s.check, part)}</div>`;
  return consolePage(
    caller,
    "templates",
    title,
    html`<p><a href="/console/templates">All templates</a></p>
<h1>${title}</h1>
${noticeBox(s.notice)}${alertBox(s.alert)}
<p class="muted">${s.source === "own" ? "Your template." : s.source === "built-in" ? "The built-in template: saving makes it yours." : "A new template."} Liquid; an unknown variable or filter is an error.</p>
<div class="grid">
<section class="card" aria-label="Edit">
<form method="post" action="/console/templates/edit" data-preview="/console/templates/preview" novalidate>${csrfField(caller)}
<input type="hidden" name="id" value="${s.key.id}"><input type="hidden" name="locale" value="${s.key.locale}"><input type="hidden" name="channel" value="${s.key.channel}">
${field("subject", "Subject", 2, s.key.channel === "email" ? "Required for email." : "A title, where the channel shows one.")}
${field("text", "Text", 10, s.key.channel === "sms" ? "The SMS: keep it within 2 segments." : "The plain-text message.")}
${s.key.channel === "email" ? field("html", "HTML part (optional)", 6, "Inside the branded layout; the text part is used when empty.") : ""}
<div class="buttons"><button type="submit" name="intent" value="preview" class="secondary">Preview</button>${write ? html`<button type="submit" name="intent" value="save">Save template</button>` : ""}</div>
</form>
</section>
${previewPane(s.check)}
</div>`,
  );
}

export function renderTemplateList(caller: ConsoleCaller, own: TemplateRow[], alert?: string): string {
  const option = (v: string, label = v) => html`<option value="${v}">${label}</option>`;
  return consolePage(
    caller,
    "templates",
    "Templates",
    html`<h1>Templates</h1>
${alertBox(alert)}
<section class="card" aria-labelledby="open-template">
<h2 id="open-template">Open a template</h2>
<form class="filters" method="get" action="/console/templates/edit">
<div><label for="o-id">Template</label><input id="o-id" name="id" list="template-ids" required pattern="[a-z0-9][a-z0-9_\\-]{0,127}" value="shipment_delivered">
<datalist id="template-ids">${DEFAULT_TEMPLATE_IDS.map((id) => option(id))}</datalist></div>
<div><label for="o-locale">Locale</label><input id="o-locale" name="locale" value="en" size="6" required></div>
<div><label for="o-channel">Channel</label><select id="o-channel" name="channel">${CHANNEL_KINDS.map((c) => option(c, statusLabel(c)))}</select></div>
<div><button type="submit">Open</button></div>
</form>
</section>
<section class="card" aria-labelledby="own-templates">
<h2 id="own-templates">Your templates (${own.length})</h2>
${
  own.length === 0
    ? html`<p>None yet: messages use the built-in templates (English, German, French, Spanish).</p>`
    : html`<table><caption class="visually-hidden">Your templates</caption>
<thead><tr><th scope="col">Template</th><th scope="col">Locale</th><th scope="col">Channel</th><th scope="col">Saved</th></tr></thead>
<tbody>${own.map(
        (t) =>
          html`<tr><td><a href="/console/templates/edit?${new URLSearchParams({ id: t.id, locale: t.locale, channel: t.channel }).toString()}">${t.id}</a></td><td>${t.locale}</td><td>${t.channel}</td><td>${formatInstant(t.updatedAt)}</td></tr>`,
      )}</tbody></table>`
}
</section>
<section class="card" aria-labelledby="built-in">
<h2 id="built-in">Built-in templates</h2>
<ul class="columns">${DEFAULT_TEMPLATE_IDS.map(
      (id) =>
        html`<li><code>${id}</code>: ${(["email", "sms", "chat"] as const).map(
          (c, i) =>
            html`${i > 0 ? ", " : ""}<a href="/console/templates/edit?id=${id}&amp;locale=en&amp;channel=${c}" aria-label="${id} for ${c}">${c}</a>`,
        )}</li>`,
    )}</ul>
</section>`,
  );
}

/**
 * `GET /console/templates`, `GET|POST /console/templates/edit` (Preview renders the page with the
 * preview, Save saves with errors next to their fields) and `POST /console/templates/preview` (the
 * preview as JSON for the page's script, as you type). Previews render with the engine's template
 * rendering and the tenant's sample values; they change nothing, so a read-only key may preview.
 */
export function registerTemplateRoutes(router: ConsoleRouter): void {
  const { ctx } = router;
  const fieldsOf = (form: URLSearchParams) => ({
    subject: (form.get("subject") ?? "").replaceAll("\r\n", "\n"),
    text: (form.get("text") ?? "").replaceAll("\r\n", "\n"),
    html: (form.get("html") ?? "").replaceAll("\r\n", "\n"),
  });

  router.page("/console/templates", async (caller, _request, reply) =>
    router.html(reply, 200, renderTemplateList(caller, await listTemplates(ctx.db, caller.tenant.id))),
  );

  router.page("/console/templates/edit", async (caller, request, reply) => {
    const key = parseTemplateKey((n) => request.query[n]);
    if (!key)
      return router.html(
        reply,
        400,
        renderTemplateList(
          caller,
          await listTemplates(ctx.db, caller.tenant.id),
          "A template needs an id (lower-case letters, digits, - and _), a locale such as en or fr-CA, and a channel.",
        ),
      );
    const loaded = await loadTemplate(ctx, caller.tenant.id, key);
    const fields = { subject: loaded.subject, text: loaded.text, html: loaded.html };
    const check = fields.text === "" ? null : validate(caller, key, fields).check;
    return router.html(
      reply,
      200,
      renderTemplateEditor(caller, {
        key,
        source: loaded.source,
        fields,
        check,
        notice: request.query.done === "saved" ? "Template saved." : undefined,
      }),
    );
  });

  router.action(
    "/console/templates/edit",
    async (caller, _request, form, reply) => {
      const key = parseTemplateKey((n) => form.get(n));
      if (!key) return router.text(reply, 400, "id, locale or channel is not valid");
      const fields = fieldsOf(form);
      const { input, check } = validate(caller, key, fields);
      const source = (await loadTemplate(ctx, caller.tenant.id, key)).source;
      if (form.get("intent") !== "save")
        return router.html(reply, 200, renderTemplateEditor(caller, { key, source, fields, check }));
      if (!canChange(caller))
        return router.text(reply, 403, "this API key is read-only: it can look but not change anything");
      if (input === null || check.errors.length > 0)
        return router.html(
          reply,
          400,
          renderTemplateEditor(caller, {
            key,
            source,
            fields,
            check,
            alert: "The template was not saved: see the errors next to the fields.",
          }),
        );
      await saveTemplate(ctx, ctx.db, caller.tenant, caller.actor, key.id, input);
      return router.redirect(
        reply,
        `/console/templates/edit?${new URLSearchParams({ id: key.id, locale: key.locale, channel: key.channel, done: "saved" })}`,
      );
    },
    "any",
  );

  router.action(
    "/console/templates/preview",
    async (caller, _request, form, reply) => {
      const key = parseTemplateKey((n) => form.get(n));
      if (!key)
        return reply
          .code(400)
          .header("cache-control", "no-store")
          .send({ error: "id, locale or channel is not valid" });
      return reply
        .code(200)
        .header("cache-control", "no-store")
        .send(previewJson(validate(caller, key, fieldsOf(form)).check));
    },
    "any",
  );
}
