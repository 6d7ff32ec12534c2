/**
 * Configuration, parsed once per entry point from the environment. Every variable is named in its
 * error message, so a bad value stops start-up with a message a person can act on.
 */
import path from 'node:path';
import { z } from 'zod';

const PORT_MESSAGE = 'must be a port number (1-65535)';
const port = z.coerce.number({ message: PORT_MESSAGE }).int(PORT_MESSAGE).min(1, PORT_MESSAGE).max(65535, PORT_MESSAGE);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalNonEmpty = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const url = z.url({ message: 'must be a URL such as http://localhost:3000' });
/** A variable set to blank counts as unset (its default applies). */
const blankAsUnset = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema);
/** How often, how old: 7d, 12h, 30m (infra/uploads.ts parseAge reads it). */
const AGE_MESSAGE = 'must be an age such as 7d, 12h or 30m';
const age = z.string().regex(/^[1-9]\d{0,4}[dhm]$/, AGE_MESSAGE);
/** Durations accepted by the Temporal CLI: 3650d, 8760h. */
const retention = z.string().regex(/^\d+(d|h)$/, 'must be a whole number of days or hours, such as 3650d or 8760h');

export const ConfigSchema = z.object({
  /** Where the embedded stack keeps its state: Temporal's SQLite file, the document store, the mail sink. */
  PLAN_REVIEW_DATA_DIR: z.string().min(1).default('data'),

  /** Set to use an existing Temporal cluster or Temporal Cloud instead of the embedded dev server. */
  TEMPORAL_ADDRESS: optionalNonEmpty,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TLS: bool.default(false),
  TEMPORAL_TLS_CERT: optionalNonEmpty,
  TEMPORAL_TLS_KEY: optionalNonEmpty,
  TEMPORAL_API_KEY: optionalNonEmpty,
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('plan-review'),
  /** How many rounds a worker keeps in its workflow cache; unset: the SDK's default (worker/createWorker.ts says why). */
  WORKER_MAX_CACHED_WORKFLOWS: blankAsUnset(
    z.coerce
      .number({ message: 'must be a whole number of rounds (2 or more)' })
      .int('must be a whole number of rounds (2 or more)')
      .min(2, 'must be a whole number of rounds (2 or more)')
      .optional(),
  ),
  /**
   * The SDK's workflow stack traces (the Temporal UI's Stack Trace tab), on to see where a round is
   * waiting while debugging; off, they cost a worker 15-18% of its CPU (worker/workflowStackTraces.cjs
   * reads it in the workflow threads).
   */
  WORKFLOW_STACK_TRACES: blankAsUnset(z.enum(['on', 'off'], { message: 'must be on or off' }).default('off')),
  /** How often the workers' schedule sweeps unused uploads (a scan never submitted), or off. */
  UPLOAD_SWEEP_EVERY: blankAsUnset(
    z
      .string()
      .regex(/^(off|[1-9]\d{0,4}[dhm])$/, 'must be off, or an interval such as 1d, 12h or 30m')
      .default('1d'),
  ),
  /** How old an unused upload must be before the sweep removes it. */
  UPLOAD_SWEEP_OLDER_THAN: blankAsUnset(age.default('7d')),
  /** The embedded dev server: its gRPC port, and how long closed rounds' histories are kept. */
  TEMPORAL_DEV_PORT: port.default(7233),
  /**
   * The embedded dev server's Web UI, only when set: it has no sign-in and offers cancel, signal and
   * terminate, so the stack runs headless and auditors read the app's audit pages (README, "The Temporal Web UI").
   */
  TEMPORAL_UI_PORT: blankAsUnset(port.optional()),
  TEMPORAL_RETENTION: retention.default('3650d'),
  /** The Temporal Web UI auditors may open (read-only, behind sign-in): the audit pages link each entry to its event there. */
  TEMPORAL_UI_URL: optionalNonEmpty.pipe(url.optional()),
  TEMPORAL_CLI_PATH: optionalNonEmpty,
  TEMPORAL_TEST_SERVER_PATH: optionalNonEmpty,

  WEB_HOST: z.string().min(1).default('127.0.0.1'),
  WEB_PORT: port.default(3000),
  /** The base of every link in an email; the address bureaus reach the web server at (default: http://localhost:WEB_PORT). */
  PUBLIC_URL: optionalNonEmpty.pipe(url.optional()),

  /**
   * Set to keep the document store (and the web servers' throttles) in PostgreSQL
   * (postgres://user:pass@host:5432/db), shared by every worker and web server; else the local folder.
   */
  STORE_URL: optionalNonEmpty.pipe(
    z
      .string()
      .regex(
        /^postgres(ql)?:\/\/\S+$/,
        'must be a PostgreSQL URL such as postgres://user:pass@localhost:5432/plan_review',
      )
      .optional(),
  ),

  /**
   * Megabytes of the document store's content a web server or worker keeps in memory, so that a
   * round's reply texts are not read from the store for every email and page (infra/cachedStore.ts); 0: none.
   */
  STORE_CACHE_MB: blankAsUnset(
    z.coerce
      .number({ message: 'must be a whole number of megabytes (0 for no cache)' })
      .int('must be a whole number of megabytes (0 for no cache)')
      .min(0, 'must be a whole number of megabytes (0 for no cache)')
      .max(4096, 'must be at most 4096 megabytes')
      .default(16),
  ),

  /** Set to send mail through a real SMTP server (smtp://user:pass@host:587); else the local sink keeps it. */
  SMTP_URL: optionalNonEmpty.pipe(url.optional()),
  SMTP_SINK_PORT: port.default(2525),
  MAIL_FROM: z.string().min(3).default('plan-review <plan-review@localhost>'),

  /** The server secret that signs reply links, form tokens and sessions (hex, 32+ bytes); embedded default: generated into the data folder. */
  LINK_SECRET: optionalNonEmpty.pipe(
    z
      .string()
      .regex(/^([0-9a-fA-F]{64,}|[A-Za-z0-9+/=]{44,})$/, 'must be at least 32 bytes as hex (64+ characters) or base64')
      .optional(),
  ),
  /** The largest scan a bureau or coordinator may attach to a reply. */
  ATTACHMENT_MAX_BYTES: z.coerce
    .number({ message: 'must be a number of bytes' })
    .int()
    .positive()
    .max(100 * 1024 * 1024, 'must be at most 100 MiB')
    .default(10 * 1024 * 1024),
  /** Named users (coordinator, approver, auditor) with scrypt-hashed passwords. */
  PLAN_REVIEW_USERS_FILE: optionalNonEmpty,
  /** The user (from the users file) the CLI acts as; every action it takes records this user. */
  PLAN_REVIEW_USER: optionalNonEmpty,
});

export type Config = Omit<z.infer<typeof ConfigSchema>, 'PUBLIC_URL'> & {
  PUBLIC_URL: string;
  /** Absolute paths derived from PLAN_REVIEW_DATA_DIR. */
  paths: { data: string; store: string; outbox: string; temporalDb: string; users: string };
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError naming each bad variable and what it must be. */
export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): Config {
  const relevant = Object.fromEntries(Object.keys(ConfigSchema.shape).map((k) => [k, env[k]]));
  const parsed = ConfigSchema.safeParse(relevant);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? '(environment)');
        return `${name}=${JSON.stringify(env[name] ?? '')}: ${issue.message}`;
      }),
    );
  }
  const c = parsed.data;
  const problems: string[] = [];
  if ((c.TEMPORAL_TLS_CERT === undefined) !== (c.TEMPORAL_TLS_KEY === undefined)) {
    problems.push('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY: set both (mTLS client certificate and key) or neither');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const data = path.resolve(cwd, c.PLAN_REVIEW_DATA_DIR);
  return {
    ...c,
    PUBLIC_URL: c.PUBLIC_URL ?? `http://localhost:${c.WEB_PORT}`,
    paths: {
      data,
      store: path.join(data, 'store'),
      outbox: path.join(data, 'outbox'),
      temporalDb: path.join(data, 'temporal.sqlite'),
      users: c.PLAN_REVIEW_USERS_FILE ? path.resolve(cwd, c.PLAN_REVIEW_USERS_FILE) : path.join(data, 'users.yaml'),
    },
  };
}
