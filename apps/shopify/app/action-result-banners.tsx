import { Banner, Layout } from "@shopify/polaris";

/**
 * The banners of an action's answer (its `error`, a problem to show, and its `notice`, what was
 * done, beside whatever else it holds), at the top of a page's layout: critical, then success.
 */
export function ActionResultBanners({ result }: { result: object | undefined }) {
  const error = result && "error" in result && typeof result.error === "string" ? result.error : null;
  const notice = result && "notice" in result && typeof result.notice === "string" ? result.notice : null;
  return (
    <>
      {error ? (
        <Layout.Section>
          <Banner tone="critical">{error}</Banner>
        </Layout.Section>
      ) : null}
      {notice ? (
        <Layout.Section>
          <Banner tone="success">
            <span id="notice">{notice}</span>
          </Banner>
        </Layout.Section>
      ) : null}
    </>
  );
}
