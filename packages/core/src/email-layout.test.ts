import { describe, expect, it } from "vitest";
import { BrandSchema } from "./brand.ts";
import { escapeHtml, layoutEmail, textToHtml } from "./email-layout.ts";

const brand = BrandSchema.parse({
  name: "Acme <Outdoor>",
  primaryColor: "#aa3300",
  footer: "Acme GmbH\nMain St. 1 & 2",
  supportEmail: "help@acme.example",
});
const unsubscribeUrl = "https://tf.example/u/abc.def?x=1&y=2";

describe("textToHtml", () => {
  it("escapes, makes paragraphs and line breaks, and links URLs", () => {
    expect(textToHtml("Hi <Ada> & co,\nline two\n\nTrack: https://t.example/a?b=1&c=2.\n")).toBe(
      '<p style="margin:0 0 16px 0;">Hi &lt;Ada&gt; &amp; co,<br>\nline two</p>\n' +
        '<p style="margin:0 0 16px 0;">Track: <a href="https://t.example/a?b=1&amp;c=2" style="color:#1f6feb;text-decoration:underline;">https://t.example/a?b=1&amp;c=2</a>.</p>',
    );
  });

  it("does not let a URL break out of its attribute", () => {
    const html = textToHtml('see https://x.example/"onmouseover="alert(1)');
    expect(html).not.toContain('"onmouseover');
    expect(html).toContain('href="https://x.example/"');
  });

  it("keeps a closing parenthesis that belongs to the URL", () => {
    expect(textToHtml("(https://x.example/a) and https://x.example/b_(c)")).toContain(
      'href="https://x.example/b_(c)"',
    );
    expect(textToHtml("(https://x.example/a)")).toContain('href="https://x.example/a"');
  });
});

describe("layoutEmail", () => {
  it("lays out the text body with the brand, footer and unsubscribe link, escaped", () => {
    const { html, text } = layoutEmail({
      brand,
      subject: "Order <1001> shipped",
      bodyText: "Hello <script>alert(1)</script>\n\nhttps://t.example/1",
      unsubscribeUrl,
    });
    expect(html).toContain("<title>Order &lt;1001&gt; shipped</title>");
    expect(html).toContain("Acme &lt;Outdoor&gt;");
    expect(html).toContain("Hello &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain("<script>");
    expect(html).toContain("Acme GmbH<br>\nMain St. 1 &amp; 2");
    expect(html).toContain('href="https://tf.example/u/abc.def?x=1&amp;y=2"');
    expect(html).toContain('href="mailto:help@acme.example"');
    expect(html).toContain("border-bottom:3px solid #aa3300");
    expect(html).toMatch(/<table role="presentation"/);
    expect(text).toBe(
      "Hello <script>alert(1)</script>\n\nhttps://t.example/1\n\n-- \nAcme GmbH\nMain St. 1 & 2\nQuestions? Write to help@acme.example\nUnsubscribe: https://tf.example/u/abc.def?x=1&y=2\n",
    );
  });

  it("uses the template's html when there is one, and the logo when the brand has one", () => {
    const { html } = layoutEmail({
      brand: { ...brand, logoUrl: "https://acme.example/logo.png?a=1&b=2" },
      subject: "s",
      bodyText: "text",
      bodyHtml: "<p><b>Shipped</b></p>",
      unsubscribeUrl,
      preheader: "Your parcel <is> coming",
    });
    expect(html).toContain("<p><b>Shipped</b></p>");
    expect(html).toContain('<img src="https://acme.example/logo.png?a=1&amp;b=2" alt="Acme &lt;Outdoor&gt;"');
    expect(html).toContain("Your parcel &lt;is&gt; coming</div>");
  });

  it("speaks the message's language in the footer", () => {
    const { html, text } = layoutEmail({
      brand,
      subject: "s",
      bodyText: "t",
      unsubscribeUrl,
      locale: "de-AT",
    });
    expect(html).toContain('<html lang="de-AT">');
    expect(html).toContain(">Abmelden</a>");
    expect(text).toContain("Abmelden: https://tf.example/u/");
    expect(
      layoutEmail({ brand, subject: "s", bodyText: "t", unsubscribeUrl, locale: 'x"><b' }).html,
    ).toContain('<html lang="x">');
  });

  it("escapes every character that matters", () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
    );
  });
});
