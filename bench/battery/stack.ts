/**
 * The embedded stack as separate processes, so that each can be killed on its own: the Temporal dev
 * server (the CLI's, on a SQLite file), one `plan-review worker`, one `plan-review web`, and the mail
 * sink (infra/smtpSink.ts) in this process, which can go away and come back on the same port.
 * Every process that exits without being asked to is counted as a crash.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import type { Client } from '@temporalio/client';
import { startDevServer, type DevServer } from '../../infra/devServer.js';
import { loadConfig, type Config } from '../../infra/config.js';
import { freePort } from '../../infra/ports.js';
import { RoundGateway, type GatewayTimeouts } from '../../infra/roundGateway.js';
import { startSmtpSink, type SmtpSink } from '../../infra/smtpSink.js';
import { LocalContentStore } from '../../infra/store.js';
import { connectClient } from '../../infra/temporal.js';
import { temporalCli } from '../../infra/tools.js';

const CLI = fileURLToPath(new URL('../../bin/plan-review', import.meta.url));

/** One message as the mail server accepted it. */
export interface AcceptedMail {
  messageId: string;
  round: string;
  kind: string;
  to: string[];
  /** The personal reply link, when the message carries one. */
  link?: string;
  /** When its last byte reached the server (ms since the epoch): the server has it from then on. */
  acceptedAt: number;
}

export interface Fault {
  what: string;
  at: number;
}

export class BatteryStack {
  readonly mail: AcceptedMail[] = [];
  readonly faults: Fault[] = [];
  /** Processes that exited without being asked to. */
  readonly crashes: string[] = [];
  /** Addresses the mail server refuses for good. */
  readonly refused = new Map<string, string>();
  client!: Client;
  rounds!: RoundGateway;
  store: LocalContentStore;
  private dev?: DevServer;
  private sink?: SmtpSink;
  private readonly procs = new Map<'worker' | 'web', ChildProcess>();
  private readonly expectedExit = new Set<number>();
  private readonly logs = new Map<string, WriteStream>();
  private readonly parsing: Array<Promise<void>> = [];
  private readonly mailWatchers: Array<(headers: string) => boolean> = [];

  private constructor(
    readonly dir: string,
    readonly config: Config,
    readonly env: NodeJS.ProcessEnv,
    readonly ports: { dev: number; web: number; smtp: number },
  ) {
    this.store = new LocalContentStore(config.paths.store);
  }

  static async create(dir: string): Promise<BatteryStack> {
    const ports = { dev: await freePort(), web: await freePort(), smtp: await freePort() };
    const vars = {
      PLAN_REVIEW_DATA_DIR: dir,
      TEMPORAL_ADDRESS: `127.0.0.1:${ports.dev}`,
      TEMPORAL_TASK_QUEUE: 'plan-review-battery',
      SMTP_URL: `smtp://127.0.0.1:${ports.smtp}`,
      WEB_PORT: String(ports.web),
      WEB_HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${ports.web}`,
      // One key for the worker (links in emails) and the web server (links opened), set before either starts.
      LINK_SECRET: randomBytes(32).toString('hex'),
    };
    await mkdir(path.join(dir, 'logs'), { recursive: true });
    const stack = new BatteryStack(dir, loadConfig(vars), { ...process.env, ...vars }, ports);
    // Whatever ends this process, the servers it started end with it.
    process.once('exit', () => stack.killAllNow());
    return stack;
  }

  private killAllNow(): void {
    const pids = [...[...this.procs.values()].map((c) => c.pid), this.dev?.pid];
    for (const pid of pids)
      try {
        if (pid) process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
  }

  get webUrl(): string {
    return this.config.PUBLIC_URL;
  }

  fault(what: string): void {
    this.faults.push({ what, at: Date.now() });
  }

  private log(name: string): WriteStream {
    let s = this.logs.get(name);
    if (!s) this.logs.set(name, (s = createWriteStream(path.join(this.dir, 'logs', `${name}.log`), { flags: 'a' })));
    return s;
  }

  async startDevServer(): Promise<void> {
    this.dev = await startDevServer({
      cli: temporalCli(process.env.TEMPORAL_CLI_PATH),
      dbFile: path.join(this.dir, 'temporal.sqlite'),
      port: this.ports.dev,
      namespace: 'default',
      retention: '30d',
      logFile: path.join(this.dir, 'logs', 'temporal.log'),
    });
  }

  /** SIGKILL: no chance to flush anything beyond what SQLite already has. */
  killDevServer(): void {
    process.kill(this.dev!.pid, 'SIGKILL');
    this.fault('dev server killed');
  }

  async connect(timeouts?: GatewayTimeouts): Promise<void> {
    this.client = await connectClient(this.config);
    this.rounds = new RoundGateway(this.client, this.store, this.config.TEMPORAL_TASK_QUEUE, timeouts);
  }

  async startSink(): Promise<void> {
    this.sink = await startSmtpSink({
      dir: this.config.paths.outbox,
      port: this.ports.smtp,
      refuseRecipient: (a) => this.refused.get(a),
      onMessage: (raw, _file, acceptedAt) => {
        const headers = raw.subarray(0, Math.max(0, raw.indexOf('\r\n\r\n'))).toString('latin1');
        for (const [i, watcher] of [...this.mailWatchers.entries()].reverse())
          if (watcher(headers)) this.mailWatchers.splice(i, 1);
        this.parsing.push(
          simpleParser(raw).then((m) => {
            const to = (Array.isArray(m.to) ? m.to : m.to ? [m.to] : []).flatMap((a) =>
              a.value.map((v) => v.address ?? ''),
            );
            const html = typeof m.html === 'string' ? m.html : '';
            this.mail.push({
              messageId: m.messageId ?? '',
              round: String(m.headers.get('x-plan-review-round') ?? ''),
              kind: String(m.headers.get('x-plan-review-kind') ?? ''),
              to,
              link: /href="(https?:\/\/[^"]+\/r\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)"/.exec(html)?.[1],
              acceptedAt,
            });
          }),
        );
      },
    });
  }

  /**
   * Runs `act` as soon as a message whose headers match arrives, before the server answers 250:
   * a fault started there falls between the server's acceptance and the send's completion.
   */
  onMail<T>(match: (headers: string) => boolean, act: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.mailWatchers.push((headers) => {
        if (!match(headers)) return false;
        act().then(resolve, reject);
        return true;
      });
    });
  }

  async stopSink(): Promise<void> {
    await this.sink?.stop();
    this.sink = undefined;
    this.fault('mail server gone');
  }

  /** Messages accepted so far (after the ones being parsed are in). */
  async accepted(): Promise<AcceptedMail[]> {
    await Promise.all(this.parsing.splice(0));
    return this.mail;
  }

  private async spawnPart(part: 'worker' | 'web'): Promise<void> {
    const child = spawn(CLI, [part], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = this.log(part);
    child.stderr.pipe(log, { end: false });
    const ready = part === 'worker' ? '[worker] polling' : '[web] listening';
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      child.stdout.on('data', (c: Buffer) => {
        log.write(c);
        seen += c.toString();
        if (seen.includes(ready)) resolve();
      });
      child.once('exit', (code, signal) => reject(new Error(`${part} exited (${code ?? signal}) before it was ready`)));
    });
    child.once('exit', (code, signal) => {
      if (!this.expectedExit.has(child.pid!)) this.crashes.push(`${part} (pid ${child.pid}) exited: ${code ?? signal}`);
    });
    this.procs.set(part, child);
  }

  startWorker = () => this.spawnPart('worker');
  startWeb = () => this.spawnPart('web');

  async kill(part: 'worker' | 'web'): Promise<void> {
    const child = this.procs.get(part)!;
    this.expectedExit.add(child.pid!);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    this.fault(`${part} killed`);
    await exited;
    this.procs.delete(part);
  }

  /** Stops everything this stack started: processes first (SIGTERM), then the servers. */
  async stop(): Promise<void> {
    for (const [part, child] of this.procs) {
      this.expectedExit.add(child.pid!);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      this.procs.delete(part);
    }
    await this.client?.connection.close().catch(() => undefined);
    await this.sink?.stop();
    await this.dev?.stop();
    this.dev = undefined;
    await Promise.all([...this.logs.values()].map((s) => new Promise((r) => s.end(r))));
  }
}
