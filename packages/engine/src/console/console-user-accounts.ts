import {
  type ApiKeyRole,
  ConsoleUserExistsError,
  type ConsoleUserRow,
  countActiveConsoleAdmins,
  findConsoleUserByEmail,
  getConsoleUser,
  getTenant,
  insertConsoleUser,
  recordConsoleLogin,
  updateConsoleUser,
} from "@trackflow/store";
import { z } from "zod";
import { writeAudit } from "../audit/audit-writer.ts";
import { type EngineContext, newId } from "../engine-context.ts";
import {
  decoyHash,
  generatePassword,
  hashPassword,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  verifyPassword,
} from "./console-password.ts";

export const USER_ROLES = ["admin", "read_only"] as const satisfies readonly ApiKeyRole[];

/** A new console user: without a password, one is generated and shown once. */
export const NewUserSchema = z.strictObject({
  email: z.email().max(320),
  role: z.enum(USER_ROLES),
  password: z.string().min(MIN_PASSWORD_LENGTH).max(MAX_PASSWORD_LENGTH).optional(),
});

/** A change to a user: role, disabled (or enabled again), or both. */
export const UserChangeSchema = z
  .strictObject({ role: z.enum(USER_ROLES).optional(), disabled: z.boolean().optional() })
  .refine((c) => c.role !== undefined || c.disabled !== undefined, "name role or disabled");

/** Why a change to the users was refused: 404 unknown user, 409 taken address or last admin. */
export class UserAccountError extends Error {
  override name = "UserAccountError";
  readonly status: 404 | 409;
  readonly field: string | undefined;
  constructor(status: 404 | 409, message: string, field?: string) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

/** What an API or console caller looks like to these operations. */
export interface UserActor {
  tenantId: string;
  actor: string;
}

/** A user as the API and the page show it (never the hash). */
export const userView = (u: ConsoleUserRow) => ({
  id: u.id,
  email: u.email,
  role: u.role,
  disabled: u.disabled,
  createdAt: u.createdAt.toISOString(),
  lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
});

/** Adds a user, audited; returns it with the generated password when none was given (shown once). */
export async function createConsoleUser(
  ctx: EngineContext,
  by: UserActor,
  input: z.infer<typeof NewUserSchema>,
): Promise<{ user: ConsoleUserRow; generatedPassword: string | null }> {
  const generatedPassword = input.password === undefined ? generatePassword() : null;
  const passwordHash = await hashPassword(input.password ?? generatedPassword!);
  try {
    const user = await ctx.db.transaction(async (tx) => {
      const row = await insertConsoleUser(tx, {
        id: newId("usr"),
        tenantId: by.tenantId,
        email: input.email,
        passwordHash,
        role: input.role,
        createdAt: ctx.now(),
      });
      await writeAudit(tx, by.tenantId, ctx.now(), {
        actor: by.actor,
        action: "console_user.created",
        subject: `console-user:${row.id}`,
        data: { email: row.email, role: row.role, passwordGenerated: generatedPassword !== null },
      });
      return row;
    });
    return { user, generatedPassword };
  } catch (error) {
    if (error instanceof ConsoleUserExistsError) throw new UserAccountError(409, error.message, "email");
    throw error;
  }
}

/**
 * Changes a user's role or disables it, audited (`console_user.role_changed`,
 * `console_user.disabled`, `console_user.enabled`). Refused when it would leave the tenant without
 * an enabled admin user (so an admin cannot lock themselves out as the last one).
 */
export async function changeConsoleUser(
  ctx: EngineContext,
  by: UserActor,
  id: string,
  change: z.infer<typeof UserChangeSchema>,
): Promise<ConsoleUserRow> {
  return await ctx.db.transaction(async (tx) => {
    const admins = await countActiveConsoleAdmins(tx, by.tenantId); // locks the tenant's users
    const before = await getConsoleUser(tx, by.tenantId, id);
    if (!before) throw new UserAccountError(404, "no such user");
    const wasAdmin = before.role === "admin" && !before.disabled;
    const role = change.role ?? before.role;
    const disabled = change.disabled ?? before.disabled;
    if (wasAdmin && (role !== "admin" || disabled) && admins <= 1)
      throw new UserAccountError(
        409,
        "this is the last enabled admin: make another user admin before demoting or disabling this one",
        change.disabled ? "disabled" : "role",
      );
    const after = (await updateConsoleUser(tx, by.tenantId, id, { role, disabled }))!;
    const audit = (action: string, data: unknown) =>
      writeAudit(tx, by.tenantId, ctx.now(), {
        actor: by.actor,
        action,
        subject: `console-user:${id}`,
        data,
      });
    if (after.role !== before.role)
      await audit("console_user.role_changed", { email: after.email, from: before.role, to: after.role });
    if (after.disabled !== before.disabled)
      await audit(after.disabled ? "console_user.disabled" : "console_user.enabled", { email: after.email });
    return after;
  });
}

/** Failed sign-ins per e-mail address and client address: after `max` in a window, refused until it ends. */
export class SignInFailures {
  readonly #failures = new Map<string, { count: number; since: number }>();
  readonly #now: () => number;
  readonly #max: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;

  constructor(options: { now?: () => number; max?: number; windowMs?: number; maxKeys?: number } = {}) {
    this.#now = options.now ?? Date.now;
    this.#max = options.max ?? 5;
    this.#windowMs = options.windowMs ?? 15 * 60_000;
    this.#maxKeys = options.maxKeys ?? 50_000;
  }

  /** 0 when another attempt may be made, else the milliseconds until one may. */
  wait(key: string): number {
    const f = this.#failures.get(key);
    if (!f) return 0;
    const left = f.since + this.#windowMs - this.#now();
    if (left <= 0) {
      this.#failures.delete(key);
      return 0;
    }
    return f.count >= this.#max ? left : 0;
  }

  fail(key: string): void {
    const now = this.#now();
    const f = this.#failures.get(key);
    const next =
      f && f.since + this.#windowMs > now ? { count: f.count + 1, since: f.since } : { count: 1, since: now };
    this.#failures.delete(key);
    this.#failures.set(key, next);
    if (this.#failures.size > this.#maxKeys) this.#failures.delete(this.#failures.keys().next().value!);
  }

  succeed(key: string): void {
    this.#failures.delete(key);
  }
}

export type SignInOutcome =
  | { ok: true; user: ConsoleUserRow }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "tooMany"; retryAfterMs: number };

/**
 * Checks an e-mail address and password for a tenant. An unknown tenant or address, a wrong
 * password and a disabled user all take the same path (one scrypt, one audit record when the
 * tenant exists) and give the same answer; repeated failures for the address from one client are
 * refused for a while. The password is never recorded.
 */
export async function signInWithPassword(
  ctx: EngineContext,
  failures: SignInFailures,
  attempt: { tenantId: string; email: string; password: string; ip: string },
): Promise<SignInOutcome> {
  const tenantId = attempt.tenantId.trim().slice(0, 128);
  const email = attempt.email.trim().slice(0, 320);
  const key = `${tenantId}|${email.toLowerCase()}|${attempt.ip}`;
  const wait = failures.wait(key);
  if (wait > 0) return { ok: false, reason: "tooMany", retryAfterMs: wait };
  const tenant = tenantId === "" ? null : await getTenant(ctx.db, tenantId);
  const user = tenant && email !== "" ? await findConsoleUserByEmail(ctx.db, tenant.id, email) : null;
  const matches = await verifyPassword(attempt.password, user?.passwordHash ?? (await decoyHash()));
  if (user && matches && !user.disabled) {
    failures.succeed(key);
    await ctx.db.transaction(async (tx) => {
      await recordConsoleLogin(tx, user.tenantId, user.id, ctx.now());
      await writeAudit(tx, user.tenantId, ctx.now(), {
        actor: `console-user:${user.id}`,
        action: "console_user.signed_in",
        subject: `console-user:${user.id}`,
        data: { email: user.email, ip: attempt.ip },
      });
    });
    return { ok: true, user };
  }
  failures.fail(key);
  if (tenant)
    await writeAudit(ctx.db, tenant.id, ctx.now(), {
      actor: "console-login",
      action: "console_user.sign_in_failed",
      subject: `console-login:${email.toLowerCase()}`,
      data: { email, ip: attempt.ip },
    });
  return { ok: false, reason: "invalid" };
}
