/**
 * Worker memory with many open rounds: one worker process's resident memory (VmRSS, and its peak
 * VmHWM) once `--rounds` seven-bureau rounds have sent their invitations and wait on their
 * deadlines; then a second, fresh worker after every round's status has been read through it (each
 * read replays the round into its workflow cache, which evicts the least recently used). Both have
 * the deployed cache size (WORKER_MAX_CACHED_WORKFLOWS) unless `--cache` gives another (a cache
 * larger than `--rounds` keeps every round). Each RSS is read 5 s after the work and again half a
 * minute later: V8 and the allocator return much of what the work left only once the worker idles,
 * and a worker whose rounds wait on their deadlines idles. Stand-in documents (a short plan),
 * invitations with a line of HTML instead of the draft PDF, a mail sink that counts and discards.
 *
 *   npx tsx bench/worker-memory.ts [--rounds 1000] [--target devserver|cluster] [--cache N]
 */
import { z } from 'zod';
import { benchArgs, CommonArgs } from './support/args.js';
import { loadSampler, machine, pool, rssOf } from './support/report.js';
import { benchRoundInput } from './support/rounds.js';
import { roundCalls } from './support/roundCalls.js';
import { reportOn, startTarget } from './support/target.js';

const args = benchArgs(
  CommonArgs.extend({
    rounds: CommonArgs.shape.rounds.default(1000),
    cache: z.coerce.number().int().min(2).optional(),
  }),
);
const info = machine();
const target = await startTarget({
  target: args.target,
  workers: 1,
  webServers: 0,
  bare: false,
  maxCachedWorkflows: args.cache,
});
const settle = (ms = 5000) => new Promise((r) => setTimeout(r, ms));
/** RSS 5 s after the work, then again once the worker has waited a further 30 s. */
async function settledRss(pid: number) {
  await settle();
  const soon = await rssOf(pid);
  await settle(30_000);
  return { soon, later: await rssOf(pid) };
}
await reportOn(target, async () => {
  const template = await benchRoundInput(target);
  const rounds = roundCalls(target.client, target.store, target.taskQueue);
  const run = Date.now().toString(36);
  const first = target.workerPids[0]!;
  const idle = await rssOf(first);
  const load = loadSampler();
  const started = Date.now();
  const ids = await pool(args.rounds, 16, (i) => rounds.start({ ...template, planId: `memory-${run}-${i}` }));
  const bureaus = template.bureaus.length;
  // Every invitation sent: each round is then waiting on its next due moment (a reminder 7 days before the deadline).
  while ((target.sink.counts.get('invitation') ?? 0) < args.rounds * bureaus) {
    if (Date.now() - started > 1_800_000) throw new Error(`invitations: ${target.sink.counts.get('invitation') ?? 0}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  const openMs = Date.now() - started;
  const cached = await settledRss(first);
  const sample = await rounds.status(ids[0]!);
  if (sample.stage !== 'consultation') throw new Error(`round ${ids[0]} is in ${sample.stage}, not waiting`);

  await target.stopWorker(first);
  const second = await target.addWorker();
  const secondIdle = await rssOf(second);
  const readStarted = Date.now();
  await pool(ids.length, 8, (i) => rounds.status(ids[i]!));
  const readMs = Date.now() - readStarted;
  const evicted = await settledRss(second);
  return {
    ...info,
    target: args.target,
    openRounds: args.rounds,
    emails: Object.fromEntries(target.sink.counts),
    maxCachedWorkflows: args.cache ?? 'the deployed default (WORKER_MAX_CACHED_WORKFLOWS)',
    openingEveryRound: {
      idleBeforeRounds: idle,
      afterEveryRoundOpened: cached.soon,
      halfAMinuteLater: cached.later,
      msToOpenAll: openMs,
    },
    secondWorkerReadingEveryRound: {
      idleBeforeReads: secondIdle,
      afterReadingEveryRound: evicted.soon,
      halfAMinuteLater: evicted.later,
      msToReadAll: readMs,
    },
    loadAverage: load.stop(),
  };
});
