import type { ConsoleRouter } from "./console-router.ts";

/** A link in the console's navigation. */
export interface ConsoleNavEntry {
  label: string;
  href: string;
  /** only admins see it (and only admins may use the page) */
  adminOnly?: true;
}

/**
 * A host app's console page (WooCommerce's connection, …): a navigation entry and its routes,
 * registered through the console's router, so they get the session, the CSRF check, the roles
 * and the layout of every other page. The engine knows no app: the server passes them in.
 */
export interface ConsoleExtension {
  nav: ConsoleNavEntry;
  register(router: ConsoleRouter): void;
}
