import type { ApiKeyRole } from "@trackflow/store";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ConsoleExtension } from "../console/console-extension.ts";
import type { EngineContext } from "../engine-context.ts";

/** The API caller a plugin route sees: the key's tenant and role, and its name for the audit trail. */
export interface PluginCaller {
  tenantId: string;
  role: ApiKeyRole;
  actor: string;
}

/** What the server lends a plugin's routes. */
export interface ServerPluginHost {
  /**
   * The caller of an API request from its `Authorization: Bearer <key>`, exactly as the engine's
   * own API checks it (401 without a valid key, 403 for a read-only key on a write, 429 over the
   * tenant's rate): thrown as errors the app answers.
   */
  authenticate(request: FastifyRequest): Promise<PluginCaller>;
}

/**
 * A host app's part of the standalone server (WooCommerce, …): routes on the HTTP app (role web)
 * and periodic work (role worker). The engine knows no app; apps/server passes their plugins.
 */
export interface ServerPlugin {
  name: string;
  registerRoutes?(app: FastifyInstance, ctx: EngineContext, host: ServerPluginHost): void | Promise<void>;
  /** the plugin's pages in the web console */
  consoleExtensions?(ctx: EngineContext): readonly ConsoleExtension[];
  /** starts the plugin's workers; resolves with a function that stops them */
  startWorker?(ctx: EngineContext): Promise<() => Promise<void>>;
}
