import { describe, expect, it } from "vitest";
import { escapeSlackText, SLACK_LIMITS, slackBlocks, teamsAdaptiveCard, truncateText } from "./chat-cards.ts";

const input = {
  title: "Order 1001 is delayed",
  text: "Parcel <1Z999> & more: see <!channel>",
  facts: [
    { title: "Carrier", value: "UPS" },
    { title: "Tracking", value: "1Z999AA10123456784" },
    { title: "Empty", value: "" },
  ],
  url: "https://acme.example/track/1Z999",
};

describe("slackBlocks", () => {
  it("builds header, section, fields and a button, escaped", () => {
    expect(slackBlocks(input)).toEqual([
      { type: "header", text: { type: "plain_text", text: "Order 1001 is delayed", emoji: true } },
      {
        type: "section",
        text: { type: "mrkdwn", text: "Parcel &lt;1Z999&gt; &amp; more: see &lt;!channel&gt;" },
      },
      {
        type: "section",
        fields: [
          { type: "mrkdwn", text: "*Carrier*\nUPS" },
          { type: "mrkdwn", text: "*Tracking*\n1Z999AA10123456784" },
        ],
      },
      {
        type: "actions",
        elements: [
          {
            type: "button",
            text: { type: "plain_text", text: "Track shipment", emoji: true },
            url: "https://acme.example/track/1Z999",
          },
        ],
      },
    ]);
  });

  it("keeps within Slack's limits", () => {
    const blocks = slackBlocks({
      title: "T".repeat(400),
      text: `${"word ".repeat(2000)}\n${"x".repeat(7000)}`,
      facts: Array.from({ length: 23 }, (_, i) => ({ title: `F${i}`, value: "<".repeat(3000) })),
      url: "https://x.example",
      urlLabel: "L".repeat(100),
    });
    const header = blocks[0] as unknown as { text: { text: string } };
    expect(header.text.text.length).toBe(SLACK_LIMITS.headerText);
    const sections = blocks.filter((b) => b.type === "section") as {
      text?: { text: string };
      fields?: { text: string }[];
    }[];
    for (const s of sections) {
      if (s.text) expect(s.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      for (const f of s.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
      expect((s.fields ?? []).length).toBeLessThanOrEqual(SLACK_LIMITS.sectionFields);
    }
    expect(sections.filter((s) => s.fields).length).toBe(3);
    const fieldText = sections.find((s) => s.fields)!.fields![0]!.text;
    expect(fieldText).toMatch(/^\*F0\*\n(&lt;)+…$/);
    const actions = blocks.at(-1) as unknown as { elements: { text: { text: string } }[] };
    expect(actions.elements[0]!.text.text.length).toBe(SLACK_LIMITS.buttonText);
    // the whole text is kept across sections, and no entity is split
    const joined = sections.flatMap((s) => (s.text ? [s.text.text] : [])).join("");
    expect(joined.replaceAll(/\s/g, "").length).toBe(2000 * 4 + 7000);
  });

  it("never has more than 50 blocks", () => {
    const blocks = slackBlocks({ title: "t", text: "a".repeat(3000 * 60), url: "https://x.example" });
    expect(blocks.length).toBe(SLACK_LIMITS.blocks);
    expect(blocks.at(-1)!.type).toBe("actions");
  });

  it("leaves out a button whose URL is not http(s) and a header without a title", () => {
    expect(slackBlocks({ title: " ", text: "hi", url: "javascript:alert(1)" })).toEqual([
      { type: "section", text: { type: "mrkdwn", text: "hi" } },
    ]);
  });

  it("does not split an escaped entity", () => {
    const text = `${"a".repeat(2998)}&bbb`;
    const sections = slackBlocks({ title: "", text }) as unknown as { text: { text: string } }[];
    expect(sections.map((s) => s.text.text)).toEqual(["a".repeat(2998), "&amp;bbb"]);
  });
});

describe("teamsAdaptiveCard", () => {
  it("builds an Adaptive Card 1.4", () => {
    expect(teamsAdaptiveCard({ ...input, urlLabel: "Sendung verfolgen" })).toEqual({
      $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
      type: "AdaptiveCard",
      version: "1.4",
      body: [
        { type: "TextBlock", text: "Order 1001 is delayed", weight: "Bolder", size: "Large", wrap: true },
        { type: "TextBlock", text: "Parcel <1Z999> & more: see <!channel>", wrap: true },
        {
          type: "FactSet",
          facts: [
            { title: "Carrier", value: "UPS" },
            { title: "Tracking", value: "1Z999AA10123456784" },
          ],
        },
      ],
      actions: [
        { type: "Action.OpenUrl", title: "Sendung verfolgen", url: "https://acme.example/track/1Z999" },
      ],
    });
  });

  it("has no actions or facts when there are none", () => {
    const card = teamsAdaptiveCard({ title: "t", text: "x", url: "" });
    expect(card.actions).toBeUndefined();
    expect(card.body).toHaveLength(2);
  });
});

describe("text helpers", () => {
  it("escapes Slack's control characters and truncates without splitting a pair", () => {
    expect(escapeSlackText("a<b>&c")).toBe("a&lt;b&gt;&amp;c");
    expect(truncateText("abcdef", 4)).toBe("abc…");
    expect(truncateText("ab📦cd", 4)).toBe("ab…");
    expect(truncateText("abc", 3)).toBe("abc");
  });
});
