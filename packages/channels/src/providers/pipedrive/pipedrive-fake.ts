import { isRecord } from "../../provider-answer.ts";
import type { LoopbackReply, LoopbackRequest, LoopbackServer } from "../../testing/loopback-server.ts";
import { headerValue } from "../../testing/request-credentials.ts";
import {
  PIPEDRIVE_NOTES_PATH,
  PIPEDRIVE_PERSON_SEARCH_PATH,
  PIPEDRIVE_PERSONS_PATH,
} from "./pipedrive-provider.ts";

export interface FakePipedrivePerson {
  id: number;
  name: string;
  emails: string[];
}

export interface FakePipedriveNote {
  id: number;
  content: string;
  personId: number;
  pinnedToPerson: boolean;
}

export interface FakePipedrive {
  persons: FakePipedrivePerson[];
  /** the notes added, in order (Pipedrive does not deduplicate) */
  notes: FakePipedriveNote[];
}

const GENERIC_INFO = "Please check developers.pipedrive.com for more information about Pipedrive API.";

function pipedriveError(status: number, error: string, code: string | null = null): LoopbackReply {
  return {
    status,
    body: {
      success: false,
      error,
      ...(code === null ? { errorCode: status } : { code }),
      error_info: GENERIC_INFO,
      data: null,
      additional_data: null,
    },
  };
}

const SEARCH_FIELDS = new Set(["name", "email", "phone", "notes", "custom_fields"]);

/** The request's API token: the `x-api-token` header, or the `api_token` query parameter Pipedrive also takes. */
function apiToken(request: LoopbackRequest): string | undefined {
  return headerValue(request, "x-api-token") ?? request.query.api_token;
}

function isJson(request: LoopbackRequest): boolean {
  return (headerValue(request, "content-type") ?? "").startsWith("application/json");
}

/**
 * Pipedrive on a loopback server, as documented: every call needs the API token (`x-api-token`
 * header or `api_token` query; HTTP 401 "unauthorized access" otherwise).
 * `GET /api/v2/persons/search` takes `term` (at least 2 characters, 1 with `exact_match`), `fields`
 * and `exact_match` (case-insensitive on whole values) and answers
 * `{"success":true,"data":{"items":[{"result_score","item":{"id","name","emails",…}}]}}`;
 * `POST /api/v2/persons` needs a `name`; `POST /api/v1/notes` needs HTML `content` and one of
 * deal_id / person_id / org_id / lead_id / project_id, the person existing. Errors are
 * `{"success":false,"error",…}` with a 4xx; the validation wordings are this fake's own.
 */
export function fakePipedrive(
  server: LoopbackServer,
  options: { apiToken: string; persons?: readonly FakePipedrivePerson[] },
): FakePipedrive {
  const fake: FakePipedrive = { persons: [...(options.persons ?? [])], notes: [] };
  const authorised = (request: LoopbackRequest) => apiToken(request) === options.apiToken;

  server.route("GET", PIPEDRIVE_PERSON_SEARCH_PATH, (request) => {
    if (!authorised(request)) return pipedriveError(401, "unauthorized access");
    const term = request.query.term ?? "";
    const exact = request.query.exact_match === "true" || request.query.exact_match === "1";
    if (term.length < (exact ? 1 : 2)) {
      return pipedriveError(
        400,
        "Validation failed: term: Must be at least 2 characters",
        "ERR_SCHEMA_VALIDATION_FAILED",
      );
    }
    const fields = (request.query.fields ?? "name,email,phone,notes,custom_fields").split(",");
    if (fields.some((field) => !SEARCH_FIELDS.has(field))) {
      return pipedriveError(400, "Validation failed: fields: Invalid value", "ERR_SCHEMA_VALIDATION_FAILED");
    }
    const needle = term.toLowerCase();
    const matches = (value: string) =>
      exact ? value.toLowerCase() === needle : value.toLowerCase().includes(needle);
    const found = fake.persons.filter(
      (person) =>
        (fields.includes("email") && person.emails.some(matches)) ||
        (fields.includes("name") && matches(person.name)),
    );
    const limit = Number(request.query.limit ?? "100");
    return {
      status: 200,
      body: {
        success: true,
        data: {
          items: found.slice(0, limit).map((person) => ({
            result_score: 1,
            item: {
              id: person.id,
              type: "person",
              name: person.name,
              phones: [],
              emails: person.emails,
              visible_to: 3,
              owner: { id: 1 },
              organization: null,
              custom_fields: [],
              notes: [],
            },
          })),
        },
        additional_data: { next_cursor: null },
      },
    };
  });

  server.route("POST", PIPEDRIVE_PERSONS_PATH, (request) => {
    if (!authorised(request)) return pipedriveError(401, "unauthorized access");
    const body = request.json;
    if (!isJson(request) || !isRecord(body)) {
      return pipedriveError(400, "Validation failed: body must be JSON", "ERR_SCHEMA_VALIDATION_FAILED");
    }
    if (typeof body.name !== "string" || body.name.trim() === "") {
      return pipedriveError(400, "Validation failed: name: Required", "ERR_SCHEMA_VALIDATION_FAILED");
    }
    const emails = Array.isArray(body.emails)
      ? body.emails.flatMap((email) =>
          isRecord(email) && typeof email.value === "string" ? [email.value] : [],
        )
      : [];
    const person: FakePipedrivePerson = { id: 1000 + fake.persons.length + 1, name: body.name, emails };
    fake.persons.push(person);
    return {
      status: 200,
      body: {
        success: true,
        data: { id: person.id, name: person.name, emails: body.emails ?? [], phones: [] },
      },
    };
  });

  server.route("POST", PIPEDRIVE_NOTES_PATH, (request) => {
    if (!authorised(request)) return pipedriveError(401, "unauthorized access");
    const body = request.json;
    if (!isJson(request) || !isRecord(body)) return pipedriveError(400, "Request body must be JSON");
    if (typeof body.content !== "string" || body.content.trim() === "") {
      return pipedriveError(400, "Note content is required");
    }
    const targets = ["deal_id", "person_id", "org_id", "lead_id", "project_id"].filter(
      (key) => body[key] !== undefined && body[key] !== null,
    );
    if (targets.length === 0) {
      return pipedriveError(400, "A note must be attached to a deal, person, organization, lead or project");
    }
    const personId = body.person_id;
    if (personId !== undefined && !fake.persons.some((person) => person.id === personId)) {
      return pipedriveError(400, "Person not found");
    }
    const note: FakePipedriveNote = {
      id: 5000 + fake.notes.length + 1,
      content: body.content,
      personId: Number(personId),
      pinnedToPerson: body.pinned_to_person_flag === 1 || body.pinned_to_person_flag === true,
    };
    fake.notes.push(note);
    return {
      status: 201,
      body: {
        success: true,
        data: {
          id: note.id,
          content: note.content,
          person_id: note.personId,
          pinned_to_person_flag: note.pinnedToPerson,
          active_flag: true,
          add_time: "2025-03-10 12:00:00",
        },
      },
    };
  });
  return fake;
}
