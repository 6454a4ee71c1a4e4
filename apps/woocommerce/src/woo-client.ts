import { Agent } from "node:https";
import * as wooRestApi from "@woocommerce/woocommerce-rest-api";

/** The library's client, as far as Trackflow uses it. */
interface RestApi {
  get(endpoint: string, params?: object): Promise<unknown>;
  post(endpoint: string, data: object, params?: object): Promise<unknown>;
  put(endpoint: string, data: object, params?: object): Promise<unknown>;
  delete(endpoint: string, params?: object): Promise<unknown>;
}
type RestApiClass = new (options: Record<string, unknown>) => RestApi;

// a CommonJS module compiled from ESM: Node puts the class at default.default, bundlers at default
const loaded = (wooRestApi as unknown as { default: RestApiClass | { default: RestApiClass } }).default;
const WooCommerceRestApi: RestApiClass = typeof loaded === "function" ? loaded : loaded.default;

/** A shop's REST API address and keys. */
export interface WooCredentials {
  storeUrl: string;
  consumerKey: string;
  consumerSecret: string;
}

export interface WooClientOptions {
  /** an extra certificate authority to trust (a test shop's self-signed certificate) */
  ca?: string;
  timeoutMs?: number;
}

/** One answer of the shop's REST API, any status. */
export interface WooAnswer<T = unknown> {
  status: number;
  data: T;
  headers: Record<string, string>;
}

/** The shop could not be reached at all: DNS, refused connection, TLS, timeout. */
export class WooUnreachableError extends Error {
  override name = "WooUnreachableError";
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined) {
    super(message);
    this.code = code;
  }
}

/** A REST call the shop answered with an error (WordPress's `{"code","message"}` when it is one). */
export class WooApiError extends Error {
  override name = "WooApiError";
  readonly status: number;
  readonly code: string | null;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  constructor(
    status: number,
    code: string | null,
    message: string,
    headers: Record<string, string>,
    body: unknown,
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
    this.body = body;
  }
}

export interface WooClient {
  readonly storeUrl: string;
  get<T>(endpoint: string, params?: Record<string, string | number>): Promise<WooAnswer<T>>;
  post<T>(endpoint: string, body: object): Promise<WooAnswer<T>>;
  put<T>(endpoint: string, body: object): Promise<WooAnswer<T>>;
  delete<T>(endpoint: string, params?: Record<string, string | number | boolean>): Promise<WooAnswer<T>>;
  /** an endpoint of another REST namespace ("wc-shipment-tracking/v3") */
  namespace(version: string): WooClient;
}

function plainHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers && typeof headers === "object") {
    for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
      if (value !== undefined && value !== null) out[name.toLowerCase()] = String(value);
    }
  }
  return out;
}

/**
 * The shop's REST API through @woocommerce/woocommerce-rest-api, which picks the authentication
 * by the URL's scheme: HTTP Basic with the keys over HTTPS, OAuth 1.0a (HMAC-SHA256, query
 * parameters) over plain HTTP, where WooCommerce accepts nothing else. Redirects are not followed
 * (a signed request must reach the URL it was signed for); every non-2xx answer is a WooApiError.
 */
export function createWooClient(
  credentials: WooCredentials,
  options: WooClientOptions = {},
  version = "wc/v3",
): WooClient {
  const storeUrl = credentials.storeUrl.replace(/\/+$/, "");
  const api = new WooCommerceRestApi({
    url: storeUrl,
    consumerKey: credentials.consumerKey,
    consumerSecret: credentials.consumerSecret,
    version,
    timeout: options.timeoutMs ?? 15_000,
    axiosConfig: {
      maxRedirects: 0,
      validateStatus: () => true,
      ...(options.ca ? { httpsAgent: new Agent({ ca: options.ca }) } : {}),
    },
  });
  const call = async <T>(work: () => Promise<unknown>): Promise<WooAnswer<T>> => {
    let response: { status: number; data: unknown; headers: unknown };
    try {
      response = (await work()) as typeof response;
    } catch (error) {
      const e = error as { code?: string; message?: string; cause?: { code?: string } };
      throw new WooUnreachableError(e.message ?? String(error), e.code ?? e.cause?.code);
    }
    const headers = plainHeaders(response.headers);
    if (response.status >= 200 && response.status < 300) {
      return { status: response.status, data: response.data as T, headers };
    }
    const body = response.data as { code?: unknown; message?: unknown } | null;
    const code = body && typeof body === "object" && typeof body.code === "string" ? body.code : null;
    const message =
      body && typeof body === "object" && typeof body.message === "string"
        ? body.message
        : `HTTP ${response.status}`;
    throw new WooApiError(response.status, code, message, headers, response.data);
  };
  return {
    storeUrl,
    get: (endpoint, params = {}) => call(() => api.get(endpoint, params)),
    post: (endpoint, body) => call(() => api.post(endpoint, body)),
    put: (endpoint, body) => call(() => api.put(endpoint, body)),
    delete: (endpoint, params = {}) => call(() => api.delete(endpoint, params)),
    namespace: (other) => createWooClient(credentials, options, other),
  };
}
