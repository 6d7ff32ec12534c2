/** The benchmarks' load report: the machine's busy and stolen shares of CPU time while a phase ran. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cpuMsOfStat, loadSampler } from '../../bench/support/report.js';
import { PROJECT_ROOT } from '../../infra/tools.js';

describe('loadSampler', () => {
  it('reports the share of the machine that was busy while it ran, and the share stolen from it', () => {
    const load = loadSampler();
    // Keep one core busy long enough for the kernel's clock ticks to see it.
    const until = Date.now() + 300;
    while (Date.now() < until);
    const { busyShare, stolenShare } = load.stop();
    expect(busyShare).toBeGreaterThan(0);
    expect(busyShare).toBeLessThanOrEqual(1);
    expect(stolenShare).toBeGreaterThanOrEqual(0);
    expect(stolenShare! + busyShare!).toBeLessThanOrEqual(1);
  });

  it('lets the process end when a measurement fails before it is stopped', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '-e', "import('./bench/support/report.ts').then((m) => { m.loadSampler(); })"],
      { cwd: PROJECT_ROOT, timeout: 30_000, encoding: 'utf8' },
    );
    expect(run.error).toBeUndefined();
    expect(run.status).toBe(0);
  });
});

describe('cpuMsOfStat', () => {
  it("reads a thread's user and system time from its /proc stat line, whatever its name holds", () => {
    // The name may hold spaces and parentheses; utime 250 and stime 50 ticks of 10 ms.
    const fields = ['S', ...Array.from({ length: 10 }, (_, i) => String(i + 1)), '250', '50', '7', '8'];
    expect(cpuMsOfStat(`4242 (node (worker) 1) ${fields.join(' ')}`)).toBe(3000);
  });
});
