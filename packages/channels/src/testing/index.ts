export * from "../providers/sendgrid/sendgrid-fake.ts";
export * from "../providers/slack/slack-fake.ts";
export * from "../providers/slack-webhook/slack-webhook-fake.ts";
export * from "../providers/twilio/twilio-fake.ts";
export * from "../providers/webhook/webhook-receiver-fake.ts";
export * from "./loopback-server.ts";
export * from "./outbound-message.ts";
export * from "./request-credentials.ts";
