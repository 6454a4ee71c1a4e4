import { Session } from "@shopify/shopify-api";
import type { Engine } from "@trackflow/engine";
import { DATABASE_KINDS } from "@trackflow/store/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { testEngines } from "../testing/test-engine.ts";
import { TrackflowSessionStorage } from "./trackflow-session-storage.ts";

const SHOP = "acme-goods.myshopify.com";

describe.each(DATABASE_KINDS)("Trackflow session storage on %s", (kind) => {
  let engines: Awaited<ReturnType<typeof testEngines>>;
  let engine: Engine;
  let storage: TrackflowSessionStorage;

  beforeAll(async () => {
    engines = await testEngines(kind);
    engine = await engines.open();
  });
  afterAll(async () => {
    await engines.stop();
  });
  beforeEach(async () => {
    // One database for the suite: each test starts from no sessions.
    await engine.ctx.db.query("DELETE FROM shopify_sessions");
    storage = new TrackflowSessionStorage(engine.ctx);
  });

  function offlineSession(token = "shpat_offline_0123456789abcdef") {
    const session = new Session({ id: `offline_${SHOP}`, shop: SHOP, state: "state-1", isOnline: false });
    session.scope = "read_orders,write_fulfillments";
    session.accessToken = token;
    return session;
  }

  it("stores and loads an offline session, the token only encrypted at rest", async () => {
    expect(await storage.storeSession(offlineSession())).toBe(true);
    const loaded = await storage.loadSession(`offline_${SHOP}`);
    expect(loaded?.toObject()).toEqual(offlineSession().toObject());
    expect(loaded?.isActive("read_orders,write_fulfillments")).toBe(true);
    const { rows } = await engine.ctx.db.query<Record<string, unknown>>("SELECT * FROM shopify_sessions");
    expect(JSON.stringify(rows)).not.toContain("shpat_offline_0123456789abcdef");
    expect(rows[0]!.access_token_ciphertext).toMatch(/^v1\./);
  });

  it("an online session keeps its expiry, refresh token and user info", async () => {
    const expires = new Date("2026-12-02T18:00:00.000Z");
    const session = new Session({
      id: `${SHOP}_42`,
      shop: SHOP,
      state: "state-2",
      isOnline: true,
      scope: "read_orders",
      expires,
      accessToken: "shpua_online",
      refreshToken: "shprt_refresh",
      refreshTokenExpires: new Date("2027-01-01T00:00:00.000Z"),
      onlineAccessInfo: {
        expires_in: 86399,
        associated_user_scope: "read_orders",
        associated_user: {
          id: 42,
          first_name: "Ada",
          last_name: "Lovelace",
          email: "ada@example.com",
          email_verified: true,
          account_owner: true,
          locale: "en",
          collaborator: false,
        },
      },
    });
    await storage.storeSession(session);
    const loaded = await storage.loadSession(session.id);
    expect(loaded?.toObject()).toEqual(session.toObject());
    expect(loaded?.expires?.toISOString()).toBe(expires.toISOString());
  });

  it("updates a stored session in place, finds a shop's sessions and deletes them", async () => {
    await storage.storeSession(offlineSession());
    await storage.storeSession(offlineSession("shpat_rotated"));
    await storage.storeSession(new Session({ id: `${SHOP}_7`, shop: SHOP, state: "s", isOnline: true }));
    await storage.storeSession(
      new Session({
        id: "offline_other.myshopify.com",
        shop: "other.myshopify.com",
        state: "s",
        isOnline: false,
      }),
    );
    const ofShop = await storage.findSessionsByShop(SHOP);
    expect(ofShop.map((s) => s.id).sort()).toEqual([`${SHOP}_7`, `offline_${SHOP}`]);
    expect(ofShop.find((s) => !s.isOnline)?.accessToken).toBe("shpat_rotated");
    expect(await storage.deleteSessions([`${SHOP}_7`, `offline_${SHOP}`])).toBe(true);
    expect(await storage.findSessionsByShop(SHOP)).toEqual([]);
    expect(await storage.deleteSession("offline_other.myshopify.com")).toBe(true);
    expect(await storage.loadSession("offline_other.myshopify.com")).toBeUndefined();
    expect(await storage.deleteSession("never-existed")).toBe(true);
  });

  it("a token ciphertext moved to another session does not decrypt", async () => {
    await storage.storeSession(offlineSession());
    await engine.ctx.db.query(
      `INSERT INTO shopify_sessions (id, shop, state, is_online, access_token_ciphertext)
       SELECT 'stolen', shop, state, is_online, access_token_ciphertext FROM shopify_sessions WHERE id = $1`,
      [`offline_${SHOP}`],
    );
    await expect(storage.loadSession("stolen")).rejects.toThrow(/does not decrypt/);
  });
});
