/**
 * Where a round's CPU goes: N seven-bureau rounds from start to approval (as bench/round-throughput.ts
 * drives them, without its reference), and the CPU each process spent per round, with the worker's
 * threads apart (its main thread, its workflow thread, the Temporal SDK's Rust threads, V8's helper
 * threads; Linux names most of them "node", the main thread is the one whose id is the process's).
 * For finding what to make faster; the goals are measured by round-throughput.ts.
 *
 *   npx tsx bench/round-cpu.ts [--rounds 50] [--target devserver|cluster] [--concurrency 25]
 */
import { readdir, readFile } from 'node:fs/promises';
import { z } from 'zod';
import { benchArgs, CommonArgs } from './support/args.js';
import { cpuMsOfStat, machine, pool } from './support/report.js';
import { benchRoundInput, runBenchRound } from './support/rounds.js';
import { cpuPer, cpuSpent, reportOn, startTarget } from './support/target.js';

const args = benchArgs(
  CommonArgs.extend({
    rounds: CommonArgs.shape.rounds.default(50),
    concurrency: z.coerce.number().int().positive().default(25),
  }),
);
const info = machine();
const target = await startTarget({
  target: args.target,
  workers: 1,
  webServers: args.webServers ?? 1,
  bare: false,
});
await reportOn(target, async () => {
  const template = await benchRoundInput(target);
  let k = 0;
  const web = () => target.webUrls[k++ % target.webUrls.length]!;
  const run = Date.now().toString(36);
  // One round first: bundles loaded, connections open.
  await runBenchRound(target, template, `bench-${run}-warm`, web);
  const worker = target.workerPids[0]!;
  const cpuBefore = await cpuSpent(target);
  const threadsBefore = await threadCpu(worker);
  const started = Date.now();
  await pool(args.rounds, args.concurrency, (i) => runBenchRound(target, template, `bench-${run}-${i}`, web));
  const ms = Date.now() - started;
  const cpu = cpuPer(cpuBefore, await cpuSpent(target), args.rounds);
  const threadsAfter = await threadCpu(worker);
  const workerThreads = [...threadsAfter]
    .map(([tid, t]) => ({
      thread: tid === worker ? `${t.name} (main)` : t.name,
      tid,
      msPerRound: Math.round((t.ms - (threadsBefore.get(tid)?.ms ?? 0)) / args.rounds),
    }))
    .filter((t) => t.msPerRound > 0)
    .sort((a, b) => b.msPerRound - a.msPerRound);
  return {
    ...info,
    target: args.target,
    webServers: target.webUrls.length,
    concurrency: args.concurrency,
    rounds: args.rounds,
    ms,
    msPerRound: Math.round(ms / args.rounds),
    cpuMsPerRound: cpu,
    /** The worker's threads that ran during the rounds, busiest first (threads that ended are in the worker's total only). */
    workerThreads,
  };
});

/** CPU (ms) of each live thread of a process so far, by thread id, from /proc. */
async function threadCpu(pid: number): Promise<Map<number, { name: string; ms: number }>> {
  const threads = new Map<number, { name: string; ms: number }>();
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => null);
    if (stat === null) continue;
    threads.set(Number(tid), { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ms: cpuMsOfStat(stat) });
  }
  return threads;
}
