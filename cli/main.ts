/**
 * plan-review: one binary, several subcommands. Arguments and configuration are validated here,
 * once; everything below receives typed values.
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { z } from 'zod';
import { parseReviewRoundId } from '../domain/ids.js';
import type { Actor } from '../domain/records.js';
import { ConfigError, loadConfig, type Config } from '../infra/config.js';
import { LocalContentStore } from '../infra/store.js';
import { messageIdDomain } from '../infra/mailer.js';
import { listRounds, RoundExistsError, roundStatus, startRound } from '../infra/roundClient.js';
import { loadRoundFile, RoundFileError } from '../infra/roundFile.js';
import { connectClient, temporalAddress } from '../infra/temporal.js';
import { PROJECT_ROOT } from '../infra/tools.js';
import { AnchorError, FontMissingError, renderPreview, UnsupportedCharacterError } from '../pdf/render.js';
import { formatRoundList, formatRoundStatus } from './format.js';
import { runWeb, runWorker, startStack } from './stack.js';

const USAGE = `plan-review: the review cycle of a government plan, on Temporal

Usage:
  plan-review up [--demo]              start the embedded stack (Temporal dev server, worker, web, mail sink);
                                       --demo also starts the seed round
  plan-review worker                   run a worker only (TEMPORAL_ADDRESS set: scale out)
  plan-review web                      run a web server only
  plan-review round start <file>       start a review round from a YAML or JSON round file
  plan-review round status <id> [--json]
  plan-review round list [--json]
  plan-review render <document.md> <records.json> <out.pdf> [--draft]
                                       render the plan PDF (a preview before approval, or the draft)

Configuration comes from environment variables; see README.md.`;

export const DEMO_ROUND_FILE = path.join(PROJECT_ROOT, 'seeds', 'rounds', 'xinrong-round-1.yaml');

class UsageError extends Error {}
class UnreachableError extends Error {}
class InputFileError extends Error {}

const RoundIdArg = z.string({ message: 'a round id is required, e.g. round:xinrong-eco-plan:1' }).refine((id) => parseReviewRoundId(id) !== null, {
  message: 'not a round id: expected round:<plan id>:<round number>, e.g. round:xinrong-eco-plan:1',
});

function cliActor(config: Config): Actor {
  return { name: config.PLAN_REVIEW_USER ?? os.userInfo().username, role: 'coordinator' };
}

function arg<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]!.message);
  return parsed.data;
}

async function withClient<T>(config: Config, fn: (client: Client) => Promise<T>): Promise<T> {
  let client: Client;
  try {
    client = await connectClient(config);
  } catch (err) {
    throw new UnreachableError(`cannot reach Temporal at ${temporalAddress(config)} (${(err as Error).message}): is the stack running (npm start), or TEMPORAL_ADDRESS right?`);
  }
  try {
    return await fn(client);
  } finally {
    await client.connection.close();
  }
}

async function startRoundFromFile(config: Config, client: Client, file: string): Promise<string> {
  const store = new LocalContentStore(config.paths.store);
  const { input, warnings } = await loadRoundFile(path.resolve(file), store, { startedBy: cliActor(config), messageIdDomain: messageIdDomain(config) });
  for (const w of warnings) console.error(`warning: ${w}`);
  return startRound(client, config.TEMPORAL_TASK_QUEUE, input);
}

function untilSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/** Renders a preview, turning unreadable or invalid inputs into messages that name the file. */
async function renderPreviewFile(doc: string, records: string, out: string, mode: 'draft' | 'approved') {
  try {
    return await renderPreview(doc, records, out, mode);
  } catch (err) {
    if (err instanceof z.ZodError) throw new InputFileError(`${records}: not a review record:\n${z.prettifyError(err)}`);
    if (err instanceof SyntaxError) throw new InputFileError(`${records}: not valid JSON: ${err.message}`);
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InputFileError(`cannot read ${(err as NodeJS.ErrnoException).path}`);
    throw err;
  }
}

async function main(argv: string[]): Promise<number> {
  // Worker chatter at INFO (bundle details, state changes) hides what the CLI says.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      demo: { type: 'boolean', default: false },
      draft: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, sub, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  const config = loadConfig();

  if (command === 'up') {
    const stack = await startStack(config, (line) => console.log(`[up] ${line}`));
    console.log(`[up] web server:      ${stack.webUrl}`);
    if (stack.uiUrl) console.log(`[up] Temporal Web UI: ${stack.uiUrl}`);
    if (stack.outboxDir) console.log(`[up] outbox:          ${stack.webUrl}/outbox`);
    if (values.demo) {
      try {
        const id = await startRoundFromFile(config, stack.client, DEMO_ROUND_FILE);
        console.log(`[up] started the demo round ${id}: ${stack.webUrl}/rounds/${id}`);
      } catch (err) {
        if (!(err instanceof RoundExistsError)) throw err;
        console.log(`[up] the demo round exists already (kept from the last run): ${stack.webUrl}/rounds/${err.roundId}`);
      }
    }
    console.log('[up] running; press Ctrl-C to stop');
    await untilSignal();
    console.log('[up] stopping');
    await stack.stop();
    return 0;
  }

  if (command === 'worker') {
    const stop = await runWorker(config, (line) => console.log(`[worker] ${line}`));
    console.log(`[worker] polling ${config.TEMPORAL_TASK_QUEUE}; Ctrl-C to stop`);
    await untilSignal();
    await stop();
    return 0;
  }

  if (command === 'web') {
    const web = await runWeb(config, config.SMTP_URL ? undefined : config.paths.outbox);
    console.log(`[web] listening on ${config.WEB_HOST}:${config.WEB_PORT} (${config.PUBLIC_URL}); Ctrl-C to stop`);
    await untilSignal();
    await web.stop();
    return 0;
  }

  if (command === 'render') {
    const [doc, records, out] = [sub, ...rest].map((a, i) => arg(z.string({ message: `render needs <document.md> <records.json> <out.pdf> (argument ${i + 1} missing)` }), a));
    const result = await renderPreviewFile(doc!, records!, out!, values.draft ? 'draft' : 'approved');
    console.log(`${out}: ${result.pages} pages, SHA-256 ${result.sha256}`);
    for (const w of result.warnings) console.error(`warning: ${w}`);
    return 0;
  }

  if (command === 'round') {
    if (sub === 'start') {
      const file = arg(z.string({ message: 'a round file is required' }), rest[0]);
      const id = await withClient(config, (client) => startRoundFromFile(config, client, file));
      console.log(`started ${id}`);
      return 0;
    }
    if (sub === 'status') {
      const id = arg(RoundIdArg, rest[0]);
      const status = await withClient(config, (client) => roundStatus(client, id));
      console.log(values.json ? JSON.stringify(status, null, 2) : formatRoundStatus(status));
      return 0;
    }
    if (sub === 'list') {
      const rounds = await withClient(config, (client) => listRounds(client));
      console.log(values.json ? JSON.stringify(rounds, null, 2) : formatRoundList(rounds));
      return 0;
    }
  }
  throw new UsageError(`unknown command: ${positionals.join(' ')}`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) console.error(`plan-review: ${err.message}\n\n${USAGE}`);
    else if (err instanceof ConfigError || err instanceof RoundFileError || err instanceof RoundExistsError || err instanceof UnreachableError || err instanceof InputFileError || err instanceof AnchorError || err instanceof FontMissingError || err instanceof UnsupportedCharacterError) console.error(`plan-review: ${err.message}`);
    else if (err instanceof WorkflowNotFoundError) console.error(`plan-review: no such round: ${err.workflowId ?? ''}`);
    else if (err instanceof TypeError && /parseArgs|Unknown option/.test(String(err))) console.error(`plan-review: ${err.message}\n\n${USAGE}`);
    else console.error('plan-review:', err);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
