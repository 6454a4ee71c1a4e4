import { describe, expect, it } from "vitest";
import {
  amzDate,
  canonicalUri,
  EMPTY_PAYLOAD_SHA256,
  parseAmzDate,
  parseAuthorization,
  sha256Hex,
  signingKey,
  signRequest,
  uriEncode,
} from "./sigv4.ts";

/** The example credentials of the AWS SigV4 documentation and its signature test suite. */
const DOC_CREDENTIALS = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
};
const SUITE_DATE = new Date("2015-08-30T12:36:00Z");
const SUITE_SCOPE = { region: "us-east-1", service: "service" };
const SUITE_TOKEN =
  "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

describe("SigV4 against AWS's published examples", () => {
  it("signs the IAM ListUsers example of the SigV4 guide (canonical request, key, signature)", () => {
    const signed = signRequest(
      {
        method: "GET",
        url: "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
        headers: { "Content-Type": "application/x-www-form-urlencoded; charset=utf-8" },
        body: "",
      },
      DOC_CREDENTIALS,
      { region: "us-east-1", service: "iam" },
      SUITE_DATE,
    );
    expect(signed.canonicalRequest).toBe(
      [
        "GET",
        "/",
        "Action=ListUsers&Version=2010-05-08",
        "content-type:application/x-www-form-urlencoded; charset=utf-8",
        "host:iam.amazonaws.com",
        "x-amz-date:20150830T123600Z",
        "",
        "content-type;host;x-amz-date",
        EMPTY_PAYLOAD_SHA256,
      ].join("\n"),
    );
    expect(sha256Hex(signed.canonicalRequest)).toBe(
      "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59",
    );
    expect(signed.stringToSign).toBe(
      [
        "AWS4-HMAC-SHA256",
        "20150830T123600Z",
        "20150830/us-east-1/iam/aws4_request",
        "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59",
      ].join("\n"),
    );
    expect(
      signingKey(DOC_CREDENTIALS.secretAccessKey, "20150830", {
        region: "us-east-1",
        service: "iam",
      }).toString("hex"),
    ).toBe("c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
    expect(signed.signature).toBe("5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
    expect(signed.headers.Authorization).toBe(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, " +
        "SignedHeaders=content-type;host;x-amz-date, " +
        "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
    );
    expect(signed.headers["X-Amz-Date"]).toBe("20150830T123600Z");
  });

  it("signs the test suite's post-x-www-form-urlencoded request (a form body like SNS's)", () => {
    const signed = signRequest(
      {
        method: "POST",
        url: "https://example.amazonaws.com/",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: "Param1=value1",
      },
      DOC_CREDENTIALS,
      SUITE_SCOPE,
      SUITE_DATE,
    );
    expect(signed.canonicalRequest).toBe(
      [
        "POST",
        "/",
        "",
        "content-type:application/x-www-form-urlencoded",
        "host:example.amazonaws.com",
        "x-amz-date:20150830T123600Z",
        "",
        "content-type;host;x-amz-date",
        "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
      ].join("\n"),
    );
    expect(signed.headers.Authorization).toBe(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, " +
        "SignedHeaders=content-type;host;x-amz-date, " +
        "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
    );
  });

  it("signs the session token with the headers (test suite post-sts-header-before)", () => {
    const signed = signRequest(
      { method: "POST", url: "https://example.amazonaws.com/", headers: {}, body: "" },
      { ...DOC_CREDENTIALS, sessionToken: SUITE_TOKEN },
      SUITE_SCOPE,
      SUITE_DATE,
    );
    expect(signed.headers["X-Amz-Security-Token"]).toBe(SUITE_TOKEN);
    expect(signed.headers.Authorization).toBe(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, " +
        "SignedHeaders=host;x-amz-date;x-amz-security-token, " +
        "Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead",
    );
  });

  it("can add the session token after signing (test suite post-sts-header-after)", () => {
    const signed = signRequest(
      { method: "POST", url: "https://example.amazonaws.com/", headers: {}, body: "" },
      { ...DOC_CREDENTIALS, sessionToken: SUITE_TOKEN },
      SUITE_SCOPE,
      SUITE_DATE,
      { signSecurityToken: false },
    );
    expect(signed.headers["X-Amz-Security-Token"]).toBe(SUITE_TOKEN);
    expect(signed.headers.Authorization).toBe(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, " +
        "SignedHeaders=host;x-amz-date, " +
        "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
    );
  });

  it("signs x-amz-content-sha256 when asked (S3 GET Object example of the S3 SigV4 guide)", () => {
    const signed = signRequest(
      {
        method: "GET",
        url: "https://examplebucket.s3.amazonaws.com/test.txt",
        headers: { Range: "bytes=0-9" },
        body: "",
      },
      { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
      { region: "us-east-1", service: "s3" },
      new Date("2013-05-24T00:00:00Z"),
      { contentSha256Header: true },
    );
    expect(signed.headers["x-amz-content-sha256"]).toBe(EMPTY_PAYLOAD_SHA256);
    expect(sha256Hex(signed.canonicalRequest)).toBe(
      "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
    );
    expect(signed.headers.Authorization).toBe(
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, " +
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
    );
  });
});

describe("SigV4 building blocks", () => {
  it("formats and parses X-Amz-Date", () => {
    expect(amzDate(SUITE_DATE)).toBe("20150830T123600Z");
    expect(parseAmzDate("20150830T123600Z")?.toISOString()).toBe("2015-08-30T12:36:00.000Z");
    expect(parseAmzDate("2015-08-30T12:36:00Z")).toBeNull();
  });

  it("encodes as RFC 3986 and double-encodes path segments", () => {
    expect(uriEncode("a b*c~d'e(f)!+/")).toBe("a%20b%2Ac~d%27e%28f%29%21%2B%2F");
    expect(canonicalUri("/v2/email/outbound-emails")).toBe("/v2/email/outbound-emails");
    expect(canonicalUri("/a%20b")).toBe("/a%2520b");
    expect(canonicalUri("")).toBe("/");
  });

  it("includes the port in the signed host when it is not the default one", () => {
    const signed = signRequest(
      { method: "POST", url: "http://127.0.0.1:8123/", headers: {}, body: "" },
      DOC_CREDENTIALS,
      SUITE_SCOPE,
      SUITE_DATE,
    );
    expect(signed.canonicalRequest).toContain("\nhost:127.0.0.1:8123\n");
  });

  it("parses an Authorization header back into its parts", () => {
    expect(
      parseAuthorization(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, " +
          "SignedHeaders=content-type;host;x-amz-date, Signature=5d67",
      ),
    ).toEqual({
      accessKeyId: "AKIDEXAMPLE",
      dateStamp: "20150830",
      region: "us-east-1",
      service: "iam",
      terminator: "aws4_request",
      signedHeaders: ["content-type", "host", "x-amz-date"],
      signature: "5d67",
    });
    expect(parseAuthorization("Bearer x")).toBeNull();
    expect(parseAuthorization("AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host, Signature=x")).toBeNull();
  });
});
