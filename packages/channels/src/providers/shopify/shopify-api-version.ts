/**
 * The one Admin API version Trackflow speaks to Shopify: the writeback provider's default and
 * the embedded app's (`apiVersion` of shopifyApp, the backfill's GraphQL calls). Shopify supports
 * each stable version for at least twelve months; move it forward here, in one place.
 */
export const SHOPIFY_API_VERSION = "2026-10";

/** `YYYY-MM` stable versions (January, April, July, October) or "unstable". */
export const SHOPIFY_API_VERSION_PATTERN = /^(\d{4}-(01|04|07|10)|unstable)$/;
