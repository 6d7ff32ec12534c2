/** What every benchmark prints beside its figures: the machine, the date, the command, the load while it ran. */
import { createHash } from 'node:crypto';
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function latencySummary(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x);
  return {
    n: s.length,
    p50: r(percentile(s, 50)),
    p95: r(percentile(s, 95)),
    p99: r(percentile(s, 99)),
    max: r(s.at(-1) ?? NaN),
  };
}

/** The machine's CPU time so far, all cores together (Linux's /proc/stat, in its clock ticks); null elsewhere. */
function machineTicks(): { busy: number; stolen: number; total: number } | null {
  let line: string;
  try {
    line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  } catch {
    return null;
  }
  // cpu  user nice system idle iowait irq softirq steal
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const busy = user! + nice! + system! + irq! + softirq!;
  return { busy, stolen: steal ?? 0, total: busy + idle! + iowait! + (steal ?? 0) };
}

/**
 * Samples the 1-minute load average every 5 s until stopped, and gives the share of the machine's
 * CPU time that was busy (every process, ours or not) and that the hypervisor took for others (steal).
 */
export function loadSampler() {
  const samples: number[] = [os.loadavg()[0]!];
  const ticksAtStart = machineTicks();
  // Unref'd: a measurement that fails before stop() must not keep the benchmark's process open.
  const timer = setInterval(() => samples.push(os.loadavg()[0]!), 5000).unref();
  return {
    stop() {
      clearInterval(timer);
      samples.push(os.loadavg()[0]!);
      const r = (x: number) => Math.round(x * 100) / 100;
      const ticks = machineTicks();
      const spent = ticks && ticksAtStart && ticks.total > ticksAtStart.total ? ticks.total - ticksAtStart.total : null;
      return {
        min: r(Math.min(...samples)),
        max: r(Math.max(...samples)),
        mean: r(samples.reduce((a, b) => a + b, 0) / samples.length),
        busyShare: spent === null ? null : r((ticks!.busy - ticksAtStart!.busy) / spent),
        stolenShare: spent === null ? null : r((ticks!.stolen - ticksAtStart!.stolen) / spent),
      };
    },
  };
}

export function machine() {
  return {
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    date: new Date().toISOString(),
    command: `npx tsx ${process.argv
      .slice(1)
      .map((a) => a.replace(process.cwd() + '/', ''))
      .join(' ')}`,
    loadAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
    speedProbeMs: speedProbe(),
  };
}

/**
 * The time one core takes for a fixed piece of work like the system's own (JSON of a round-sized
 * object, SHA-256), median of five, on a machine whose speed has varied by half between runs:
 * figures from different runs compare only beside their probes.
 */
export function speedProbe(): number {
  const bureaus = Array.from({ length: 7 }, (_, i) => ({
    id: `bureau-${i}`,
    replies: Array.from({ length: 5 }, (_, n) => ({ n, text: '建议补充实施保障措施。'.repeat(20), at: n * 1000 })),
  }));
  const once = () => {
    const started = performance.now();
    let digest = '';
    for (let k = 0; k < 400; k++) {
      const text = JSON.stringify({ k, bureaus, digest });
      digest = createHash('sha256')
        .update(JSON.parse(text).digest + text)
        .digest('hex');
    }
    return performance.now() - started;
  };
  once();
  const times = Array.from({ length: 5 }, once).sort((a, b) => a - b);
  return Math.round(times[2]! * 10) / 10;
}

/** A process's resident memory now and at its peak (MB), from /proc. */
export async function rssOf(pid: number): Promise<{ rssMB: number; peakMB: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMB: Math.round(kb('VmRSS') / 1024), peakMB: Math.round(kb('VmHWM') / 1024) };
}

/** Runs `task(i)` for i < n with at most `limit` at once. */
export async function pool<T>(n: number, limit: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, n) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await task(i);
      }
    }),
  );
  return out;
}

/** CPU time a process has used so far (user and system, ms), from /proc. */
export async function cpuMsOf(pid: number): Promise<number> {
  return cpuMsOfStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
}

/** The CPU time (user and system, ms) in a process's or a thread's /proc stat line. */
export function cpuMsOfStat(stat: string): number {
  // The fields after the command's closing parenthesis: utime and stime are the 12th and 13th, in ticks of 10 ms.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}
