import type { HeadersFunction, LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import navStyles from "../app-nav.css?url";
import { useEmbeddedHref } from "../embedded-href.ts";
import { shopRequest, type TrackflowLoadContext } from "../trackflow-context.ts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: navStyles }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { tenant } = await shopRequest(request, context);
  return { apiKey: (context as unknown as TrackflowLoadContext).apiKey, shopName: tenant.name };
}

/**
 * The embedded app's frame: App Bridge (loaded from Shopify inside the admin, as Shopify
 * requires; outside the admin the pages render without it), Polaris, and the admin's nav menu.
 */
export default function App() {
  const { apiKey } = useLoaderData<typeof loader>();
  const href = useEmbeddedHref();
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey}>
      <nav aria-label="Trackflow" className="app-nav">
        <NavMenu>
          <Link to={href("/app")} rel="home">
            Home
          </Link>
          <Link to={href("/app/shipments")}>Shipments</Link>
          <Link to={href("/app/flows")}>Flows</Link>
          <Link to={href("/app/templates")}>Templates</Link>
          <Link to={href("/app/channels")}>Channels</Link>
          <Link to={href("/app/settings")}>Settings</Link>
          <Link to={href("/app/data-requests")}>Data requests</Link>
        </NavMenu>
      </nav>
      <main>
        <Outlet />
      </main>
    </AppProvider>
  );
}

/** Shopify's redirects out of the frame (to OAuth) are thrown responses: the boundary renders them. */
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
