import { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import type { EngineContext } from "@trackflow/engine";
import {
  deleteShopifySessions,
  getShopifySession,
  listShopifySessionsOfShop,
  type ShopifySessionRow,
  upsertShopifySession,
} from "@trackflow/store";

/** The context a session's tokens are encrypted under: a ciphertext moved to another session does not decrypt. */
const tokenContext = (sessionId: string, which: "access" | "refresh") =>
  `shopify:session:${sessionId}:${which}`;

/**
 * Shopify app sessions kept in Trackflow's own database (PGlite or PostgreSQL, the one the
 * engine opened: no second database). Access and refresh tokens are secrets: they are stored
 * only encrypted with the engine's CredentialCipher.
 */
export class TrackflowSessionStorage implements SessionStorage {
  readonly #ctx: EngineContext;

  constructor(ctx: EngineContext) {
    this.#ctx = ctx;
  }

  async storeSession(session: Session): Promise<boolean> {
    const { cipher } = this.#ctx;
    const row: ShopifySessionRow = {
      id: session.id,
      shop: session.shop,
      state: session.state,
      isOnline: session.isOnline,
      scope: session.scope ?? null,
      expires: session.expires ?? null,
      accessTokenCiphertext: session.accessToken
        ? cipher.encrypt(session.accessToken, tokenContext(session.id, "access"))
        : null,
      refreshTokenCiphertext: session.refreshToken
        ? cipher.encrypt(session.refreshToken, tokenContext(session.id, "refresh"))
        : null,
      refreshTokenExpires: session.refreshTokenExpires ?? null,
      onlineAccessInfo: session.onlineAccessInfo ?? null,
    };
    await upsertShopifySession(this.#ctx.db, row);
    return true;
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const row = await getShopifySession(this.#ctx.db, id);
    return row ? this.#toSession(row) : undefined;
  }

  async deleteSession(id: string): Promise<boolean> {
    await deleteShopifySessions(this.#ctx.db, [id]);
    return true;
  }

  async deleteSessions(ids: string[]): Promise<boolean> {
    await deleteShopifySessions(this.#ctx.db, ids);
    return true;
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    const rows = await listShopifySessionsOfShop(this.#ctx.db, shop);
    return rows.map((row) => this.#toSession(row));
  }

  #toSession(row: ShopifySessionRow): Session {
    const { cipher } = this.#ctx;
    const session = new Session({
      id: row.id,
      shop: row.shop,
      state: row.state,
      isOnline: row.isOnline,
    });
    if (row.scope !== null) session.scope = row.scope;
    if (row.expires !== null) session.expires = row.expires;
    if (row.accessTokenCiphertext !== null) {
      session.accessToken = cipher.decrypt(row.accessTokenCiphertext, tokenContext(row.id, "access"));
    }
    if (row.refreshTokenCiphertext !== null) {
      session.refreshToken = cipher.decrypt(row.refreshTokenCiphertext, tokenContext(row.id, "refresh"));
    }
    if (row.refreshTokenExpires !== null) session.refreshTokenExpires = row.refreshTokenExpires;
    if (row.onlineAccessInfo !== null && row.onlineAccessInfo !== undefined) {
      session.onlineAccessInfo = row.onlineAccessInfo as Session["onlineAccessInfo"];
    }
    return session;
  }
}
