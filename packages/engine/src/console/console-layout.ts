import { html, type SafeHtml } from "../tracking/html.ts";
import { CONSOLE_ASSET_VERSION } from "./console-assets.ts";
import type { ConsoleCaller } from "./console-auth.ts";

export type ConsoleSection = "overview" | "shipments" | "notifications";

const NAV: ReadonlyArray<{ section: ConsoleSection; label: string; href: string }> = [
  { section: "overview", label: "Overview", href: "/console" },
  { section: "shipments", label: "Shipments", href: "/console/shipments" },
  { section: "notifications", label: "Notifications", href: "/console/notifications" },
];

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
  section: ConsoleSection,
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
    <ul>${NAV.map(
      (n) =>
        html`<li><a href="${n.href}"${n.section === section ? html` aria-current="page"` : ""}>${n.label}</a></li>`,
    )}</ul>
  </nav>
  <div class="who">
    <span>${caller.tenant.name}${caller.role === "read_only" ? " (read-only)" : ""}</span>
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
