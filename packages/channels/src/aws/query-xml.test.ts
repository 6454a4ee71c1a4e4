import { describe, expect, it } from "vitest";
import { decodeXmlText, escapeXml, xmlElementText } from "./query-xml.ts";

const ERROR = `<?xml version="1.0"?>
<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <Error>
    <Type>Sender</Type>
    <Code>InvalidParameter</Code>
    <Message>Invalid parameter: PhoneNumber Reason: &lt;+1555&gt; is &quot;not&quot; valid &amp; &#x263A;</Message>
  </Error>
  <RequestId>0f8e2c1a</RequestId>
</ErrorResponse>`;

describe("query XML", () => {
  it("reads an element's text by its path, decoding entities", () => {
    expect(xmlElementText(ERROR, "ErrorResponse", "Error", "Code")).toBe("InvalidParameter");
    expect(xmlElementText(ERROR, "Error", "Message")).toBe(
      'Invalid parameter: PhoneNumber Reason: <+1555> is "not" valid & ☺',
    );
    expect(xmlElementText(ERROR, "RequestId")).toBe("0f8e2c1a");
  });

  it("is undefined for a missing element, one holding markup, or unclosed input", () => {
    expect(xmlElementText(ERROR, "PublishResult", "MessageId")).toBeUndefined();
    expect(xmlElementText(ERROR, "Error")).toBeUndefined();
    expect(xmlElementText("<A><B>text", "A", "B")).toBeUndefined();
    expect(xmlElementText("not xml at all", "A")).toBeUndefined();
  });

  it("reads CDATA and empty elements, and leaves unknown entities alone", () => {
    expect(xmlElementText("<A><![CDATA[<b>&amp;</b>]]> tail</A>", "A")).toBe("<b>&amp;</b> tail");
    expect(xmlElementText("<A/>", "A")).toBe("");
    expect(decodeXmlText("&unknown; &#0; &#65;")).toBe("&unknown; &#0; A");
  });

  it("escapes text for XML", () => {
    expect(escapeXml(`<a href="x">&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
  });
});
