import { type LoaderFunctionArgs, redirect } from "@remix-run/node";

/** The app URL Shopify opens: on to the embedded home with the admin's parameters. */
export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  return redirect(`/app${url.search}`);
}
