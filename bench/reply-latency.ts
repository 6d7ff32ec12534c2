/**
 * Reply latency at a fixed arrival rate (open loop: each reply is posted at its scheduled moment
 * whether or not the earlier ones are answered), through the real reply routes: the bureau's page
 * is opened two seconds before (its GET, a status query, at the same rate), the form is posted at
 * the scheduled moment, and the time runs until the receipt's record has been read back and checked
 * against its SHA-256. Latency counts from the scheduled moment, so a server that falls behind
 * shows it. First `--rate` for `--warm-seconds`, reported apart as the cold start (a stack just
 * started runs its code unoptimised and grows its heaps: its first seconds cost more CPU per reply
 * than later ones); then `--rate` for `--seconds`, the steady state the goal is about; then,
 * `--step-seconds` each, rising rates until the p99 passes one second, or (when the first rate did
 * not hold) falling rates until it stays under; then the same server's raw Update rate on bare
 * reference workflows. Each round takes 70 replies (7 bureaus × 10 versions).
 *
 *   npx tsx bench/reply-latency.ts [--rounds 100] [--target devserver|cluster] [--workers 1]
 *     [--rate 20] [--warm-seconds 10] [--seconds 30] [--step-seconds 10]
 */
import { z } from 'zod';
import type { RoundStatus } from '../domain/round.js';
import { benchArgs, CommonArgs } from './support/args.js';
import { rawUpdateRate } from './support/bare.js';
import { latencySummary, loadSampler, machine, pool } from './support/report.js';
import { benchReply, benchRoundInput, openReplyForm, replyLink, submitReply } from './support/rounds.js';
import { roundCalls } from './support/roundCalls.js';
import { cpuPer, cpuSpent, reportOn, requestsPer, startTargetFor, type Target } from './support/target.js';

const positive = z.coerce.number().positive();
const args = benchArgs(
  CommonArgs.extend({
    rounds: CommonArgs.shape.rounds.default(100),
    rate: positive.default(20),
    warmSeconds: positive.default(10),
    seconds: positive.default(30),
    stepSeconds: positive.default(10),
  }),
);
/** Reply versions a bureau may send (domain/limits.ts): each slot is one version of one bureau's reply. */
const VERSIONS = 10;
const OPEN_AHEAD_MS = 2000;
const LIMIT_MS = 1000;

interface Slot {
  status: RoundStatus;
  bureauId: string;
  version: number;
}

/** Slots in an order that spreads consecutive replies over the rounds (one bureau's versions come rounds apart). */
function* slots(statuses: RoundStatus[]): Generator<Slot> {
  const bureaus = statuses[0]!.bureaus.map((b) => b.bureau.id);
  for (let version = 1; version <= VERSIONS; version++)
    for (const bureauId of bureaus) for (const status of statuses) yield { status, bureauId, version };
}

async function phase(target: Target, next: () => Slot | undefined, rate: number, seconds: number, web: () => string) {
  const n = Math.round(rate * seconds);
  // Every slot of the phase is taken before it starts: a pool that runs out mid-phase would leave
  // replies of a phase nobody measures still running (and the load sampler with them).
  const taken: Slot[] = [];
  for (let i = 0; i < n; i++) {
    const slot = next();
    if (!slot) return { exhausted: true as const };
    taken.push(slot);
  }
  const t0 = Date.now() + OPEN_AHEAD_MS + 500;
  const latencies: number[] = [];
  const errors: string[] = [];
  let last = t0;
  const load = loadSampler();
  const cpu = await cpuSpent(target);
  const requests = await target.serverRequests();
  const jobs: Promise<void>[] = [];
  for (const [i, slot] of taken.entries()) {
    const at = t0 + (i * 1000) / rate;
    const docKeys = slot.status.documents.map((d) => d.key);
    jobs.push(
      (async () => {
        await new Promise((r) => setTimeout(r, at - OPEN_AHEAD_MS - Date.now()));
        try {
          const form = await openReplyForm(replyLink(target, web(), slot.status, slot.bureauId));
          await new Promise((r) => setTimeout(r, at - Date.now()));
          await submitReply(form, benchReply(slot.status, slot.bureauId, slot.version), docKeys);
          const done = Date.now();
          latencies.push(done - at);
          last = Math.max(last, done);
        } catch (err) {
          errors.push(String(err).slice(0, 200));
        }
      })(),
    );
  }
  await Promise.all(jobs);
  const spent = await cpuSpent(target);
  const requestsAfter = await target.serverRequests();
  return {
    exhausted: false as const,
    offeredPerSecond: rate,
    seconds,
    latencyMs: latencySummary(latencies),
    errors: errors.length,
    firstErrors: [...new Set(errors)].slice(0, 3),
    completedPerSecond: Math.round((latencies.length / ((last - t0) / 1000)) * 10) / 10,
    loadAverage: load.stop(),
    cpuMsPerReply: cpuPer(cpu, spent, latencies.length),
    serverRequestsPerReply: requestsPer(requests, requestsAfter, latencies.length, [
      'QueryWorkflow',
      'UpdateWorkflowExecution',
      'DescribeWorkflowExecution',
      'PollWorkflowTaskQueue',
      'RespondWorkflowTaskCompleted',
      'PollActivityTaskQueue',
      'RecordActivityTaskHeartbeat',
      'RespondActivityTaskCompleted',
    ]),
  };
}

const info = machine();
const target = await startTargetFor(args);
await reportOn(target, async () => {
  const template = await benchRoundInput(target);
  const rounds = roundCalls(target.client, target.store, target.taskQueue);
  const run = Date.now().toString(36);
  const setupStarted = Date.now();
  const statuses = await pool(args.rounds, 16, async (i) => {
    const id = await rounds.start({ ...template, planId: `latency-${run}-${i}` });
    return rounds.until(id, (s) => s.bureaus.every((b) => b.invitation?.sentAt !== undefined), 600_000, 250);
  });
  const setupMs = Date.now() - setupStarted;
  const order = slots(statuses);
  const next = () => {
    const r = order.next();
    return r.done ? undefined : r.value;
  };
  let k = 0;
  const web = () => target.webUrls[k++ % target.webUrls.length]!;
  // The cold start: the stack's first replies at the fixed rate, reported apart from the steady state.
  const coldStart = await phase(target, next, args.rate, args.warmSeconds, web);
  if (coldStart.exhausted)
    throw new Error(`too few rounds for ${args.warmSeconds} s at ${args.rate}/s: give more --rounds`);

  const fixed = await phase(target, next, args.rate, args.seconds, web);
  if (fixed.exhausted) throw new Error(`too few rounds for ${args.seconds} s at ${args.rate}/s: give more --rounds`);
  const holds = (step: { errors: number; latencyMs: { p99: number } }) =>
    step.errors === 0 && step.latencyMs.p99 <= LIMIT_MS;
  // From the fixed rate: up (×1.5) while the p99 stays under a second, or down (÷1.5) until it does.
  const up = holds(fixed);
  const ladder: unknown[] = [];
  let sustained: number | null = up ? args.rate : null;
  let stoppedBecause: string;
  for (let rate = args.rate; ;) {
    rate = up ? Math.round(rate * 1.5) : Math.floor(rate / 1.5);
    if (rate < 1) {
      stoppedBecause = 'not even one reply a second kept its p99 under one second';
      break;
    }
    const step = await phase(target, next, rate, args.stepSeconds, web);
    if (step.exhausted) {
      stoppedBecause = `the pool's reply slots ran out (${args.rounds} rounds × 7 bureaus × ${VERSIONS} versions)`;
      break;
    }
    ladder.push(step);
    if (up && !holds(step)) {
      stoppedBecause = step.errors > 0 ? 'replies failed' : 'the p99 passed one second';
      break;
    }
    if (up) sustained = rate;
    else if (holds(step)) {
      sustained = rate;
      stoppedBecause = 'the first rate below the fixed one whose p99 stayed under one second';
      break;
    }
  }
  // What a reply page's status query carries by now: the round with every version of every bureau's reply.
  const statusBytes = Buffer.byteLength(JSON.stringify(await rounds.status(statuses[0]!.id)));
  const raw = await rawUpdateRate(target, 50, 32, 10);
  return {
    ...info,
    target: args.target,
    workers: args.workers,
    webServers: target.webUrls.length,
    openRounds: args.rounds,
    setupMs,
    statusBytesAtEnd: statusBytes,
    coldStart,
    fixedRate: fixed,
    ladder,
    sustainedPerSecond: sustained,
    stoppedBecause,
    rawUpdates: raw,
    sustainedShareOfRawUpdateRate: sustained === null ? null : Math.round((sustained / raw.perSecond) * 1000) / 1000,
  };
});
