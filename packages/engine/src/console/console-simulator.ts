import type { SimulatedMessage, SimulationResult } from "../notify/simulate-flows.ts";
import { SimulationInputError } from "../notify/simulate-flows.ts";
import { simulateTenantFlows } from "../notify/simulate-tenant-flows.ts";
import { NAMED_TIMELINES, namedTimeline } from "../notify/synthetic-timelines.ts";
import { html, type SafeHtml } from "../tracking/html.ts";
import type { ConsoleCaller } from "./console-auth.ts";
import { statusLabel } from "./console-format.ts";
import { alertBox, consolePage } from "./console-layout.ts";
import type { ConsoleRouter } from "./console-router.ts";

/** A message's fate in words: sent, or why not (held, suppressed, throttled, digested). */
function fate(m: SimulatedMessage): SafeHtml {
  const label = m.suppressed
    ? "Suppressed"
    : m.throttled
      ? "Throttled"
      : m.held
        ? "Held"
        : m.digested
          ? "Digest"
          : "Sent";
  const tone = m.suppressed || m.throttled ? " bad" : label === "Sent" ? " ok" : "";
  return html`<span class="status${tone}">${label}</span>${m.reason ? html`<br><span class="muted">${m.reason}</span>` : ""}`;
}

function messagesOfFlow(flowId: string, messages: SimulatedMessage[]): SafeHtml {
  return html`<section class="card" aria-labelledby="sim-${flowId}">
<h3 id="sim-${flowId}">Flow <code>${flowId}</code>: ${messages.length} message${messages.length === 1 ? "" : "s"}</h3>
<table><caption class="visually-hidden">Messages flow ${flowId} would send</caption>
<thead><tr><th scope="col">When</th><th scope="col">Step</th><th scope="col">Why</th><th scope="col">Channel and recipient</th><th scope="col">Message</th><th scope="col">Outcome</th></tr></thead>
<tbody>${messages.map(
    (
      m,
    ) => html`<tr><td>${m.at.replace("T", " ").slice(0, 16)}</td><td><code>${m.stepId}</code> <span class="muted">${m.stepType}</span></td>
<td>${m.why}</td><td>${m.channel} <span class="muted">(${m.channelKind})</span><br>${m.to}</td>
<td>${m.subject ? html`<strong>${m.subject}</strong><br>` : ""}<span class="message-text">${m.text}</span></td><td>${fate(m)}</td></tr>`,
  )}</tbody></table></section>`;
}

export function renderSimulator(
  caller: ConsoleCaller,
  chosen: string | null,
  result: SimulationResult | null,
  alert?: string,
): string {
  const timeline = chosen ? namedTimeline(chosen) : null;
  const byFlow = new Map<string, SimulatedMessage[]>();
  for (const m of result?.messages ?? []) {
    const list = byFlow.get(m.flowId) ?? [];
    list.push(m);
    byFlow.set(m.flowId, list);
  }
  return consolePage(
    caller,
    "flows",
    "Flow simulator",
    html`<p><a href="/console/flows">All flows</a></p>
<h1>Flow simulator</h1>
${alertBox(alert)}
<p class="muted">A dry run of the enabled flows, with your templates and channels, over a synthetic carrier timeline: nothing is sent or stored.</p>
<form class="filters" method="get" action="/console/flows/simulate" aria-label="Pick a timeline">
<div><label for="sim-timeline">Synthetic carrier timeline</label><select id="sim-timeline" name="timeline">${NAMED_TIMELINES.map(
      (t) =>
        html`<option value="${t.name}"${t.name === chosen ? html` selected` : ""}>${statusLabel(t.name.replaceAll("-", "_"))}: ${t.description}</option>`,
    )}</select></div>
<div><button type="submit">Run the simulation</button></div>
</form>
${
  timeline && result
    ? html`<section class="card" aria-labelledby="sim-timeline-heading"><h2 id="sim-timeline-heading">Timeline: ${timeline.description}</h2>
<ol>${timeline.events.map((e) => html`<li><span class="mono">${e.at}</span> ${statusLabel(e.status)}${e.reason ? html` <span class="muted">(${e.reason})</span>` : ""}${e.message ? `: ${e.message}` : ""}</li>`)}</ol>
<p>${result.shipments.map((s) => `${s.carrier.toUpperCase()} ${s.trackingNumber} ended ${statusLabel(s.status)} after ${s.events} events`).join("; ")}.</p></section>
<h2 id="sim-results">${result.messages.length} message${result.messages.length === 1 ? "" : "s"} from ${byFlow.size} flow${byFlow.size === 1 ? "" : "s"}</h2>
${result.messages.length === 0 ? html`<p>No enabled flow acts on this timeline.</p>` : [...byFlow.entries()].map(([flowId, messages]) => messagesOfFlow(flowId, messages))}`
    : ""
}`,
  );
}

/** `GET /console/flows/simulate?timeline=<name>`: the simulator behind POST /api/flows/simulate. */
export function registerSimulatorRoutes(router: ConsoleRouter): void {
  const { ctx } = router;
  router.page("/console/flows/simulate", async (caller, request, reply) => {
    const name = request.query.timeline;
    if (name === undefined || name === "")
      return router.html(reply, 200, renderSimulator(caller, null, null));
    if (!namedTimeline(name))
      return router.html(reply, 400, renderSimulator(caller, null, null, `There is no timeline "${name}".`));
    try {
      const result = await simulateTenantFlows(ctx, caller.tenant, { timeline: { named: name } });
      return router.html(reply, 200, renderSimulator(caller, name, result));
    } catch (error) {
      if (!(error instanceof SimulationInputError)) throw error;
      return router.html(reply, 400, renderSimulator(caller, name, null, error.message));
    }
  });
}
