import { googleAuthFailure, googleErrorReply } from "../../oauth/google-api-fake.ts";
import type { FakeTokenEndpoint } from "../../oauth/token-endpoint-fake.ts";
import { isRecord } from "../../provider-answer.ts";
import type { LoopbackServer } from "../../testing/loopback-server.ts";
import { GOOGLE_SHEETS_SCOPE } from "./google-sheets-provider.ts";

const WRITE_SCOPES = [
  GOOGLE_SHEETS_SCOPE,
  "https://www.googleapis.com/auth/drive",
  "https://www.googleapis.com/auth/drive.file",
];

/** A row the fake appended. */
export interface SheetAppend {
  sheet: string;
  row: unknown[];
  valueInputOption: string;
  insertDataOption: string | null;
  updatedRange: string;
}

export interface FakeGoogleSheets {
  appended: SheetAppend[];
  /** the rows of each sheet, header rows included */
  rows: Record<string, unknown[][]>;
}

function columnLetter(count: number): string {
  let letters = "";
  for (let n = count; n > 0; n = Math.floor((n - 1) / 26))
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

/** The sheet an A1 range names ("Sheet1", "Sheet1!A:F", "'My sheet'!A1:C"), or undefined when it does not parse. */
function sheetOf(range: string): string | undefined {
  const match = /^(?:'((?:[^']|'')+)'|([^!':]+))(?:!([A-Z]*\d*(?::[A-Z]*\d*)?))?$/.exec(range);
  if (match === null) return undefined;
  return match[1] !== undefined ? match[1].replace(/''/g, "'") : match[2];
}

/**
 * Google Sheets spreadsheets.values.append on a loopback server, as documented:
 * `POST /v4/spreadsheets/{spreadsheetId}/values/{range}:append` with a Bearer token carrying a
 * spreadsheets/drive scope (401 / 403 otherwise); the spreadsheet must exist (404) and be
 * shared with the account (403 "The caller does not have permission"); the range must name an
 * existing sheet (400 "Unable to parse range"); `valueInputOption` RAW or USER_ENTERED is
 * required, `insertDataOption` OVERWRITE or INSERT_ROWS; the JSON body's `values` is a list of
 * rows of scalars (400 "Invalid values[i][j]" otherwise). 200 with
 * `{"spreadsheetId","tableRange","updates":{"spreadsheetId","updatedRange","updatedRows","updatedColumns","updatedCells"}}`.
 */
export function fakeGoogleSheets(
  server: LoopbackServer,
  options: {
    tokens: FakeTokenEndpoint;
    spreadsheetId: string;
    sheets: readonly string[];
    /** the account may only read the spreadsheet */
    readOnly?: boolean;
  },
): FakeGoogleSheets {
  const fake: FakeGoogleSheets = {
    appended: [],
    rows: Object.fromEntries(options.sheets.map((sheet) => [sheet, [] as unknown[][]])),
  };
  server.route("POST", "/v4/spreadsheets/:spreadsheetId/values/:rangeAction", (request) => {
    const authFailure = googleAuthFailure(request, options.tokens, WRITE_SCOPES);
    if (authFailure !== null) return authFailure;
    const rangeAction = request.params.rangeAction ?? "";
    if (!rangeAction.endsWith(":append")) return googleErrorReply(404, "Requested entity was not found.");
    if (request.params.spreadsheetId !== options.spreadsheetId) {
      return googleErrorReply(404, "Requested entity was not found.");
    }
    if (options.readOnly) return googleErrorReply(403, "The caller does not have permission");
    const range = rangeAction.slice(0, -":append".length);
    const sheet = sheetOf(range);
    if (sheet === undefined || !options.sheets.includes(sheet)) {
      return googleErrorReply(400, `Unable to parse range: ${range}`);
    }
    const { valueInputOption, insertDataOption = null } = request.query;
    if (valueInputOption === undefined) {
      return googleErrorReply(400, "'valueInputOption' is required but not specified");
    }
    if (valueInputOption !== "RAW" && valueInputOption !== "USER_ENTERED") {
      return googleErrorReply(
        400,
        `Invalid value at 'value_input_option' (type.googleapis.com/google.apps.sheets.v4.ValueInputOption), "${valueInputOption}"`,
      );
    }
    if (insertDataOption !== null && insertDataOption !== "INSERT_ROWS" && insertDataOption !== "OVERWRITE") {
      return googleErrorReply(400, `Invalid value at 'insert_data_option', "${insertDataOption}"`);
    }
    const body = request.json;
    if (!(request.headers["content-type"] ?? "").startsWith("application/json") || !isRecord(body)) {
      return googleErrorReply(400, "Invalid JSON payload received.");
    }
    if (
      body.majorDimension !== undefined &&
      body.majorDimension !== "ROWS" &&
      body.majorDimension !== "COLUMNS"
    ) {
      return googleErrorReply(
        400,
        `Invalid value at 'data.major_dimension', "${String(body.majorDimension)}"`,
      );
    }
    const values = body.values;
    if (!Array.isArray(values) || values.length === 0 || !values.every(Array.isArray)) {
      return googleErrorReply(400, "Invalid value at 'data.values'");
    }
    for (const [i, row] of (values as unknown[][]).entries()) {
      for (const [j, cell] of row.entries()) {
        if (cell !== null && typeof cell === "object") {
          return googleErrorReply(
            400,
            `Invalid values[${i}][${j}]: ${Array.isArray(cell) ? "list_value" : "struct_value"} ${JSON.stringify(cell)}`,
          );
        }
      }
    }
    const rows = fake.rows[sheet] ?? [];
    const tableRange =
      rows.length > 0
        ? `${sheet}!A1:${columnLetter(Math.max(...rows.map((row) => row.length)))}${rows.length}`
        : undefined;
    const first = rows.length + 1;
    const width = Math.max(...(values as unknown[][]).map((row) => row.length), 1);
    rows.push(...(values as unknown[][]));
    fake.rows[sheet] = rows;
    const updatedRange = `${sheet}!A${first}:${columnLetter(width)}${rows.length}`;
    for (const row of values as unknown[][]) {
      fake.appended.push({ sheet, row, valueInputOption, insertDataOption, updatedRange });
    }
    const cells = (values as unknown[][]).reduce((sum, row) => sum + row.length, 0);
    return {
      status: 200,
      body: {
        spreadsheetId: options.spreadsheetId,
        ...(tableRange ? { tableRange } : {}),
        updates: {
          spreadsheetId: options.spreadsheetId,
          updatedRange,
          updatedRows: values.length,
          updatedColumns: width,
          updatedCells: cells,
        },
      },
    };
  });
  return fake;
}
