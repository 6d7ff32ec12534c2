/**
 * Worker memory with many open rounds: one worker process's resident memory (VmRSS, and its peak
 * VmHWM) once `--rounds` seven-bureau rounds have sent their invitations and wait on their
 * deadlines; then a second, fresh worker after every round's status has been read through it (each
 * read replays the round into its workflow cache, which evicts the least recently used). Both have
 * the deployed cache size (WORKER_MAX_CACHED_WORKFLOWS) unless `--cache` gives another (a cache
 * larger than `--rounds` keeps every round). Stand-in documents (a short plan), invitations with a
 * line of HTML instead of the draft PDF, a mail sink that counts and discards.
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
const settle = () => new Promise((r) => setTimeout(r, 5000));
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
  await settle();
  const cached = await rssOf(first);
  const sample = await rounds.status(ids[0]!);
  if (sample.stage !== 'consultation') throw new Error(`round ${ids[0]} is in ${sample.stage}, not waiting`);

  await target.stopWorker(first);
  const second = await target.addWorker();
  const secondIdle = await rssOf(second);
  const readStarted = Date.now();
  await pool(ids.length, 8, (i) => rounds.status(ids[i]!));
  const readMs = Date.now() - readStarted;
  await settle();
  const evicted = await rssOf(second);
  return {
    ...info,
    target: args.target,
    openRounds: args.rounds,
    emails: Object.fromEntries(target.sink.counts),
    maxCachedWorkflows: args.cache ?? 'the deployed default (WORKER_MAX_CACHED_WORKFLOWS)',
    openingEveryRound: {
      idleBeforeRounds: idle,
      afterEveryRoundOpened: cached,
      msToOpenAll: openMs,
    },
    secondWorkerReadingEveryRound: {
      idleBeforeReads: secondIdle,
      afterReadingEveryRound: evicted,
      msToReadAll: readMs,
    },
    loadAverage: load.stop(),
  };
});
