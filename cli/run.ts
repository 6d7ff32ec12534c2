/**
 * plan-review: one binary, several subcommands. Arguments and configuration are validated here,
 * once; everything below receives typed values. cli/main.ts runs it as a process; tests run it in
 * theirs (runCli), with their own output, environment and connection.
 */
import { localTimeZone } from '../domain/time.js';
import { formatInstant } from '../infra/templates.js';
import { parseAge, sweepUploads, SweepError } from '../infra/uploads.js';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { inspect, parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
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
import {
  APPROVAL_COMMAND_ROLES,
  APPROVAL_USAGE,
  approvalCommands,
  describeApprovalError,
  isApprovalCommand,
} from './approvalCommands.js';
import { describeReviewError, REVIEW_USAGE, reviewCommands } from './reviewCommands.js';
import { runSeedDemo } from './seedDemo.js';
import { renderRoundToFile, writeRoundRecords } from './roundOutputs.js';
import { runWeb, runWorker, startStack } from './stack.js';
import { cliActor, coordinatorActionCommands, describeCliError, userAddCommand, USERS_USAGE } from './users.js';

export const USAGE = `plan-review: the review cycle of a government plan, on Temporal

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

/**
 * Every command, and what it does with the user: `acts` as PLAN_REVIEW_USER in a role (refused to a
 * user without it, before anything is asked of a round), `reads` (anyone who can reach the round), or
 * `host` (runs or maintains the installation: whoever can run it on the host, no user of the app).
 */
export type CliCommandKind = { acts: 'coordinator' | 'approver' } | 'reads' | 'host';
export const CLI_COMMANDS: Readonly<Record<string, CliCommandKind>> = {
  up: 'host',
  worker: 'host',
  web: 'host',
  'mail-sink': 'host',
  'user add': 'host',
  'store sweep': 'host',
  render: 'reads',
  audit: 'reads',
  verify: 'reads',
  'round status': 'reads',
  'round list': 'reads',
  'round records': 'reads',
  'round start': { acts: 'coordinator' },
  ...Object.fromEntries(Object.keys(roundActionCommands).map((name) => [`round ${name}`, { acts: 'coordinator' }])),
  ...Object.fromEntries(
    Object.entries(APPROVAL_COMMAND_ROLES).map(([name, role]) => [`round ${name}`, role ? { acts: role } : 'reads']),
  ),
};

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

function untilSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/** Where the CLI writes, what it reads its configuration from, and how it reaches Temporal. */
export interface CliIo {
  /** One line (or more) of the command's result, on stdout. */
  out(text: string): void;
  /** Progress, warnings and errors, on stderr. */
  err(text: string): void;
  /** Text written to stdout as it is (no newline added). */
  write(text: string): void;
  /** The environment the configuration is read from. */
  env: Record<string, string | undefined>;
  /** Connects to Temporal: every command that reads or changes a round goes through it. */
  connect(config: Config): Promise<Client>;
}

/** The process's own: stdout, stderr, process.env and the configured Temporal. */
export const processIo: CliIo = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
  write: (text) => void process.stdout.write(text),
  env: process.env,
  connect: connectClient,
};

/** One run of the CLI: its output, and the document store it opened (once). */
class CliRun {
  /** The document store of this run (the local folder, or PostgreSQL with STORE_URL), opened once. */
  private opened: OpenedStore | undefined;

  constructor(
    private readonly io: CliIo,
    private readonly debug: boolean,
  ) {}

  store(config: Config) {
    return (this.opened ??= openStore(config)).store;
  }

  async close() {
    await this.opened?.close();
  }

  private config() {
    return loadConfig(this.io.env);
  }

  /** Connects, hands the round gateway to `fn`, and closes the connection. */
  async withRounds<T>(config: Config, fn: (rounds: RoundGateway) => Promise<T>): Promise<T> {
    return this.withClient(config, (client) =>
      fn(new RoundGateway(client, this.store(config), config.TEMPORAL_TASK_QUEUE, PATIENT_TIMEOUTS)),
    );
  }

  /** Connects, hands the Temporal client to `fn`, and closes the connection. */
  async withClient<T>(config: Config, fn: (client: Client) => Promise<T>): Promise<T> {
    let client: Client;
    try {
      client = await this.io.connect(config);
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

  async startRoundFromFile(config: Config, rounds: RoundGateway, file: string, startedBy: Actor) {
    const store = this.store(config);
    // Progress on stderr: stdout keeps only the result ("started <id>") for scripts.
    this.io.err(`[1/3] reading ${file} and the documents it names…`);
    const { input, warnings } = await loadRoundFile(path.resolve(file), store, {
      startedBy,
      messageIdDomain: messageIdDomain(config),
    });
    for (const w of warnings) this.io.err(`warning: ${w}`);
    this.io.err(
      `[2/3] ${input.documents.length} document(s) stored by hash, ${input.bureaus.length} bureaus; starting the round…`,
    );
    const started = await rounds.start(input);
    // When the server took the start, by this machine's clock, in the round's zone as its pages show it.
    if (started.kind === 'done')
      this.io.err(
        `[3/3] started at ${formatInstant(new Date().toISOString(), input.timeZone, { seconds: true })}; the worker sends the invitations now (plan-review round status ${started.value})`,
      );
    return started;
  }

  /** Renders a preview, turning unreadable or invalid inputs into messages that name the file. */
  async renderPreviewFile(doc: string, records: string, out: string, mode: 'draft' | 'approved') {
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

  /** `up`: the embedded stack; with --demo, the seed round answered through its emailed links. */
  async up(config: Config, demo: boolean): Promise<number> {
    const created = await ensureInitialUsers(config.paths.users);
    if (created.length > 0) {
      const file = path.join(config.paths.data, 'initial-passwords.txt');
      const lines = created.map((u) => `${u.username}\t${u.password}\t${u.roles.join(',')}`);
      await writeFile(
        file,
        `# username\tpassword\troles (shown once; change with plan-review user add)\n${lines.join('\n')}\n`,
        { mode: 0o600 },
      );
      this.io.out(`[up] created users in ${config.paths.users}; their passwords are in ${file}:`);
      for (const line of lines) this.io.out(`[up]   ${line}`);
    }
    const stack = await startStack(config, (line) => this.io.out(`[up] ${line}`));
    this.io.out(`[up] web server:      ${stack.webUrl} (sign in as coordinator, approver or auditor)`);
    if (stack.uiUrl) this.io.out(`[up] Temporal Web UI: ${stack.uiUrl}`);
    if (stack.outboxDir) this.io.out(`[up] outbox:          ${stack.webUrl}/outbox (files in ${stack.outboxDir})`);
    try {
      if (demo) await this.runDemo(config, stack);
    } catch (err) {
      await stack.stop();
      throw err;
    }
    this.io.out('[up] running; press Ctrl-C to stop');
    await untilSignal();
    this.io.out('[up] stopping');
    await stack.stop();
    return 0;
  }

  /** Who acts in the demo as `role`: PLAN_REVIEW_USER for the coordinator if set, else the embedded stack's own user of that name. */
  async demoActor(config: Config, role: 'coordinator' | 'approver'): Promise<Actor> {
    if (role === 'coordinator' && config.PLAN_REVIEW_USER) return cliActor(config);
    const user = (await loadUsers(config.paths.users)).find((u) => u.username === role && u.roles.includes(role));
    if (!user)
      throw new InputFileError(
        `no user "${role}" with that role in ${config.paths.users}: create it with plan-review user add for the demo`,
      );
    return actorOf(user, role);
  }

  async runDemo(config: Config, stack: Awaited<ReturnType<typeof startStack>>): Promise<void> {
    const store = this.store(config);
    const rounds = new RoundGateway(stack.client, store, config.TEMPORAL_TASK_QUEUE, PATIENT_TIMEOUTS);
    if (!stack.outboxDir) {
      this.io.out('[demo] mail goes to SMTP_URL, so the demo cannot follow the links in the emails: unset SMTP_URL');
      return;
    }
    const existing = await rounds.status(reviewRoundId('xinrong-eco-plan', 1));
    if (existing.kind === 'done') {
      this.io.out(
        `[demo] ${existing.value.id} exists already (kept from the last run, ${existing.value.stage}): ${stack.webUrl}/rounds/${existing.value.id}`,
      );
      return;
    }
    const result = await runSeedDemo({
      rounds,
      store,
      outboxDir: stack.outboxDir,
      outDir: path.join(config.paths.data, 'approved'),
      coordinator: await this.demoActor(config, 'coordinator'),
      approver: await this.demoActor(config, 'approver'),
      messageIdDomain: messageIdDomain(config),
      log: (l) => this.io.out(`[demo] ${l}`),
    });
    this.io.out(`[demo] the round's pages: ${stack.webUrl}/rounds/${result.roundId}`);
  }

  async main(argv: string[]): Promise<number> {
    // Subcommands with options of their own parse their arguments themselves.
    if (argv[0] === 'user' && argv[1] === 'add') {
      this.io.out(await userAddCommand(argv.slice(2), { usersFile: this.config().paths.users, env: this.io.env }));
      return 0;
    }
    if (argv[0] === 'round' && isRoundAction(argv[1])) {
      const config = this.config();
      const actor = await cliActor(config);
      const json = argv.includes('--json');
      const out = await this.withRounds(config, (rounds) =>
        roundActionCommands[argv[1] as keyof typeof roundActionCommands](
          {
            rounds,
            actor,
            store: this.store(config),
            attachmentMaxBytes: config.ATTACHMENT_MAX_BYTES,
          },
          argv.slice(2).filter((a) => a !== '--json'),
        ),
      );
      this.io.out(json ? JSON.stringify(out.status, null, 2) : `${out.message}\n\n${formatRoundStatus(out.status)}`);
      return 0;
    }
    if (argv[0] === 'store' && argv[1] === 'sweep') {
      const { values } = parseArgs({
        args: argv.slice(2),
        options: { 'older-than': { type: 'string', default: '7d' }, 'dry-run': { type: 'boolean', default: false } },
      });
      const olderThan = parseAge(values['older-than']);
      if (olderThan === undefined) throw new UsageError(`--older-than: expected an age such as 7d, 12h or 30m`);
      const config = this.config();
      const store = this.store(config);
      const report = await this.withRounds(config, (rounds) =>
        sweepUploads(store, rounds, new Date(Date.now() - olderThan), { dryRun: values['dry-run'] }),
      );
      const bytes = report.deleted.reduce((n, d) => n + d.size, 0);
      this.io.out(
        `${values['dry-run'] ? 'would delete' : 'deleted'} ${report.deleted.length} unused upload(s), ${bytes} bytes; ` +
          `${report.kept} in use kept; ${report.rounds} round(s) read`,
      );
      for (const d of report.deleted)
        this.io.out(`  ${d.sha256} ${d.size} bytes, ${d.roundId}, uploaded ${formatInstant(d.at, localTimeZone())}`);
      return 0;
    }
    if (argv[0] === 'audit' || argv[0] === 'verify') {
      const config = this.config();
      const out = await (argv[0] === 'audit' ? auditCommand : verifyCommand)(
        {
          withHistories: (fn) => this.withClient(config, (client) => fn(new TemporalHistories(client))),
          store: this.store(config),
          uiUrl: config.TEMPORAL_UI_URL,
          namespace: config.TEMPORAL_NAMESPACE,
        },
        argv.slice(1),
      );
      this.io.out(out.output);
      return out.exitCode;
    }
    if (argv[0] === 'round' && isApprovalCommand(argv[1])) {
      const config = this.config();
      const out = await approvalCommands[argv[1]](
        {
          withRounds: (fn) => this.withRounds(config, fn),
          store: this.store(config),
          approver: () => cliActor(config, 'approver'),
        },
        argv.slice(2),
      );
      this.io.out(out);
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
      this.io.out(USAGE);
      return command || values.help ? 0 : 2;
    }
    const config = this.config();

    switch (command) {
      case 'up':
        return this.up(config, values.demo);
      case 'worker': {
        const stop = await runWorker(config, (line) => this.io.out(`[worker] ${line}`));
        this.io.out(`[worker] polling ${config.TEMPORAL_TASK_QUEUE}; Ctrl-C to stop`);
        await untilSignal();
        await stop();
        return 0;
      }
      case 'web': {
        const web = await runWeb(config, config.SMTP_URL ? undefined : config.paths.outbox);
        this.io.out(`[web] listening on ${config.WEB_HOST}:${config.WEB_PORT} (${config.PUBLIC_URL}); Ctrl-C to stop`);
        await untilSignal();
        await web.stop();
        return 0;
      }
      case 'mail-sink': {
        const sink = await startSmtpSink({ dir: config.paths.outbox, port: config.SMTP_SINK_PORT });
        this.io.out(`[mail-sink] listening on 127.0.0.1:${sink.port}, keeping messages in ${sink.dir}; Ctrl-C to stop`);
        await untilSignal();
        await sink.stop();
        return 0;
      }
      case 'render': {
        if (values.round !== undefined) {
          const id = arg(RoundIdArg, values.round);
          const out = arg(z.string({ message: 'render --round <id> needs <out.pdf>' }), sub);
          const result = await this.withRounds(config, async (rounds) =>
            renderRoundToFile(
              unwrap(await rounds.status(id)),
              this.store(config),
              out,
              values.draft ? 'draft' : 'approved',
            ),
          );
          this.io.out(`${out}: ${result.pages} pages, SHA-256 ${result.pdfSha256}`);
          if (result.approvedPdfSha256)
            this.io.out(
              result.sameAsApproved
                ? 'the same bytes as the approved PDF'
                : `NOT the approved PDF (approved: ${result.approvedPdfSha256})`,
            );
          for (const w of result.warnings) this.io.err(`warning: ${w}`);
          return 0;
        }
        const [doc, records, out] = [sub, ...rest].map((a, i) =>
          arg(
            z.string({ message: `render needs <document.md> <records.json> <out.pdf> (argument ${i + 1} missing)` }),
            a,
          ),
        );
        const result = await this.renderPreviewFile(doc!, records!, out!, values.draft ? 'draft' : 'approved');
        this.io.out(`${out}: ${result.pages} pages, SHA-256 ${result.sha256}`);
        for (const w of result.warnings) this.io.err(`warning: ${w}`);
        return 0;
      }
      case 'round':
        if (sub === 'start') {
          const file = arg(z.string({ message: 'a round file is required' }), rest[0]);
          const actor = await cliActor(config);
          const id = unwrap(
            await this.withRounds(config, (rounds) => this.startRoundFromFile(config, rounds, file, actor)),
          );
          this.io.out(`started ${id}`);
          return 0;
        }
        if (sub === 'status') {
          const id = arg(RoundIdArg, rest[0]);
          const status = unwrap(await this.withRounds(config, (rounds) => rounds.status(id)));
          this.io.out(values.json ? JSON.stringify(status, null, 2) : formatRoundStatus(status));
          return 0;
        }
        if (sub === 'records') {
          const id = arg(RoundIdArg, rest[0]);
          const json = await this.withRounds(config, async (rounds) =>
            writeRoundRecords(unwrap(await rounds.status(id)), this.store(config), values.out),
          );
          if (values.out) this.io.out(`${values.out}: the records of ${id}`);
          else this.io.write(json);
          return 0;
        }
        if (sub === 'list') {
          const rounds = unwrap(await this.withRounds(config, (gateway) => gateway.list()));
          this.io.out(values.json ? JSON.stringify(rounds, null, 2) : formatRoundList(rounds));
          return 0;
        }
    }
    throw new UsageError(`unknown command: ${positionals.join(' ')}`);
  }

  /** Says on stderr what went wrong; the exit code: 2 for a usage error, else 1. */
  reportError(err: unknown): number {
    if (err instanceof RoundGatewayError && err.outcome.kind === 'unavailable') {
      // The server or the client library failed: the line says why; the library's trace only when asked.
      this.io.err(`plan-review: ${err.message}`);
      if (this.debug) this.io.err(inspect(err.cause ?? err));
      else this.io.err('plan-review: run again with --debug to see the details');
      return 1;
    }
    const known =
      describeReviewError(err) ?? describeApprovalError(err) ?? describeAuditError(err) ?? describeCliError(err);
    if (known) {
      this.io.err(`plan-review: ${known.message}`);
      return known.exitCode;
    }
    if (
      err instanceof UsageError ||
      (err instanceof TypeError && /Unknown option|Unexpected argument/.test(err.message))
    ) {
      this.io.err(`plan-review: ${err.message}\n\n${USAGE}`);
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
      this.io.err(`plan-review: ${err.message}`);
    } else {
      // Anything else is unexpected: one line with the cause, the client library's trace only when asked.
      const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
      this.io.err(`plan-review: ${message}`);
      if (this.debug) this.io.err(inspect(err));
      else
        this.io.err('plan-review: run again with --debug to see the details, or report this line to the maintainers');
    }
    return 1;
  }
}

/**
 * Runs the CLI on `argv` (the arguments after the program's name) and answers its exit code: 0 when
 * done, 2 for a usage error, else 1, with what went wrong said on `io.err`. `--debug` anywhere shows
 * the full error behind the one-line message.
 */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const run = new CliRun(io, argv.includes('--debug'));
  try {
    return await run.main(argv.filter((a) => a !== '--debug')).then(
      (code) => code,
      (err: unknown) => run.reportError(err),
    );
  } finally {
    await run.close();
  }
}
