import { type FakeWoo, startFakeWoo } from "@trackflow/channels/testing";
import { issueApiKey } from "@trackflow/engine";
import { getWooConnection } from "@trackflow/store";
import { DATABASE_KINDS } from "@trackflow/store/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TEST_TENANT, type WooTestServer, wooTestServers } from "./testing/woo-test-server.ts";
import { WOO_CONSOLE_PATH } from "./woo-console-page.ts";

const KEY = "ck_4f1c2e0b9a8d7c6b5a4f3e2d1c0b9a8d7c6b5a4f";
const SECRET = "cs_9e8d7c6b5a4f3e2d1c0b9a8d7c6b5a4f3e2d1c0b";
const now = () => new Date();

describe.each(DATABASE_KINDS)("the WooCommerce console page on %s", (kind) => {
  let servers: Awaited<ReturnType<typeof wooTestServers>>;
  const shops: FakeWoo[] = [];
  beforeAll(async () => {
    servers = await wooTestServers(kind);
  }, 180_000);
  afterEach(async () => {
    for (const woo of shops.splice(0)) await woo.close().catch(() => undefined);
  });
  afterAll(async () => {
    await servers?.stop();
  });

  const signIn = async (server: WooTestServer, role: "admin" | "read_only") => {
    const apiKey = await issueApiKey(server.engine.ctx, TEST_TENANT, role, `console ${role}`);
    const res = await server.app.inject({
      method: "POST",
      url: "/console/login",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ apiKey }).toString(),
    });
    expect(res.statusCode, res.body).toBe(303);
    return String(res.headers["set-cookie"]).split(";")[0]!;
  };
  const get = (server: WooTestServer, url: string, cookie: string) =>
    server.app.inject({ method: "GET", url, headers: { cookie } });
  const post = (server: WooTestServer, url: string, cookie: string, form: Record<string, string>) =>
    server.app.inject({
      method: "POST",
      url,
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams(form).toString(),
    });
  const csrfOf = (body: string) => /name="csrf" value="([^"]+)"/.exec(body)![1]!;

  it("connects a shop from the console, explains a bad key in place, and disconnects it", async () => {
    const server = await servers.start(now);
    const woo = await startFakeWoo({
      now,
      keys: [{ consumerKey: KEY, consumerSecret: SECRET, permissions: "read_write" }],
    });
    shops.push(woo);
    const cookie = await signIn(server, "admin");

    const empty = await get(server, WOO_CONSOLE_PATH, cookie);
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain("No WooCommerce shop is connected.");
    expect(empty.body).toContain(`<a href="${WOO_CONSOLE_PATH}" aria-current="page">WooCommerce</a>`);
    const csrf = csrfOf(empty.body);

    // a malformed key: 422, the message next to its field, what was typed given back but the secret
    const malformed = await post(server, `${WOO_CONSOLE_PATH}/connect`, cookie, {
      csrf,
      storeUrl: woo.url,
      consumerKey: "not-a-key",
      consumerSecret: SECRET,
    });
    expect(malformed.statusCode).toBe(422);
    expect(malformed.body).toContain('id="w-consumerKey-error"');
    expect(malformed.body).toContain('value="not-a-key"');
    expect(malformed.body).not.toContain(SECRET);

    // a key the shop does not know: the shop's answer, explained
    const wrong = await post(server, `${WOO_CONSOLE_PATH}/connect`, cookie, {
      csrf,
      storeUrl: woo.url,
      consumerKey: `ck_${"1".repeat(40)}`,
      consumerSecret: SECRET,
    });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain('id="w-shop-error"');
    expect(await getWooConnection(server.engine.ctx.db, TEST_TENANT)).toBeNull();

    const connected = await post(server, `${WOO_CONSOLE_PATH}/connect`, cookie, {
      csrf,
      storeUrl: woo.url,
      consumerKey: KEY,
      consumerSecret: SECRET,
      enableWriteback: "1",
      noteVisibility: "customer",
    });
    expect(connected.statusCode, connected.body).toBe(303);
    expect(connected.headers.location).toBe(`${WOO_CONSOLE_PATH}?done=connected`);
    const shown = await get(server, `${WOO_CONSOLE_PATH}?done=connected`, cookie);
    expect(shown.body).toContain("The shop is connected");
    expect(shown.body).toContain(woo.url);
    expect(shown.body).toContain("order.updated");
    expect(woo.webhooks.size).toBe(3);

    const gone = await post(server, `${WOO_CONSOLE_PATH}/disconnect`, cookie, { csrf });
    expect(gone.headers.location).toBe(`${WOO_CONSOLE_PATH}?done=disconnected`);
    expect(woo.webhooks.size).toBe(0);
    expect(await getWooConnection(server.engine.ctx.db, TEST_TENANT)).toBeNull();
  });

  it("shows a read-only key the page without its forms, and refuses its changes", async () => {
    const server = await servers.start(now);
    const cookie = await signIn(server, "read_only");
    const page = await get(server, WOO_CONSOLE_PATH, cookie);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain(`action="${WOO_CONSOLE_PATH}/connect"`);
    const refused = await post(server, `${WOO_CONSOLE_PATH}/disconnect`, cookie, { csrf: csrfOf(page.body) });
    expect(refused.statusCode).toBe(403);
  });
});
