/**
 * The admin's browser is a person's, not a crawler: authenticate.admin answers a self-declared
 * bot (HeadlessChrome) 410, so the test browser says it is the Chrome it is
 * (`launchBrowser({ userAgent: ADMIN_USER_AGENT })` from @trackflow/engine/testing/browser).
 */
export const ADMIN_USER_AGENT =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
