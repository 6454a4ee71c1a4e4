import { getConsoleUser, listConsoleUsers } from "@trackflow/store";
import type { FastifyInstance, FastifyRequest } from "fastify";
import {
  changeConsoleUser,
  createConsoleUser,
  NewUserSchema,
  UserAccountError,
  UserChangeSchema,
  userView,
} from "../console/console-user-accounts.ts";
import type { EngineContext } from "../engine-context.ts";
import { authenticate } from "./api-auth.ts";
import { HttpError, parseBody } from "./http-error.ts";
import type { TenantRateLimiter } from "./tenant-rate-limiter.ts";

export { NewUserSchema, UserChangeSchema } from "../console/console-user-accounts.ts";

/** The users' part of the OpenAPI document. */
export const USER_OPERATIONS = [
  {
    method: "get",
    path: "/api/users",
    summary: "The tenant's console users (admin keys only; never a password or its hash)",
    responses: { "200": "the users", "403": "not an admin key" },
  },
  {
    method: "post",
    path: "/api/users",
    summary:
      "Add a console user who signs in with e-mail and password; without a password one is generated and returned once, audited",
    body: NewUserSchema,
    responses: {
      "201": "the user, with `password` when it was generated",
      "400": "invalid body; the message names the field",
      "403": "not an admin key",
      "409": "the e-mail address is taken in the tenant (in any case)",
    },
  },
  {
    method: "patch",
    path: "/api/users/{id}",
    summary: "Change a console user's role or disable (or enable) it, audited",
    body: UserChangeSchema,
    responses: {
      "200": "the user as changed",
      "400": "invalid body",
      "403": "not an admin key",
      "404": "unknown user",
      "409": "it would leave the tenant without an enabled admin user",
    },
  },
] as const;

/** `GET|POST /api/users`, `PATCH /api/users/:id`: the console's users, for admin keys. */
export function registerUserRoutes(
  app: FastifyInstance,
  ctx: EngineContext,
  limiter: TenantRateLimiter,
): void {
  const admin = async (request: FastifyRequest) => {
    const caller = await authenticate(ctx, request, limiter);
    if (caller.role !== "admin") throw new HttpError(403, "only an admin key manages users");
    return { tenantId: caller.tenant.id, actor: caller.actor };
  };
  const refused = (error: unknown): never => {
    if (error instanceof UserAccountError) throw new HttpError(error.status, error.message, error.field);
    throw error;
  };

  app.get("/api/users", async (request) => {
    const by = await admin(request);
    return { users: (await listConsoleUsers(ctx.db, by.tenantId)).map(userView) };
  });

  app.post("/api/users", async (request, reply) => {
    const by = await admin(request);
    const body = parseBody(NewUserSchema, request.body);
    const { user, generatedPassword } = await createConsoleUser(ctx, by, body).catch(refused);
    return reply
      .code(201)
      .header("cache-control", "no-store")
      .send({ ...userView(user), ...(generatedPassword ? { password: generatedPassword } : {}) });
  });

  app.patch<{ Params: { id: string } }>("/api/users/:id", async (request) => {
    const by = await admin(request);
    const body = parseBody(UserChangeSchema, request.body);
    const id = request.params.id.slice(0, 128);
    if (!(await getConsoleUser(ctx.db, by.tenantId, id))) throw new HttpError(404, "no such user");
    return userView(await changeConsoleUser(ctx, by, id, body).catch(refused));
  });
}
