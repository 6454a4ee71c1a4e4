import { html } from "../tracking/html.ts";
import { publicPage } from "./console-layout.ts";

export type LoginMessage = "invalid" | "signedOut" | "expired" | "tooMany";

const MESSAGES: Record<LoginMessage, { text: string; alert: boolean }> = {
  invalid: { text: "That API key is not valid, or it has been revoked.", alert: true },
  signedOut: { text: "You have signed out.", alert: false },
  expired: { text: "Your session has ended. Sign in again.", alert: false },
  tooMany: { text: "Too many attempts. Wait a minute and try again.", alert: true },
};

/** The console's sign-in form: a tenant API key (admin, or read-only to look only). */
export function renderLogin(message?: LoginMessage): string {
  const m = message ? MESSAGES[message] : null;
  return publicPage(
    "Sign in",
    html`<div class="login card">
<h1>Sign in to the Trackflow console</h1>
${m ? html`<div class="${m.alert ? "alert" : "notice"}" role="${m.alert ? "alert" : "status"}"><p>${m.text}</p></div>` : ""}
<form method="post" action="/console/login">
<div class="field"><label for="api-key">API key</label>
<p class="hint muted" id="api-key-hint">A tenant API key (tf_…). A read-only key can look but not change anything.</p>
<input id="api-key" name="apiKey" type="password" autocomplete="current-password" required aria-describedby="api-key-hint"></div>
<button type="submit">Sign in</button>
</form>
</div>`,
  );
}
