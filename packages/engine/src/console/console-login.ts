import { html } from "../tracking/html.ts";
import { publicPage } from "./console-layout.ts";

export type LoginMessage = "invalid" | "invalidPassword" | "signedOut" | "expired" | "tooMany";

const MESSAGES: Record<LoginMessage, { text: string; alert: boolean }> = {
  invalid: { text: "That API key is not valid, or it has been revoked.", alert: true },
  invalidPassword: {
    text: "That workspace, e-mail address and password do not match an enabled user.",
    alert: true,
  },
  signedOut: { text: "You have signed out.", alert: false },
  expired: { text: "Your session has ended. Sign in again.", alert: false },
  tooMany: { text: "Too many attempts. Wait a while and try again.", alert: true },
};

/** What the password form is filled with again after a failed attempt (never the password). */
export interface LoginFormValues {
  tenant?: string;
  email?: string;
}

/**
 * The console's sign-in page, two ways: a staff user's workspace (tenant id), e-mail address and
 * password, or a tenant API key. Either is admin or read-only (look only).
 */
export function renderLogin(message?: LoginMessage, values: LoginFormValues = {}): string {
  const m = message ? MESSAGES[message] : null;
  return publicPage(
    "Sign in",
    html`<div class="login card">
<h1>Sign in to the Trackflow console</h1>
${m ? html`<div class="${m.alert ? "alert" : "notice"}" role="${m.alert ? "alert" : "status"}"><p>${m.text}</p></div>` : ""}
<section>
<h2 id="with-password">With your e-mail address</h2>
<form method="post" action="/console/login/password">
<div class="field"><label for="tenant">Workspace</label>
<p class="hint muted" id="tenant-hint">Your company's workspace id, as your admin gave it to you.</p>
<input id="tenant" name="tenant" type="text" autocomplete="organization" required maxlength="128" value="${values.tenant ?? ""}" aria-describedby="tenant-hint"></div>
<div class="field"><label for="email">E-mail address</label>
<input id="email" name="email" type="email" autocomplete="username" required maxlength="320" value="${values.email ?? ""}"></div>
<div class="field"><label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024"></div>
<button type="submit">Sign in</button>
</form>
</section>
<section>
<h2 id="with-key">With an API key</h2>
<form method="post" action="/console/login">
<div class="field"><label for="api-key">API key</label>
<p class="hint muted" id="api-key-hint">A tenant API key (tf_…). A read-only key can look but not change anything.</p>
<input id="api-key" name="apiKey" type="password" autocomplete="off" required aria-describedby="api-key-hint"></div>
<button type="submit">Sign in with the key</button>
</form>
</section>
</div>`,
  );
}
