/**
 * Round throughput against the engine's own limit, in one run on one Temporal server: N seven-bureau
 * rounds from start to approval (invitations, replies through the reply links over HTTP, table
 * 10-1's dispositions, acknowledgements, the candidate approved; the candidate is the review record,
 * not the rendered PDF: bench/support/benchWorker.ts), and as many bare reference workflows with
 * the same mix of billable actions per workflow (starts, activities, Updates, timers, queries), once
 * before the rounds and once after. The figure is the rounds' billable actions per second as a share
 * of the reference's, both reference runs together. Queries are billable actions on Temporal Cloud
 * but leave no history: the Temporal server's own count of them is added to what the histories show
 * (`ratio`), and the reference sends as many. `ratioHistoryActions` is the figure as it was taken
 * before 2026-12-07 17:30 UTC: the histories' actions alone, against the reference run again without
 * queries (after each of the two above).
 *
 *   npx tsx bench/round-throughput.ts [--rounds 50] [--target devserver|cluster] [--workers 1]
 *     [--web-servers 1] [--concurrency 25]
 */
import { z } from 'zod';
import { benchArgs, CommonArgs } from './support/args.js';
import { runBare, sumBillable } from './support/bare.js';
import { loadSampler, machine, pool } from './support/report.js';
import { benchRoundInput, runBenchRound } from './support/rounds.js';
import { cpuPer, cpuSpent, reportOn, requestsPer, startTargetFor } from './support/target.js';

/** The Temporal server's calls reported per round and per reference workflow: the work each one asks of it. */
const SERVER_OPERATIONS = [
  'StartWorkflowExecution',
  'UpdateWorkflowExecution',
  'QueryWorkflow',
  'DescribeWorkflowExecution',
  'GetWorkflowExecutionHistory',
  'RespondWorkflowTaskCompleted',
  'RespondQueryTaskCompleted',
  'RespondActivityTaskCompleted',
  'RecordActivityTaskHeartbeat',
] as const;

const args = benchArgs(
  CommonArgs.extend({
    rounds: CommonArgs.shape.rounds.default(50),
    concurrency: z.coerce.number().int().positive().default(25),
  }),
);
const info = machine();
const target = await startTargetFor(args);
await reportOn(target, async () => {
  const template = await benchRoundInput(target);
  let k = 0;
  const web = () => target.webUrls[k++ % target.webUrls.length]!;
  const run = Date.now().toString(36);
  // One round and one reference workflow first: bundles loaded, connections open, caches warm.
  const beforeWarm = await target.serverRequests();
  const warm = await runBenchRound(target, template, `bench-${run}-warm`, web);
  const warmQueries = queriesBetween(beforeWarm, await target.serverRequests());
  await runBare(target, 1, { activities: 1, updates: 1, timers: 1, queries: 1 }, 1);
  const warmMails = target.sink.total();

  // The reference runs the mix of billable actions of a round (the warm one's), before the rounds and
  // again after them: the machine's speed drifts by a quarter within minutes (BENCHMARKS.md), and the
  // rounds are measured against the two together, which cancels a steady drift.
  const warmBillable = await sumBillable(target, [warm.id]);
  const mix = {
    activities: warmBillable.activities ?? 0,
    updates: warmBillable.updatesAccepted ?? 0,
    timers: warmBillable.timers ?? 0,
    // The round's status reads and its links' pages (none when the server gives no count).
    queries: warmQueries ?? 0,
  };
  const reference = async (queries = true) => {
    const load = loadSampler();
    const cpuBefore = await cpuSpent(target);
    const requestsBefore = await target.serverRequests();
    const bare = await runBare(target, args.rounds, queries ? mix : { ...mix, queries: 0 }, args.concurrency);
    const cpu = cpuPer(cpuBefore, await cpuSpent(target), args.rounds);
    const requests = requestsPer(requestsBefore, await target.serverRequests(), args.rounds, SERVER_OPERATIONS);
    return { bare, cpu, requests, load: load.stop() };
  };
  const referenceBefore = await reference();
  // The reference as it was before queries were counted (history actions only), for comparison.
  const historyReferenceBefore = await reference(false);

  const load = loadSampler();
  const cpuBeforeRounds = await cpuSpent(target);
  const requestsBeforeRounds = await target.serverRequests();
  const storeLookupsBeforeRounds = await target.storeLookups();
  const startedRounds = Date.now();
  const rounds = await pool(args.rounds, args.concurrency, (i) =>
    runBenchRound(target, template, `bench-${run}-${i}`, web),
  );
  const roundsMs = Date.now() - startedRounds;
  const cpuRounds = cpuPer(cpuBeforeRounds, await cpuSpent(target), args.rounds);
  const requestsAfterRounds = await target.serverRequests();
  const roundsQueries = queriesBetween(requestsBeforeRounds, requestsAfterRounds) ?? 0;
  const requestsRounds = requestsPer(requestsBeforeRounds, requestsAfterRounds, args.rounds, SERVER_OPERATIONS);
  const loadRounds = load.stop();

  const referenceAfter = await reference();
  const historyReferenceAfter = await reference(false);
  // Read after the references, which leave the store alone: by then PostgreSQL has published the rounds' counts.
  const storeLookupsAfter = await target.storeLookups();
  const billable = await sumBillable(
    target,
    rounds.map((r) => r.id),
  );

  const rate = (actions: number, ms: number) => Math.round((actions / ms) * 10000) / 10;
  const roundRate = rate(billable.total! + roundsQueries, roundsMs);
  const references = [referenceBefore, referenceAfter];
  const actionsOf = (r: typeof referenceBefore) => r.bare.billable.total! + r.bare.queries;
  const bareRate = rate(
    references.reduce((a, r) => a + actionsOf(r), 0),
    references.reduce((a, r) => a + r.bare.ms, 0),
  );
  const historyReferences = [historyReferenceBefore, historyReferenceAfter];
  const historyRatio =
    rate(billable.total!, roundsMs) /
    rate(
      historyReferences.reduce((a, r) => a + r.bare.billable.total!, 0),
      historyReferences.reduce((a, r) => a + r.bare.ms, 0),
    );
  const referenceReport = (r: typeof referenceBefore) => ({
    ms: r.bare.ms,
    billable: r.bare.billable,
    queries: r.bare.queries,
    actionsPerSecond: rate(actionsOf(r), r.bare.ms),
    loadAverage: r.load,
    cpuMsPerWorkflow: r.cpu,
    serverRequestsPerWorkflow: r.requests,
  });
  const times = rounds.map((r) => r.ms).sort((a, b) => a - b);
  return {
    ...info,
    target: args.target,
    workers: args.workers,
    webServers: target.webUrls.length,
    concurrency: args.concurrency,
    warmRoundMs: warm.ms,
    rounds: {
      count: args.rounds,
      replies: rounds.reduce((a, r) => a + r.replies, 0),
      retried503: rounds.reduce((a, r) => a + r.retried503, 0),
      statusReadsPerRound: Math.round(rounds.reduce((a, r) => a + r.statusReads, 0) / args.rounds),
      statusQueriesPerRound: Math.round((rounds.reduce((a, r) => a + r.statusQueries, 0) / args.rounds) * 10) / 10,
      settleDescribesPerRound: Math.round((rounds.reduce((a, r) => a + r.describes, 0) / args.rounds) * 10) / 10,
      ms: roundsMs,
      billable,
      /** The rounds' queries, as the Temporal server counted them: billable, though in no history. */
      queries: roundsQueries,
      actionsPerSecond: roundRate,
      msPerRound: Math.round(roundsMs / args.rounds),
      roundDurationMs: { p50: times[Math.floor(times.length / 2)], max: times.at(-1) },
      emails: Object.fromEntries(target.sink.counts),
      emailsInRun: target.sink.total() - warmMails,
      loadAverage: loadRounds,
      cpuMsPerRound: cpuRounds,
      /** Every process's calls, as the Temporal server counted them (from its metrics endpoint). */
      serverRequestsPerRound: requestsRounds,
      /** Lookups of the document store's content (reads, and the check of each write) on a cluster; null on the dev server. */
      storeLookupsPerRound:
        storeLookupsBeforeRounds === null || storeLookupsAfter === null
          ? null
          : Math.round(((storeLookupsAfter - storeLookupsBeforeRounds) / args.rounds) * 10) / 10,
    },
    reference: {
      workflows: args.rounds,
      perWorkflow: mix,
      actionsPerSecond: bareRate,
      before: referenceReport(referenceBefore),
      after: referenceReport(referenceAfter),
    },
    /** The same reference without its queries, run after each of the above. */
    historyReference: {
      before: referenceReport(historyReferenceBefore),
      after: referenceReport(historyReferenceAfter),
    },
    /** Against the reference before the rounds and the one after, each alone: how far the machine drifted. */
    ratioAgainstEach: references.map((r) => Math.round((roundRate / rate(actionsOf(r), r.bare.ms)) * 1000) / 1000),
    /** As the ratio was taken before queries were counted: the histories' actions, against the reference without queries. */
    ratioHistoryActions: Math.round(historyRatio * 1000) / 1000,
    ratio: Math.round((roundRate / bareRate) * 1000) / 1000,
  };
});

/** Queries the Temporal server answered between two readings of its counts; null without counts. */
function queriesBetween(before: Record<string, number> | null, after: Record<string, number> | null): number | null {
  if (!before || !after) return null;
  return (after.QueryWorkflow ?? 0) - (before.QueryWorkflow ?? 0);
}
