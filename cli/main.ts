/**
 * plan-review: one binary, several subcommands. Arguments and configuration are validated here,
 * once; everything below receives typed values.
 */
import { localTimeZone } from '../domain/time.js';
import { formatInstant } from '../infra/templates.js';
import { parseAge, sweepUploads, SweepError } from '../infra/uploads.js';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { z } from 'zod';
import { parseReviewRoundId, reviewRoundId } from '../domain/ids.js';
import type { Actor } from '../domain/records.js';
import { ConfigError, loadConfig, type Config } from '../infra/config.js';
import { messageIdDomain } from '../infra/mailer.js';
import { startSmtpSink } from '../infra/smtpSink.js';
import { PATIENT_TIMEOUTS, RoundGateway, RoundGatewayError, unwrap } from '../infra/roundGateway.js';
import { loadRoundFile } from '../infra/roundFile.js';
import { FileProblemsError } from '../infra/structuredFile.js';
import { openStore, type OpenedStore } from '../infra/stores.js';
import { connectClient, temporalAddress } from '../infra/temporal.js';
import { actorOf, ensureInitialUsers, loadUsers } from '../infra/users.js';
import { AnchorError, FontMissingError, renderPreview, UnsupportedCharacterError } from '../pdf/render.js';
import { formatRoundList, formatRoundStatus } from './format.js';
import { AUDIT_USAGE, auditCommand, describeAuditError, verifyCommand } from './auditCommands.js';
import { TemporalHistories } from '../infra/roundHistory.js';
import { APPROVAL_USAGE, approvalCommands, describeApprovalError, isApprovalCommand } from './approvalCommands.js';
import { describeReviewError, REVIEW_USAGE, reviewCommands } from './reviewCommands.js';
import { runSeedDemo } from './seedDemo.js';
import { renderRoundToFile, writeRoundRecords } from './roundOutputs.js';
import { runWeb, runWorker, startStack } from './stack.js';
import { cliActor, coordinatorActionCommands, describeCliError, userAddCommand, USERS_USAGE } from './users.js';

const USAGE = `plan-review: the review cycle of a government plan, on Temporal

Usage:
  plan-review up [--demo]              start the embedded stack (Temporal dev server, worker, web, mail sink);
                                       --demo also runs the seed's whole review cycle, from the first draft
                                       to the approved PDF (seeds/rounds/xinrong-full-cycle.yaml)
  plan-review worker                   run a worker only (TEMPORAL_ADDRESS set: scale out)
  plan-review web                      run a web server only
  plan-review mail-sink                run the local mail sink only (SMTP on SMTP_SINK_PORT, files in the data folder)
  plan-review round start <file>       start a review round from a YAML or JSON round file
  plan-review round status <id> [--json]
  plan-review round list [--json]
  plan-review round records <id> [--out file.json]
                                       the round's records (the review record its PDF was rendered from, the approval)
  plan-review store sweep [--older-than 7d] [--dry-run]
                                       delete uploads (scans, revised versions) older than that which no round
                                       refers to: a reply never submitted, a form left unsent
  plan-review render <document.md> <records.json> <out.pdf> [--draft]
                                       render the plan PDF (a preview before approval, or the draft)
  plan-review render --round <id> <out.pdf> [--draft]
                                       render a round's plan from its own records (says whether it is the approved PDF)
${USERS_USAGE}
${REVIEW_USAGE}
${APPROVAL_USAGE}
${AUDIT_USAGE}

Any command: --debug shows the full error behind a one-line message.
Configuration comes from environment variables; see README.md.`;

/** Every coordinator's `round <action>` command: consultation's and disposition's (cli/users.ts), the expert review's and later stages' (cli/reviewCommands.ts). */
const roundActionCommands = { ...coordinatorActionCommands, ...reviewCommands };
const isRoundAction = (name: string | undefined): name is keyof typeof roundActionCommands =>
  name !== undefined && Object.hasOwn(roundActionCommands, name);

/** The document store of this process (the local folder, or PostgreSQL with STORE_URL), opened once. */
let opened: OpenedStore | undefined;
const contentStore = (config: Config) => (opened ??= openStore(config)).store;

class UsageError extends Error {}
class UnreachableError extends Error {}
class InputFileError extends Error {}

const RoundIdArg = z
  .string({ message: 'a round id is required, e.g. round:xinrong-eco-plan:1' })
  .refine((id) => parseReviewRoundId(id) !== null, {
    message: 'not a round id: expected round:<plan id>:<round number>, e.g. round:xinrong-eco-plan:1',
  });

function arg<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]!.message);
  return parsed.data;
}

/** Connects, hands the round gateway to `fn`, and closes the connection. */
async function withRounds<T>(config: Config, fn: (rounds: RoundGateway) => Promise<T>): Promise<T> {
  return withClient(config, (client) =>
    fn(new RoundGateway(client, contentStore(config), config.TEMPORAL_TASK_QUEUE, PATIENT_TIMEOUTS)),
  );
}

/** Connects, hands the Temporal client to `fn`, and closes the connection. */
async function withClient<T>(config: Config, fn: (client: Client) => Promise<T>): Promise<T> {
  let client: Client;
  try {
    client = await connectClient(config);
  } catch (err) {
    throw new UnreachableError(
      `cannot reach Temporal at ${temporalAddress(config)} (${(err as Error).message}): is the stack running (npm start), or TEMPORAL_ADDRESS right?`,
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.connection.close();
  }
}

async function startRoundFromFile(config: Config, rounds: RoundGateway, file: string, startedBy: Actor) {
  const store = contentStore(config);
  // Progress on stderr: stdout keeps only the result ("started <id>") for scripts.
  console.error(`[1/3] reading ${file} and the documents it names…`);
  const { input, warnings } = await loadRoundFile(path.resolve(file), store, {
    startedBy,
    messageIdDomain: messageIdDomain(config),
  });
  for (const w of warnings) console.error(`warning: ${w}`);
  console.error(
    `[2/3] ${input.documents.length} document(s) stored by hash, ${input.bureaus.length} bureaus; starting the round…`,
  );
  const started = await rounds.start(input);
  // When the server took the start, by this machine's clock, in the round's zone as its pages show it.
  if (started.kind === 'done')
    console.error(
      `[3/3] started at ${formatInstant(new Date().toISOString(), input.timeZone, { seconds: true })}; the worker sends the invitations now (plan-review round status ${started.value})`,
    );
  return started;
}

/** Renders a preview, turning unreadable or invalid inputs into messages that name the file. */
async function renderPreviewFile(doc: string, records: string, out: string, mode: 'draft' | 'approved') {
  try {
    return await renderPreview(doc, records, out, mode);
  } catch (err) {
    if (err instanceof z.ZodError)
      throw new InputFileError(`${records}: not a review record:\n${z.prettifyError(err)}`);
    if (err instanceof SyntaxError) throw new InputFileError(`${records}: not valid JSON: ${err.message}`);
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new InputFileError(`cannot read ${(err as NodeJS.ErrnoException).path}`);
    throw err;
  }
}

function untilSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/** `up`: the embedded stack; with --demo, the seed round answered through its emailed links. */
async function up(config: Config, demo: boolean): Promise<number> {
  const created = await ensureInitialUsers(config.paths.users);
  if (created.length > 0) {
    const file = path.join(config.paths.data, 'initial-passwords.txt');
    const lines = created.map((u) => `${u.username}\t${u.password}\t${u.roles.join(',')}`);
    await writeFile(
      file,
      `# username\tpassword\troles (shown once; change with plan-review user add)\n${lines.join('\n')}\n`,
      { mode: 0o600 },
    );
    console.log(`[up] created users in ${config.paths.users}; their passwords are in ${file}:`);
    for (const line of lines) console.log(`[up]   ${line}`);
  }
  const stack = await startStack(config, (line) => console.log(`[up] ${line}`));
  console.log(`[up] web server:      ${stack.webUrl} (sign in as coordinator, approver or auditor)`);
  if (stack.uiUrl) console.log(`[up] Temporal Web UI: ${stack.uiUrl}`);
  if (stack.outboxDir) console.log(`[up] outbox:          ${stack.webUrl}/outbox (files in ${stack.outboxDir})`);
  try {
    if (demo) await runDemo(config, stack);
  } catch (err) {
    await stack.stop();
    throw err;
  }
  console.log('[up] running; press Ctrl-C to stop');
  await untilSignal();
  console.log('[up] stopping');
  await stack.stop();
  return 0;
}

/** Who acts in the demo as `role`: PLAN_REVIEW_USER for the coordinator if set, else the embedded stack's own user of that name. */
async function demoActor(config: Config, role: 'coordinator' | 'approver'): Promise<Actor> {
  if (role === 'coordinator' && config.PLAN_REVIEW_USER) return cliActor(config);
  const user = (await loadUsers(config.paths.users)).find((u) => u.username === role && u.roles.includes(role));
  if (!user)
    throw new InputFileError(
      `no user "${role}" with that role in ${config.paths.users}: create it with plan-review user add for the demo`,
    );
  return actorOf(user, role);
}

async function runDemo(config: Config, stack: Awaited<ReturnType<typeof startStack>>): Promise<void> {
  const store = contentStore(config);
  const rounds = new RoundGateway(stack.client, store, config.TEMPORAL_TASK_QUEUE, PATIENT_TIMEOUTS);
  if (!stack.outboxDir) {
    console.log('[demo] mail goes to SMTP_URL, so the demo cannot follow the links in the emails: unset SMTP_URL');
    return;
  }
  const existing = await rounds.status(reviewRoundId('xinrong-eco-plan', 1));
  if (existing.kind === 'done') {
    console.log(
      `[demo] ${existing.value.id} exists already (kept from the last run, ${existing.value.stage}): ${stack.webUrl}/rounds/${existing.value.id}`,
    );
    return;
  }
  const result = await runSeedDemo({
    rounds,
    store,
    outboxDir: stack.outboxDir,
    outDir: path.join(config.paths.data, 'approved'),
    coordinator: await demoActor(config, 'coordinator'),
    approver: await demoActor(config, 'approver'),
    messageIdDomain: messageIdDomain(config),
    log: (l) => console.log(`[demo] ${l}`),
  });
  console.log(`[demo] the round's pages: ${stack.webUrl}/rounds/${result.roundId}`);
}

async function main(argv: string[]): Promise<number> {
  // Worker chatter at INFO (bundle details, state changes) hides what the CLI says.
  Runtime.install({ logger: new DefaultLogger('WARN') });

  // Subcommands with options of their own parse their arguments themselves.
  if (argv[0] === 'user' && argv[1] === 'add') {
    console.log(await userAddCommand(argv.slice(2), { usersFile: loadConfig().paths.users }));
    return 0;
  }
  if (argv[0] === 'round' && isRoundAction(argv[1])) {
    const config = loadConfig();
    const actor = await cliActor(config);
    const json = argv.includes('--json');
    const out = await withRounds(config, (rounds) =>
      roundActionCommands[argv[1] as keyof typeof roundActionCommands](
        {
          rounds,
          actor,
          store: contentStore(config),
          attachmentMaxBytes: config.ATTACHMENT_MAX_BYTES,
        },
        argv.slice(2).filter((a) => a !== '--json'),
      ),
    );
    console.log(json ? JSON.stringify(out.status, null, 2) : `${out.message}\n\n${formatRoundStatus(out.status)}`);
    return 0;
  }
  if (argv[0] === 'store' && argv[1] === 'sweep') {
    const { values } = parseArgs({
      args: argv.slice(2),
      options: { 'older-than': { type: 'string', default: '7d' }, 'dry-run': { type: 'boolean', default: false } },
    });
    const olderThan = parseAge(values['older-than']);
    if (olderThan === undefined) throw new UsageError(`--older-than: expected an age such as 7d, 12h or 30m`);
    const config = loadConfig();
    const store = (opened ??= openStore(config)).store;
    const report = await withRounds(config, (rounds) =>
      sweepUploads(store, rounds, new Date(Date.now() - olderThan), { dryRun: values['dry-run'] }),
    );
    const bytes = report.deleted.reduce((n, d) => n + d.size, 0);
    console.log(
      `${values['dry-run'] ? 'would delete' : 'deleted'} ${report.deleted.length} unused upload(s), ${bytes} bytes; ` +
        `${report.kept} in use kept; ${report.rounds} round(s) read`,
    );
    for (const d of report.deleted)
      console.log(`  ${d.sha256} ${d.size} bytes, ${d.roundId}, uploaded ${formatInstant(d.at, localTimeZone())}`);
    return 0;
  }
  if (argv[0] === 'audit' || argv[0] === 'verify') {
    const config = loadConfig();
    const out = await (argv[0] === 'audit' ? auditCommand : verifyCommand)(
      {
        withHistories: (fn) => withClient(config, (client) => fn(new TemporalHistories(client))),
        store: contentStore(config),
        uiUrl: config.TEMPORAL_UI_URL,
        namespace: config.TEMPORAL_NAMESPACE,
      },
      argv.slice(1),
    );
    console.log(out.output);
    return out.exitCode;
  }
  if (argv[0] === 'round' && isApprovalCommand(argv[1])) {
    const config = loadConfig();
    const out = await approvalCommands[argv[1]](
      {
        withRounds: (fn) => withRounds(config, fn),
        store: contentStore(config),
        approver: () => cliActor(config, 'approver'),
      },
      argv.slice(2),
    );
    console.log(out);
    return 0;
  }

  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      demo: { type: 'boolean', default: false },
      draft: { type: 'boolean', default: false },
      round: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, sub, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  const config = loadConfig();

  switch (command) {
    case 'up':
      return up(config, values.demo);
    case 'worker': {
      const stop = await runWorker(config, (line) => console.log(`[worker] ${line}`));
      console.log(`[worker] polling ${config.TEMPORAL_TASK_QUEUE}; Ctrl-C to stop`);
      await untilSignal();
      await stop();
      return 0;
    }
    case 'web': {
      const web = await runWeb(config, config.SMTP_URL ? undefined : config.paths.outbox);
      console.log(`[web] listening on ${config.WEB_HOST}:${config.WEB_PORT} (${config.PUBLIC_URL}); Ctrl-C to stop`);
      await untilSignal();
      await web.stop();
      return 0;
    }
    case 'mail-sink': {
      const sink = await startSmtpSink({ dir: config.paths.outbox, port: config.SMTP_SINK_PORT });
      console.log(`[mail-sink] listening on 127.0.0.1:${sink.port}, keeping messages in ${sink.dir}; Ctrl-C to stop`);
      await untilSignal();
      await sink.stop();
      return 0;
    }
    case 'render': {
      if (values.round !== undefined) {
        const id = arg(RoundIdArg, values.round);
        const out = arg(z.string({ message: 'render --round <id> needs <out.pdf>' }), sub);
        const result = await withRounds(config, async (rounds) =>
          renderRoundToFile(
            unwrap(await rounds.status(id)),
            contentStore(config),
            out,
            values.draft ? 'draft' : 'approved',
          ),
        );
        console.log(`${out}: ${result.pages} pages, SHA-256 ${result.pdfSha256}`);
        if (result.approvedPdfSha256)
          console.log(
            result.sameAsApproved
              ? 'the same bytes as the approved PDF'
              : `NOT the approved PDF (approved: ${result.approvedPdfSha256})`,
          );
        for (const w of result.warnings) console.error(`warning: ${w}`);
        return 0;
      }
      const [doc, records, out] = [sub, ...rest].map((a, i) =>
        arg(
          z.string({ message: `render needs <document.md> <records.json> <out.pdf> (argument ${i + 1} missing)` }),
          a,
        ),
      );
      const result = await renderPreviewFile(doc!, records!, out!, values.draft ? 'draft' : 'approved');
      console.log(`${out}: ${result.pages} pages, SHA-256 ${result.sha256}`);
      for (const w of result.warnings) console.error(`warning: ${w}`);
      return 0;
    }
    case 'round':
      if (sub === 'start') {
        const file = arg(z.string({ message: 'a round file is required' }), rest[0]);
        const actor = await cliActor(config);
        const id = unwrap(await withRounds(config, (rounds) => startRoundFromFile(config, rounds, file, actor)));
        console.log(`started ${id}`);
        return 0;
      }
      if (sub === 'status') {
        const id = arg(RoundIdArg, rest[0]);
        const status = unwrap(await withRounds(config, (rounds) => rounds.status(id)));
        console.log(values.json ? JSON.stringify(status, null, 2) : formatRoundStatus(status));
        return 0;
      }
      if (sub === 'records') {
        const id = arg(RoundIdArg, rest[0]);
        const json = await withRounds(config, async (rounds) =>
          writeRoundRecords(unwrap(await rounds.status(id)), contentStore(config), values.out),
        );
        if (values.out) console.log(`${values.out}: the records of ${id}`);
        else process.stdout.write(json);
        return 0;
      }
      if (sub === 'list') {
        const rounds = unwrap(await withRounds(config, (gateway) => gateway.list()));
        console.log(values.json ? JSON.stringify(rounds, null, 2) : formatRoundList(rounds));
        return 0;
      }
  }
  throw new UsageError(`unknown command: ${positionals.join(' ')}`);
}

/** Says on stderr what went wrong; the exit code: 2 for a usage error, else 1. */
function reportError(err: unknown): number {
  if (err instanceof RoundGatewayError && err.outcome.kind === 'unavailable') {
    // The server or the client library failed: the line says why; the library's trace only when asked.
    console.error(`plan-review: ${err.message}`);
    if (DEBUG) console.error(err.cause ?? err);
    else console.error('plan-review: run again with --debug to see the details');
    return 1;
  }
  const known =
    describeReviewError(err) ?? describeApprovalError(err) ?? describeAuditError(err) ?? describeCliError(err);
  if (known) {
    console.error(`plan-review: ${known.message}`);
    return known.exitCode;
  }
  if (
    err instanceof UsageError ||
    (err instanceof TypeError && /Unknown option|Unexpected argument/.test(err.message))
  ) {
    console.error(`plan-review: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (
    err instanceof ConfigError ||
    // A round file's problems (RoundFileError) and every other file's.
    err instanceof FileProblemsError ||
    err instanceof RoundGatewayError ||
    err instanceof UnreachableError ||
    err instanceof InputFileError ||
    err instanceof SweepError ||
    err instanceof AnchorError ||
    err instanceof FontMissingError ||
    err instanceof UnsupportedCharacterError
  ) {
    console.error(`plan-review: ${err.message}`);
  } else {
    // Anything else is unexpected: one line with the cause, the client library's trace only when asked.
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    console.error(`plan-review: ${message}`);
    if (DEBUG) console.error(err);
    else
      console.error('plan-review: run again with --debug to see the details, or report this line to the maintainers');
  }
  return 1;
}

/** Resolves once the stream has passed on everything written to it before (or can take no more). */
function written(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) resolve();
    else stream.write('', () => resolve());
  });
}

/**
 * Ends the process once stdout and stderr have passed on all output. Exiting at once would drop
 * what a pipe has not taken yet (everything beyond the pipe's 64 KiB buffer); waiting for the
 * event loop to empty instead could wait forever on a handle a library left open.
 */
async function exitWhenWritten(code: number): Promise<never> {
  process.exitCode = code;
  await Promise.all([written(process.stdout), written(process.stderr)]);
  process.exit(code);
}

/** `--debug` (anywhere) shows the full error behind a one-line message. */
const DEBUG = process.argv.includes('--debug');

void main(process.argv.slice(2).filter((a) => a !== '--debug'))
  .then((code) => code, reportError)
  .then(exitWhenWritten);
