import { type ConsoleUserRow, listConsoleUsers } from "@trackflow/store";
import { html, type SafeHtml } from "../tracking/html.ts";
import type { ConsoleCaller } from "./console-auth.ts";
import { formatInstant } from "./console-format.ts";
import { alertBox, consolePage, csrfField, noticeBox } from "./console-layout.ts";
import { passwordProblem } from "./console-password.ts";
import type { ConsoleRouter } from "./console-router.ts";
import {
  changeConsoleUser,
  createConsoleUser,
  NewUserSchema,
  USER_ROLES,
  UserAccountError,
} from "./console-user-accounts.ts";

const ROLE_LABELS: Record<(typeof USER_ROLES)[number], string> = {
  admin: "Admin (can change things)",
  read_only: "Read-only (can look)",
};

export interface UserFormState {
  email?: string;
  role?: string;
  problem?: { field: "email" | "password" | "role"; message: string };
}

function roleOptions(selected: string | undefined): SafeHtml[] {
  return USER_ROLES.map(
    (r) => html`<option value="${r}"${r === selected ? html` selected` : ""}>${ROLE_LABELS[r]}</option>`,
  );
}

function userRow(caller: ConsoleCaller, u: ConsoleUserRow): SafeHtml {
  const id = encodeURIComponent(u.id);
  const roleId = `role-${u.id}`;
  return html`<tr><td>${u.email}${caller.via === "user" && caller.keyId === u.id ? html` <span class="muted">(you)</span>` : ""}</td>
<td>${u.role === "admin" ? "Admin" : "Read-only"}</td><td>${u.disabled ? "Disabled" : "Enabled"}</td>
<td>${formatInstant(u.createdAt)}</td><td>${u.lastLoginAt ? formatInstant(u.lastLoginAt) : html`<span class="muted">never</span>`}</td>
<td><form method="post" action="/console/users/${id}/role" class="inline">${csrfField(caller)}
<label for="${roleId}" class="visually-hidden">Role of ${u.email}</label>
<select id="${roleId}" name="role">${roleOptions(u.role)}</select>
<button type="submit" class="secondary" aria-label="Change role of ${u.email}">Change role</button></form>
<form method="post" action="/console/users/${id}/${u.disabled ? "enable" : "disable"}" class="inline">${csrfField(caller)}
<button type="submit" class="secondary" aria-label="${u.disabled ? "Enable" : "Disable"} ${u.email}">${u.disabled ? "Enable" : "Disable"}</button></form></td></tr>`;
}

function createForm(caller: ConsoleCaller, state: UserFormState): SafeHtml {
  const err = (field: string) =>
    state.problem?.field === field
      ? html`<p class="field-error" id="u-${field}-error">${state.problem.message}</p>`
      : "";
  const described = (field: string, hint: string) =>
    [hint, state.problem?.field === field ? `u-${field}-error` : ""].filter(Boolean).join(" ");
  const invalid = (field: string) => (state.problem?.field === field ? html` aria-invalid="true"` : "");
  return html`<section class="card" aria-labelledby="add-user">
<h2 id="add-user">Add a user</h2>
<form method="post" action="/console/users" novalidate>${csrfField(caller)}
<div class="field"><label for="u-email">E-mail address</label>
<input id="u-email" name="email" type="email" required maxlength="320" autocomplete="off" value="${state.email ?? ""}"${described("email", "") ? html` aria-describedby="${described("email", "")}"` : ""}${invalid("email")}>${err("email")}</div>
<div class="field"><label for="u-role">Role</label>
<select id="u-role" name="role"${invalid("role")}>${roleOptions(state.role ?? "read_only")}</select>${err("role")}</div>
<div class="field"><label for="u-password">Initial password</label>
<p class="muted" id="u-password-hint">At least 10 characters. Leave it empty to have one generated: it is shown once, here, after saving.</p>
<input id="u-password" name="password" type="password" autocomplete="new-password" maxlength="1024" aria-describedby="${described("password", "u-password-hint")}"${invalid("password")}>${err("password")}</div>
<button type="submit">Add user</button>
</form>
</section>`;
}

export function renderUsers(
  caller: ConsoleCaller,
  users: ConsoleUserRow[],
  messages: {
    notice?: string | undefined;
    alert?: string | undefined;
    generated?: { email: string; password: string };
  } = {},
  form: UserFormState = {},
): string {
  return consolePage(
    caller,
    "users",
    "Users",
    html`<h1>Users</h1>
${noticeBox(messages.notice)}${alertBox(messages.alert)}
${
  messages.generated
    ? html`<div class="notice" role="status"><p>User ${messages.generated.email} added. Their password, shown only this once: <code class="secret">${messages.generated.password}</code></p></div>`
    : ""
}
<p>Staff sign in with the workspace id <code>${caller.tenant.id}</code>, their e-mail address and their password. A read-only user sees every page but cannot change anything.</p>
<section class="card" aria-labelledby="user-list">
<h2 id="user-list">Users (${users.length})</h2>
${
  users.length === 0
    ? html`<p>No users yet: only API keys can sign in.</p>`
    : html`<table><caption class="visually-hidden">Console users</caption>
<thead><tr><th scope="col">E-mail address</th><th scope="col">Role</th><th scope="col">State</th><th scope="col">Added</th><th scope="col">Last sign-in</th><th scope="col">Change</th></tr></thead>
<tbody>${users.map((u) => userRow(caller, u))}</tbody></table>`
}
</section>
${createForm(caller, form)}`,
  );
}

const DONE: Record<string, string> = {
  role: "Role changed.",
  disabled: "User disabled: their sessions have ended.",
  enabled: "User enabled.",
  added: "User added.",
};

/**
 * `GET|POST /console/users` (list, add), `POST /console/users/:id/role|disable|enable`: admins
 * only, a read-only caller gets 403 for the page too.
 */
export function registerUserRoutes(router: ConsoleRouter): void {
  const { ctx } = router;
  const forbidden = "only an admin manages users";

  router.page("/console/users", async (caller, request, reply) => {
    if (caller.role !== "admin") return router.text(reply, 403, forbidden);
    const notice = DONE[request.query.done ?? ""];
    return router.html(
      reply,
      200,
      renderUsers(caller, await listConsoleUsers(ctx.db, caller.tenant.id), { notice }),
    );
  });

  router.action("/console/users", async (caller, _request, form, reply) => {
    const email = (form.get("email") ?? "").trim();
    const role = form.get("role") ?? "";
    const password = form.get("password") ?? "";
    const again = async (status: number, problem: UserFormState["problem"]) =>
      router.html(
        reply,
        status,
        renderUsers(
          caller,
          await listConsoleUsers(ctx.db, caller.tenant.id),
          { alert: "The user was not added: see the form." },
          { email, role, problem },
        ),
      );
    if (password !== "") {
      const problem = passwordProblem(password);
      if (problem) return again(400, { field: "password", message: `The password needs ${problem}.` });
    }
    const parsed = NewUserSchema.safeParse({ email, role, ...(password === "" ? {} : { password }) });
    if (!parsed.success) {
      const field = String(parsed.error.issues[0]?.path[0] ?? "email");
      return again(400, {
        field: field === "role" ? "role" : "email",
        message: field === "role" ? "Pick a role." : "Enter an e-mail address, like ada@example.com.",
      });
    }
    try {
      const { user, generatedPassword } = await createConsoleUser(
        ctx,
        { tenantId: caller.tenant.id, actor: caller.actor },
        parsed.data,
      );
      if (generatedPassword === null) return router.redirect(reply, "/console/users?done=added");
      // shown once, on this answer only (the page is never cached)
      return router.html(
        reply,
        201,
        renderUsers(caller, await listConsoleUsers(ctx.db, caller.tenant.id), {
          generated: { email: user.email, password: generatedPassword },
        }),
      );
    } catch (error) {
      if (error instanceof UserAccountError)
        return again(error.status, { field: "email", message: error.message });
      throw error;
    }
  });

  const change = (
    url: string,
    what: (form: URLSearchParams) => { role?: "admin" | "read_only"; disabled?: boolean } | null,
    done: string,
  ) =>
    router.action(url, async (caller, request, form, reply) => {
      const asked = what(form);
      if (!asked) return router.text(reply, 400, "pick a role: admin or read_only");
      try {
        await changeConsoleUser(
          ctx,
          { tenantId: caller.tenant.id, actor: caller.actor },
          (request.params.id ?? "").slice(0, 128),
          asked,
        );
      } catch (error) {
        if (!(error instanceof UserAccountError)) throw error;
        if (error.status === 404) return router.text(reply, 404, "no such user");
        return router.html(
          reply,
          409,
          renderUsers(caller, await listConsoleUsers(ctx.db, caller.tenant.id), {
            alert: `Not changed: ${error.message}.`,
          }),
        );
      }
      return router.redirect(reply, `/console/users?done=${done}`);
    });

  change(
    "/console/users/:id/role",
    (form) => {
      const role = form.get("role");
      return role === "admin" || role === "read_only" ? { role } : null;
    },
    "role",
  );
  change("/console/users/:id/disable", () => ({ disabled: true }), "disabled");
  change("/console/users/:id/enable", () => ({ disabled: false }), "enabled");
}
