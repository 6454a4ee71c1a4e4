import { z } from "zod";
import { credentialField, httpUrlField, timeoutMsField } from "../config-fields.ts";
import type { AwsCredentials } from "./sigv4.ts";

/** An AWS Region code: us-east-1, eu-central-2, ap-southeast-4, us-gov-west-1, cn-north-1… */
export const awsRegionField = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, "region must be an AWS Region code such as us-east-1");

/**
 * The configuration every AWS provider shares: the Region, an IAM access key (long-term AKIA…,
 * or temporary ASIA… with its session token) and an optional endpoint. The API host depends on
 * the Region (`https://<service>.<region>.amazonaws.com`), so there is no fixed `baseUrl`:
 * `endpoint` replaces the regional host (a VPC endpoint, a FIPS host, a loopback fake).
 */
export const awsConfigFields = {
  region: awsRegionField,
  /** IAM access key ID: 16 to 128 word characters (AWS's documented shape) */
  accessKeyId: z.string().regex(/^\w{16,128}$/, "accessKeyId must be 16 to 128 letters, digits or _"),
  secretAccessKey: credentialField("secretAccessKey"),
  /** only with temporary credentials; it expires with them */
  sessionToken: credentialField("sessionToken").optional(),
  /** replaces the regional API host, e.g. a VPC or FIPS endpoint; no trailing slash */
  endpoint: httpUrlField.optional(),
  timeoutMs: timeoutMsField,
};

export interface AwsConfig {
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
  endpoint?: string | undefined;
}

/** The DNS suffix of a Region's partition: the China Regions have their own. */
export function awsDnsSuffix(region: string): string {
  return region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
}

/** The service's regional API origin (`https://email.us-east-1.amazonaws.com`), or the configured endpoint. */
export function awsServiceUrl(config: AwsConfig, endpointPrefix: string): string {
  return config.endpoint ?? `https://${endpointPrefix}.${config.region}.${awsDnsSuffix(config.region)}`;
}

export function awsCredentials(config: AwsConfig): AwsCredentials {
  return {
    accessKeyId: config.accessKeyId,
    secretAccessKey: config.secretAccessKey,
    sessionToken: config.sessionToken ?? null,
  };
}
