import type { LoaderFunctionArgs } from "@remix-run/node";
import { dataRequestDownloadLoader } from "../data-requests/data-requests.ts";

/** A data request's produced data, as a JSON attachment (a resource route: no page). */
export async function loader(args: LoaderFunctionArgs) {
  return await dataRequestDownloadLoader(args);
}
