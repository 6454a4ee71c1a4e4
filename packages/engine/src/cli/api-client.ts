import { UsageError } from "./cli-io.ts";

/** Talks to a running Trackflow server's API with a tenant's key. */
export interface ApiClient {
  baseUrl: string;
  request<T>(
    method: "GET" | "POST" | "PUT" | "DELETE",
    path: string,
    body?: string | object,
  ): Promise<{ status: number; body: T }>;
}

export class ApiError extends Error {
  override name = "ApiError";
}

/** From --url/--key, else TRACKFLOW_URL (default http://127.0.0.1:3000) and TRACKFLOW_API_KEY. */
export function apiClient(
  flags: { url?: string | undefined; key?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
  fetchImpl: typeof fetch = fetch,
): ApiClient {
  const baseUrl = (flags.url ?? env.TRACKFLOW_URL ?? "http://127.0.0.1:3000").replace(/\/+$/, "");
  const key = flags.key ?? env.TRACKFLOW_API_KEY;
  if (!key)
    throw new UsageError(
      "an API key is needed: --key KEY or TRACKFLOW_API_KEY (the server prints one on its first start)",
    );
  return {
    baseUrl,
    async request(method, path, body) {
      let response: Response;
      try {
        response = await fetchImpl(`${baseUrl}${path}`, {
          method,
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
        });
      } catch (error) {
        throw new ApiError(
          `cannot reach the Trackflow server at ${baseUrl} (${(error as Error).message}); is it running (pnpm start)?`,
        );
      }
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // keep the text
      }
      if (response.status === 401)
        throw new ApiError(`the server refused the API key: ${(parsed as { error?: string }).error ?? text}`);
      return { status: response.status, body: parsed as never };
    },
  };
}
