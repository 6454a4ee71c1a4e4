import type { LoopbackReply, LoopbackServer } from "../../testing/loopback-server.ts";
import { ACTIVECAMPAIGN_EVENT_NAME_MAX, ACTIVECAMPAIGN_EVENT_PATH } from "./activecampaign-provider.ts";

export interface FakeActivecampaignEvent {
  event: string;
  eventdata: string | null;
  email: string;
}

export interface FakeActivecampaign {
  /** the events tracked, in order (Event Tracking does not deduplicate) */
  tracked: FakeActivecampaignEvent[];
}

function failure(message: string): LoopbackReply {
  return { status: 200, body: { success: 0, message } };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * ActiveCampaign Event Tracking on a loopback server, as documented: `POST /event`,
 * `application/x-www-form-urlencoded` with actid, key, event (at most 32 characters), optional
 * eventdata and visit (a JSON-encoded `{"email":…}`); HTTP 200 `{"success":1,"message":"Event spawned"}`,
 * or HTTP 200 `{"success":0,"message":…}` when the account, key, event or contact is not right or
 * Event Tracking is switched off. The failure wordings are this fake's own.
 */
export function fakeActivecampaign(
  server: LoopbackServer,
  options: { accountId: string; eventKey: string; trackingEnabled?: boolean },
): FakeActivecampaign {
  const fake: FakeActivecampaign = { tracked: [] };
  server.route("POST", ACTIVECAMPAIGN_EVENT_PATH, (request) => {
    const form = request.form;
    if (form === undefined) return failure("Request must be application/x-www-form-urlencoded");
    if (!form.actid || !form.key) return failure("Missing actid or key");
    if (form.actid !== options.accountId || form.key !== options.eventKey)
      return failure("Invalid actid or key");
    if (options.trackingEnabled === false) return failure("Event tracking is not enabled for this account");
    if (!form.event) return failure("Missing event name");
    if (form.event.length > ACTIVECAMPAIGN_EVENT_NAME_MAX) {
      return failure(`Event name must be ${ACTIVECAMPAIGN_EVENT_NAME_MAX} characters or less`);
    }
    let visit: unknown;
    try {
      visit = JSON.parse(form.visit ?? "");
    } catch {
      return failure("Missing or invalid visit");
    }
    const email =
      typeof visit === "object" && visit !== null ? (visit as { email?: unknown }).email : undefined;
    if (typeof email !== "string" || !EMAIL.test(email)) return failure("Invalid visit email address");
    fake.tracked.push({ event: form.event, eventdata: form.eventdata ?? null, email });
    return { status: 200, body: { success: 1, message: "Event spawned" } };
  });
  return fake;
}
