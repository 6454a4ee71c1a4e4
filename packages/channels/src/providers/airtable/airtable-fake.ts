import { isRecord } from "../../provider-answer.ts";
import type { LoopbackReply, LoopbackServer } from "../../testing/loopback-server.ts";
import { bearerToken } from "../../testing/request-credentials.ts";

export type FakeAirtableFieldType =
  | "singleLineText"
  | "multilineText"
  | "email"
  | "number"
  | "checkbox"
  | "dateTime";

export interface FakeAirtableTable {
  id: string;
  name: string;
  /** field name → type */
  fields: Record<string, FakeAirtableFieldType>;
}

export interface FakeAirtableRecord {
  id: string;
  createdTime: string;
  tableId: string;
  fields: Record<string, unknown>;
}

export interface FakeAirtable {
  /** the records created, in order (Airtable does not deduplicate) */
  records: FakeAirtableRecord[];
}

function airtableError(status: number, type: string, message: string): LoopbackReply {
  return { status, body: { error: { type, message } } };
}

const INVALID_REQUEST = (): LoopbackReply =>
  airtableError(
    422,
    "INVALID_REQUEST_UNKNOWN",
    "Invalid request: parameter validation failed. Check your request data.",
  );

const NO_MODEL = (): LoopbackReply =>
  airtableError(
    403,
    "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND",
    "Invalid permissions, or the requested model was not found. Check that both your user and your token have the required permissions, and that the model names and/or ids are correct.",
  );

/** The value as the field stores it, or undefined when the field cannot take it. */
function cellValue(type: FakeAirtableFieldType, value: unknown, typecast: boolean): unknown {
  if (value === null) return null;
  switch (type) {
    case "singleLineText":
    case "multilineText":
    case "email":
      if (typeof value === "string") return value;
      return typecast && (typeof value === "number" || typeof value === "boolean")
        ? String(value)
        : undefined;
    case "number":
      if (typeof value === "number") return value;
      return typecast && typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))
        ? Number(value)
        : undefined;
    case "checkbox":
      if (typeof value === "boolean") return value;
      return typecast && typeof value === "string" ? value !== "" && value !== "false" : undefined;
    case "dateTime":
      return typeof value === "string" && !Number.isNaN(Date.parse(value))
        ? new Date(value).toISOString()
        : undefined;
  }
}

/**
 * Airtable's Create records on a loopback server, as documented:
 * `POST /v0/{baseId}/{tableIdOrName}`, `Authorization: Bearer <personal access token>` (401
 * AUTHENTICATION_REQUIRED otherwise), an unknown base 404 `{"error":"NOT_FOUND"}`, a token
 * without access or an unknown table 403 INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND; a JSON body
 * `{"records":[{"fields":{…}}] (1 to 10),"typecast"}` (422 INVALID_REQUEST_UNKNOWN otherwise),
 * every field known (422 UNKNOWN_FIELD_NAME) and holding a value of its type, converted when
 * `typecast` is true (422 INVALID_VALUE_FOR_COLUMN); 200 `{"records":[{"id","createdTime","fields"}]}`.
 */
export function fakeAirtable(
  server: LoopbackServer,
  options: {
    accessToken: string;
    baseId: string;
    tables: readonly FakeAirtableTable[];
    /** tokens that are valid but not granted this base */
    tokensWithoutAccess?: readonly string[];
    now?: () => Date;
  },
): FakeAirtable {
  const fake: FakeAirtable = { records: [] };
  const now = options.now ?? (() => new Date());
  server.route("POST", "/v0/:baseId/:table", (request) => {
    const token = bearerToken(request);
    if (token === null || (token !== options.accessToken && !options.tokensWithoutAccess?.includes(token))) {
      return airtableError(401, "AUTHENTICATION_REQUIRED", "Authentication required");
    }
    if (request.params.baseId !== options.baseId) return { status: 404, body: { error: "NOT_FOUND" } };
    if (token !== options.accessToken) return NO_MODEL();
    const table = options.tables.find(
      (candidate) => candidate.id === request.params.table || candidate.name === request.params.table,
    );
    if (table === undefined) return NO_MODEL();
    const body = request.json;
    if (!(request.headers["content-type"] ?? "").startsWith("application/json") || !isRecord(body)) {
      return INVALID_REQUEST();
    }
    const { records, typecast = false } = body;
    if (
      typeof typecast !== "boolean" ||
      !Array.isArray(records) ||
      records.length === 0 ||
      records.length > 10
    ) {
      return INVALID_REQUEST();
    }
    const created: FakeAirtableRecord[] = [];
    for (const record of records) {
      if (!isRecord(record) || !isRecord(record.fields)) return INVALID_REQUEST();
      const fields: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(record.fields)) {
        const type = table.fields[name];
        if (type === undefined)
          return airtableError(422, "UNKNOWN_FIELD_NAME", `Unknown field name: "${name}"`);
        const stored = cellValue(type, value, typecast);
        if (stored === undefined) {
          return airtableError(
            422,
            "INVALID_VALUE_FOR_COLUMN",
            `Field "${name}" cannot accept the provided value`,
          );
        }
        if (stored !== null && stored !== "") fields[name] = stored;
      }
      const id = `rec${String(fake.records.length + created.length + 1).padStart(14, "0")}`;
      created.push({ id, createdTime: now().toISOString(), tableId: table.id, fields });
    }
    fake.records.push(...created);
    return {
      status: 200,
      body: { records: created.map(({ id, createdTime, fields }) => ({ id, createdTime, fields })) },
    };
  });
  return fake;
}
