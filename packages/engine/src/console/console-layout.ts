import { html, type SafeHtml } from "../tracking/html.ts";
import { CONSOLE_ASSET_VERSION } from "./console-assets.ts";
import type { ConsoleCaller } from "./console-auth.ts";

export type ConsoleSection =
  | "overview"
  | "shipments"
  | "exceptions"
  | "notifications"
  | "flows"
  | "templates"
  | "channels"
  | "audit"
  | "users";

const NAV: ReadonlyArray<{ section: ConsoleSection; label: string; href: string; adminOnly?: true }> = [
  { section: "overview", label: "Overview", href: "/console" },
  { section: "shipments", label: "Shipments", href: "/console/shipments" },
  { section: "exceptions", label: "Exceptions", href: "/console/exceptions" },
  { section: "notifications", label: "Notifications", href: "/console/notifications" },
  { section: "flows", label: "Flows", href: "/console/flows" },
  { section: "templates", label: "Templates", href: "/console/templates" },
  { section: "channels", label: "Channels", href: "/console/channels" },
  { section: "audit", label: "Audit", href: "/console/audit" },
  { section: "users", label: "Users", href: "/console/users", adminOnly: true },
];

/** A success message after a change (a polite live region); nothing without one. */
export const noticeBox = (notice: string | undefined): SafeHtml | "" =>
  notice ? html`<div class="notice" role="status"><p>${notice}</p></div>` : "";

/** A problem with what was asked (an assertive live region); nothing without one. */
export const alertBox = (alert: string | undefined): SafeHtml | "" =>
  alert ? html`<div class="alert" role="alert"><p>${alert}</p></div>` : "";

/** Whether the caller may change things (the forms are left out for a read-only key). */
export const canChange = (caller: ConsoleCaller): boolean => caller.role === "admin";

/** The CSRF field every console form carries. */
export const csrfField = (caller: ConsoleCaller): SafeHtml =>
  html`<input type="hidden" name="csrf" value="${caller.session.csrf}">`;

function head(title: string): SafeHtml {
  return html`<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${title} · Trackflow console</title>
<link rel="stylesheet" href="/console/assets/console.css?v=${CONSOLE_ASSET_VERSION}">
<script src="/console/assets/console.js?v=${CONSOLE_ASSET_VERSION}" defer></script>`;
}

/**
 * A console page: skip link, a banner with the navigation and who is signed in (with sign-out),
 * and the page's content in `main`.
 */
export function consolePage(
  caller: ConsoleCaller,
  /** the console's own section, or a host app's page by its href */
  section: ConsoleSection | `/console/${string}`,
  title: string,
  content: SafeHtml,
): string {
  return `<!doctype html>${html`<html lang="en">
<head>${head(title)}</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="top">
  <a class="product" href="/console">Trackflow</a>
  <nav aria-label="Console">
    <ul>${[...NAV, ...(caller.extraNav ?? []).map((n) => ({ ...n, section: n.href }))]
      .filter((n) => !n.adminOnly || caller.role === "admin")
      .map(
        (n) =>
          html`<li><a href="${n.href}"${n.section === section ? html` aria-current="page"` : ""}>${n.label}</a></li>`,
      )}</ul>
  </nav>
  <div class="who">
    <span>${caller.via === "user" ? `${caller.keyLabel} · ` : ""}${caller.tenant.name}${caller.role === "read_only" ? " (read-only)" : ""}</span>
    <form method="post" action="/console/logout">${csrfField(caller)}<button type="submit">Sign out</button></form>
  </div>
</header>
<main id="main" tabindex="-1">
${content}
</main>
</body>
</html>`}`;
}

/** A page outside a session: the login form. */
export function publicPage(title: string, content: SafeHtml): string {
  return `<!doctype html>${html`<html lang="en">
<head>${head(title)}</head>
<body>
<main id="main">
${content}
</main>
</body>
</html>`}`;
}
