/**
 * The seed's whole review cycle on a real Temporal cluster (scripts/cluster.sh: PostgreSQL, the
 * Temporal server built from its Go module, two workers, two web servers behind a load balancer),
 * with one worker and one web server killed (SIGKILL) mid-round: the round completes and nothing
 * is lost. Not part of `npm test` (building the server takes a quarter of an hour the first time):
 * `npm run test:cluster`. A cluster that cannot start fails the test; it never skips.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOutbox } from '../../cli/linkReplies.js';
import { runSeedDemo } from '../../cli/seedDemo.js';
import { loadConfig } from '../../infra/config.js';
import { messageIdDomain } from '../../infra/mailer.js';
import { freePort } from '../../infra/ports.js';
import { loadReply } from '../../infra/replyStore.js';
import { PATIENT_TIMEOUTS, RoundGateway, unwrap } from '../../infra/roundGateway.js';
import { loadSeedReview } from '../../infra/seedReview.js';
import { openStore } from '../../infra/stores.js';
import { connectClient } from '../../infra/temporal.js';
import { actorOf, loadUsers } from '../../infra/users.js';
import { startBalancer, type Balancer } from '../support/balancer.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MINUTE = 60_000;

let dir: string;
let clusterEnv: NodeJS.ProcessEnv;
let balancer: Balancer;
let webPorts: [number, number];

async function cluster(command: 'up' | 'down'): Promise<string> {
  try {
    const { stdout } = await run('bash', ['scripts/cluster.sh', command], {
      cwd: ROOT,
      env: clusterEnv,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`scripts/cluster.sh ${command} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

/** The configuration the script wrote for the plan-review processes. */
async function sharedEnv(): Promise<Record<string, string>> {
  const text = await readFile(path.join(dir, 'cluster.env'), 'utf8');
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

async function pidOf(name: string): Promise<number> {
  return Number((await readFile(path.join(dir, 'pids', `${name}.pid`), 'utf8')).trim());
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether a port on loopback can be bound now. */
function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** `count` consecutive free ports below 32768 (Temporal keeps membership ports in a smallint column). */
async function freeLowRange(count: number): Promise<number> {
  for (let tries = 0; tries < 100; tries++) {
    const base = 20_000 + Math.floor(Math.random() * (32_760 - 20_000 - count));
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if ((await Promise.all(ports.map(canBind))).every(Boolean)) return base;
  }
  throw new Error('no free range of ports below 32768 for Temporal membership');
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-cluster-'));
  // PostgreSQL runs as its own user: it must be able to reach its data folder inside.
  await chmod(dir, 0o755);
  webPorts = [await freePort(), await freePort()];
  balancer = await startBalancer(webPorts);
  clusterEnv = {
    ...process.env,
    CLUSTER_DIR: dir,
    CLUSTER_PG_PORT: String(await freePort()),
    CLUSTER_TEMPORAL_PORT: String(await freePort()),
    CLUSTER_TEMPORAL_HTTP_PORT: String(await freePort()),
    CLUSTER_HISTORY_PORT: String(await freePort()),
    CLUSTER_MATCHING_PORT: String(await freePort()),
    CLUSTER_INTERNAL_WORKER_PORT: String(await freePort()),
    CLUSTER_METRICS_PORT: String(await freePort()),
    CLUSTER_MEMBERSHIP_BASE: String(await freeLowRange(4)),
    CLUSTER_SMTP_PORT: String(await freePort()),
    CLUSTER_WEB_PORTS: webPorts.join(' '),
    CLUSTER_PUBLIC_URL: balancer.url,
  };
});

afterAll(async () => {
  if (clusterEnv) await cluster('down').catch((err: unknown) => console.error(err));
  await balancer?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 2 * MINUTE);

describe('the seed round on a Temporal cluster', () => {
  it('completes with one worker and one web server killed mid-round, and nothing lost', async () => {
    // Started here, not in a hook: a cluster that cannot start fails this test (a failed hook reads as skipped).
    console.log(await cluster('up'));
    const env = await sharedEnv();
    const config = loadConfig({ ...env, PLAN_REVIEW_DATA_DIR: path.join(dir, 'test') });
    const client = await connectClient(config);
    const opened = openStore(config);
    const rounds = new RoundGateway(client, opened.store, config.TEMPORAL_TASK_QUEUE, PATIENT_TIMEOUTS);
    const users = await loadUsers(config.paths.users);
    const actor = (role: 'coordinator' | 'approver') =>
      actorOf(
        users.find((u) => u.username === role)!,
        role,
      );
    const outboxDir = path.join(dir, 'mail', 'outbox');

    const killed = new Map<string, number>();
    const kill = async (name: string) => {
      const pid = await pidOf(name);
      process.kill(pid, 'SIGKILL');
      killed.set(name, pid);
      console.log(`[cluster-e2e] killed ${name} (pid ${pid}, SIGKILL)`);
    };
    let servedByWeb1AtKill = -1;
    const receipts: string[] = [];
    const pending: Promise<void>[] = [];
    const log = (line: string) => {
      console.log(`[cluster-e2e] ${line}`);
      // A worker dies while the round waits on its timer (the meeting's end): the other one carries on.
      if (line.includes('waiting for the meeting to end')) pending.push(kill('worker-1'));
      const receipt = /receipt no\. \d+, SHA-256 ([0-9a-f]{64})/.exec(line);
      if (receipt) {
        receipts.push(receipt[1]!);
        // A web server dies in the middle of the consultation: the balancer sends the rest to the other one.
        if (receipts.length === 3) {
          servedByWeb1AtKill = balancer.served.get(webPorts[0])!;
          pending.push(kill('web-1'));
        }
      }
    };

    try {
      const result = await runSeedDemo({
        rounds,
        store: opened.store,
        outboxDir,
        outDir: path.join(dir, 'approved'),
        coordinator: await actor('coordinator'),
        approver: await actor('approver'),
        messageIdDomain: messageIdDomain(config),
        log,
        pollMs: 500,
      });
      await Promise.all(pending);
      console.log(
        `[cluster-e2e] requests answered: web-1 ${balancer.served.get(webPorts[0])} (${servedByWeb1AtKill} before it was killed), web-2 ${balancer.served.get(webPorts[1])}`,
      );

      // Both kills happened mid-round, and the killed processes are gone.
      expect([...killed.keys()].sort()).toEqual(['web-1', 'worker-1']);
      for (const pid of killed.values()) expect(running(pid)).toBe(false);
      // Both web servers answered reply pages before the kill (a page opened on one, submitted on the
      // other: the balancer alternates), and only the survivor after it.
      expect(servedByWeb1AtKill).toBeGreaterThan(0);
      expect(balancer.served.get(webPorts[0])).toBe(servedByWeb1AtKill);
      expect(balancer.served.get(webPorts[1])).toBeGreaterThan(0);

      // The round is approved, with every reply the bureaus were given a receipt for, once each.
      const s = unwrap(await rounds.status(result.roundId));
      expect(s.stage).toBe('approved');
      const seed = await loadSeedReview();
      expect(receipts).toHaveLength(seed.replies.length);
      const recorded = s.bureaus.flatMap((b) => b.replies);
      expect(recorded.map((r) => r.contentSha256).sort()).toEqual([...receipts].sort());
      // Every reply's full text is in the shared store and still proves its receipt's hash.
      for (const summary of recorded)
        expect((await loadReply(opened.store, summary)).contentSha256).toBe(summary.contentSha256);

      // Every disposition of table 10-1, every acknowledgement, and the approved PDF by its hash.
      expect(s.dispositions).toHaveLength(seed.dispositions.length);
      expect(s.dispositions.every((d) => d.published)).toBe(true);
      expect(s.notices.every((n) => n.response === 'acknowledged')).toBe(true);
      expect((await opened.store.get(result.pdfSha256)).equals(await readFile(result.pdfPath))).toBe(true);

      // Every bureau got its invitation: one Message-ID each (a resend after a crash reuses it).
      const mails = await readOutbox(outboxDir);
      const invitations = new Set(
        mails.filter((m) => m.round === result.roundId && m.kind === 'invitation').map((m) => m.messageId),
      );
      expect(invitations.size).toBe(s.bureaus.length);
    } finally {
      await client.connection.close();
      await opened.close();
    }
  });
});
