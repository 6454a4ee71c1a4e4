#!/usr/bin/env node
import { runCli } from "@trackflow/engine";
import { wooCliCommand } from "@trackflow/woocommerce";

/** `trackflow`: the engine's commands and the host apps' (`woo`). */
process.exitCode = await runCli(process.argv.slice(2), undefined, { woo: wooCliCommand });
