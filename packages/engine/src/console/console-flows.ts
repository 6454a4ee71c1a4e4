import { type FlowDefinition, FlowDefinitionSchema } from "@trackflow/core";
import { type FlowVersionRow, listFlows, listFlowVersions } from "@trackflow/store";
import { writeAudit } from "../audit/audit-writer.ts";
import { saveFlowDefinition } from "../tenancy/provision.ts";
import { html, type SafeHtml } from "../tracking/html.ts";
import type { ConsoleCaller } from "./console-auth.ts";
import { formatInstant, statusLabel } from "./console-format.ts";
import { alertBox, canChange, consolePage, csrfField, noticeBox } from "./console-layout.ts";
import type { ConsoleRouter } from "./console-router.ts";

/** A problem with a flow's JSON: where (a JSON path, or a line and column) and what. */
export interface FlowProblem {
  path: string;
  message: string;
}

const NEW_FLOW: FlowDefinition = {
  id: "my-flow",
  name: "My flow",
  enabled: false,
  critical: false,
  trigger: { type: "shipment_status", statuses: ["delivered"] } as FlowDefinition["trigger"],
  conditions: [],
  steps: [
    { id: "email", type: "notify", channel: "email", to: "customer", template: "shipment_delivered" },
  ] as FlowDefinition["steps"],
};

/** "Unexpected token } in JSON at position 42" → the line and column of position 42. */
function jsonSyntaxProblem(text: string, error: Error): FlowProblem {
  const at = /position (\d+)/.exec(error.message);
  if (!at) return { path: "JSON", message: error.message };
  const before = text.slice(0, Number(at[1]));
  const line = before.split("\n").length;
  const column = before.length - before.lastIndexOf("\n");
  return {
    path: `line ${line}, column ${column}`,
    message: error.message.replace(/ in JSON at position \d+.*$/, ""),
  };
}

/**
 * A flow definition from the editor's JSON, validated with the core FlowDefinitionSchema: the
 * definition, or every problem found (JSON syntax with its line, or each field's path).
 */
export function parseFlowJson(
  text: string,
  urlId: string | null,
): { flow: FlowDefinition } | { problems: FlowProblem[] } {
  if (text.trim() === "") return { problems: [{ path: "JSON", message: "the definition is empty" }] };
  if (text.length > 200_000) return { problems: [{ path: "JSON", message: "at most 200,000 characters" }] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problems: [jsonSyntaxProblem(text, error as Error)] };
  }
  const parsed = FlowDefinitionSchema.safeParse(value);
  if (!parsed.success)
    return {
      problems: parsed.error.issues.slice(0, 20).map((issue) => ({
        path: issue.path.length === 0 ? "(the flow)" : issue.path.map(String).join("."),
        message: issue.message,
      })),
    };
  if (urlId !== null && parsed.data.id !== urlId)
    return {
      problems: [{ path: "id", message: `the id must stay "${urlId}" (save it as a new flow to change it)` }],
    };
  return { flow: parsed.data };
}

const enabledBadge = (enabled: boolean) =>
  html`<span class="status${enabled ? " ok" : ""}">${enabled ? "Enabled" : "Disabled"}</span>`;

function toggleForm(caller: ConsoleCaller, flow: FlowDefinition): SafeHtml {
  return html`<form method="post" action="/console/flows/${encodeURIComponent(flow.id)}/enabled">${csrfField(caller)}<input type="hidden" name="enabled" value="${flow.enabled ? "false" : "true"}"><button type="submit" class="secondary" aria-label="${flow.enabled ? "Disable" : "Enable"} flow ${flow.name}">${flow.enabled ? "Disable" : "Enable"}</button></form>`;
}

export function renderFlowList(
  caller: ConsoleCaller,
  flows: Awaited<ReturnType<typeof listFlows>>,
  notice?: string,
): string {
  const write = canChange(caller);
  return consolePage(
    caller,
    "flows",
    "Flows",
    html`<h1>Flows</h1>
${noticeBox(notice)}
<p><a href="/console/flows/simulate">Simulate the flows on a synthetic carrier timeline</a>${write ? html` · <a href="/console/flows/new">New flow</a>` : ""}</p>
${
  flows.length === 0
    ? html`<p>No flows yet.</p>`
    : html`<table><caption class="visually-hidden">Flows</caption>
<thead><tr><th scope="col">Flow</th><th scope="col">Trigger</th><th scope="col">Steps</th><th scope="col">Version</th><th scope="col">State</th>${write ? html`<th scope="col">Actions</th>` : ""}</tr></thead>
<tbody>${flows.map(
        ({ definition: f, version }) => html`<tr>
<td><a href="/console/flows/${encodeURIComponent(f.id)}">${f.name}</a><br><code>${f.id}</code>${f.critical ? html` <span class="status bad">Critical</span>` : ""}</td>
<td>${statusLabel(f.trigger.type)}</td><td>${f.steps.map((s) => s.type).join(", ")}</td><td>${version}</td>
<td>${enabledBadge(f.enabled)}</td>${write ? html`<td>${toggleForm(caller, f)}</td>` : ""}</tr>`,
      )}</tbody></table>`
}`,
  );
}

export interface FlowEditorState {
  id: string | null;
  /** the JSON in the editor */
  text: string;
  problems: FlowProblem[];
  versions: FlowVersionRow[];
  notice?: string | undefined;
}

export function renderFlowEditor(caller: ConsoleCaller, state: FlowEditorState): string {
  const write = canChange(caller);
  const title = state.id === null ? "New flow" : `Flow ${state.id}`;
  const action = `/console/flows/${state.id === null ? "new" : encodeURIComponent(state.id)}`;
  const invalid = state.problems.length > 0;
  const editor = write
    ? html`<form method="post" action="${action}" novalidate>${csrfField(caller)}
<div class="field"><label for="flow-json">Definition (JSON)</label>
<p class="muted" id="flow-json-hint">Trigger, conditions and steps as in the API (<code>PUT /api/flows/:id</code>). Saving a change makes a new version.</p>
<textarea id="flow-json" name="definition" rows="24" class="code" spellcheck="false" aria-describedby="flow-json-hint${invalid ? " flow-json-errors" : ""}"${invalid ? html` aria-invalid="true"` : ""}>${state.text}</textarea>
${
  invalid
    ? html`<div id="flow-json-errors" class="field-errors" role="alert"><p>The flow was not saved:</p><ul>${state.problems.map(
        (p) => html`<li><code>${p.path}</code>: ${p.message}</li>`,
      )}</ul></div>`
    : ""
}
</div>
<button type="submit">Save flow</button>
</form>`
    : html`<h2>Definition</h2><pre class="code">${state.text}</pre>`;
  return consolePage(
    caller,
    "flows",
    title,
    html`<p><a href="/console/flows">All flows</a></p>
<h1>${title}</h1>
${noticeBox(state.notice)}${invalid ? alertBox(`${state.problems.length} problem${state.problems.length === 1 ? "" : "s"} in the definition: see below the editor.`) : ""}
<section class="card" aria-label="Definition">${editor}</section>
${
  state.versions.length > 0
    ? html`<section class="card" aria-labelledby="versions"><h2 id="versions">Versions</h2>
<table><caption class="visually-hidden">Versions of this flow, newest first</caption>
<thead><tr><th scope="col">Version</th><th scope="col">Saved</th><th scope="col">State</th><th scope="col">Definition</th></tr></thead>
<tbody>${state.versions.map(
        (
          v,
        ) => html`<tr><td>${v.version}</td><td>${formatInstant(v.createdAt)}</td><td>${enabledBadge(v.enabled)}</td>
<td><details><summary>Show version ${v.version}</summary><pre class="code">${JSON.stringify(v.definition, null, 2)}</pre></details></td></tr>`,
      )}</tbody></table></section>`
    : ""
}`,
  );
}

/**
 * `GET /console/flows` (list, enable/disable), `GET|POST /console/flows/:id` (the JSON editor,
 * errors in place, versions; "new" for a new flow), `POST /console/flows/:id/enabled`.
 * Saving goes through saveFlowDefinition: a changed flow becomes a new version.
 */
export function registerFlowRoutes(router: ConsoleRouter): void {
  const { ctx } = router;
  const notices: Record<string, string> = {
    saved: "Flow saved.",
    enabled: "Flow enabled.",
    disabled: "Flow disabled.",
  };

  router.page("/console/flows", async (caller, request, reply) =>
    router.html(
      reply,
      200,
      renderFlowList(caller, await listFlows(ctx.db, caller.tenant.id), notices[request.query.done ?? ""]),
    ),
  );

  router.page("/console/flows/:id", async (caller, request, reply) => {
    const id = (request.params.id ?? "").slice(0, 64);
    if (id === "new")
      return router.html(
        reply,
        200,
        renderFlowEditor(caller, {
          id: null,
          text: JSON.stringify(NEW_FLOW, null, 2),
          problems: [],
          versions: [],
        }),
      );
    const versions = await listFlowVersions(ctx.db, caller.tenant.id, id);
    const latest = versions[0];
    if (!latest)
      return router.html(
        reply,
        404,
        renderFlowList(caller, await listFlows(ctx.db, caller.tenant.id), undefined),
      );
    return router.html(
      reply,
      200,
      renderFlowEditor(caller, {
        id,
        text: JSON.stringify(latest.definition, null, 2),
        problems: [],
        versions,
        notice: request.query.done === "saved" ? `Flow saved as version ${latest.version}.` : undefined,
      }),
    );
  });

  router.action("/console/flows/:id", async (caller, request, form, reply) => {
    const urlId = (request.params.id ?? "").slice(0, 64);
    const isNew = urlId === "new";
    const text = form.get("definition") ?? "";
    const versions = isNew ? [] : await listFlowVersions(ctx.db, caller.tenant.id, urlId);
    if (!isNew && versions.length === 0) return router.text(reply, 404, "no such flow");
    const result = parseFlowJson(text, isNew ? null : urlId);
    let problems = "problems" in result ? result.problems : [];
    if (
      "flow" in result &&
      isNew &&
      (await listFlowVersions(ctx.db, caller.tenant.id, result.flow.id)).length > 0
    )
      problems = [{ path: "id", message: `a flow "${result.flow.id}" exists already: edit it instead` }];
    if (problems.length > 0 || !("flow" in result))
      return router.html(
        reply,
        400,
        renderFlowEditor(caller, { id: isNew ? null : urlId, text, problems, versions }),
      );
    const version = await saveFlowDefinition(ctx, caller.tenant.id, result.flow);
    await writeAudit(ctx.db, caller.tenant.id, ctx.now(), {
      actor: caller.actor,
      action: "flow.edited",
      subject: `flow:${result.flow.id}`,
      data: { version, enabled: result.flow.enabled },
    });
    return router.redirect(reply, `/console/flows/${encodeURIComponent(result.flow.id)}?done=saved`);
  });

  router.action("/console/flows/:id/enabled", async (caller, request, form, reply) => {
    const id = (request.params.id ?? "").slice(0, 64);
    const latest = (await listFlowVersions(ctx.db, caller.tenant.id, id))[0];
    if (!latest) return router.text(reply, 404, "no such flow");
    const enabled = form.get("enabled") === "true";
    const version = await saveFlowDefinition(ctx, caller.tenant.id, { ...latest.definition, enabled });
    await writeAudit(ctx.db, caller.tenant.id, ctx.now(), {
      actor: caller.actor,
      action: enabled ? "flow.enabled" : "flow.disabled",
      subject: `flow:${id}`,
      data: { version },
    });
    return router.redirect(reply, `/console/flows?done=${enabled ? "enabled" : "disabled"}`);
  });
}
