import { buildApp, type Engine, provisionTenant, type ServerPluginHost } from "@trackflow/engine";
import { testEngineFactory } from "@trackflow/engine/testing";
import type { DatabaseKind } from "@trackflow/store";
import type { FastifyInstance } from "fastify";
import type { WooClientOptions } from "../woo-client.ts";
import { wooConsoleExtension } from "../woo-console-page.ts";
import { registerWooRoutes } from "../woo-routes.ts";

export const TEST_TENANT = "acme";
export const TEST_API_KEY = "tf_test_key";

/** A Trackflow server with the WooCommerce routes, on a fresh database, reachable on loopback. */
export interface WooTestServer {
  engine: Engine;
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/**
 * One database backend per test file (PGlite or PostgreSQL), migrated once, and per test a fresh
 * engine on a copy of that database with the tenant "acme" and the HTTP app with the WooCommerce routes and console page. The engine's own API authentication
 * is tested in the engine; here the plugin host accepts one bearer key.
 */
export async function wooTestServers(kind: DatabaseKind) {
  const factory = await testEngineFactory(kind);
  const open: WooTestServer[] = [];
  return {
    async start(now: () => Date, clientOptions: WooClientOptions = {}): Promise<WooTestServer> {
      const engine = await factory.open({ now });
      await provisionTenant(engine.ctx, TEST_TENANT, "Acme");
      const app = buildApp(engine.ctx, {
        consoleExtensions: [wooConsoleExtension(engine.ctx, clientOptions)],
      });
      const host: ServerPluginHost = {
        async authenticate(request) {
          if (request.headers.authorization !== `Bearer ${TEST_API_KEY}`)
            throw Object.assign(new Error("an API key is required"), { statusCode: 401 });
          return { tenantId: TEST_TENANT, role: "admin", actor: "api-key:test" };
        },
      };
      registerWooRoutes(app, engine.ctx, host, clientOptions);
      const url = await app.listen({ port: 0, host: "127.0.0.1" });
      engine.ctx.publicUrl = url;
      const server = {
        engine,
        app,
        url,
        async close() {
          await app.close();
          await engine.close();
        },
      };
      open.push(server);
      return server;
    },
    async stop() {
      await Promise.all(open.map((s) => s.close().catch(() => undefined)));
      await factory.stop();
    },
  };
}
