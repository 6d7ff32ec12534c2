/** The benchmarks' load report: the machine's busy and stolen shares of CPU time while a phase ran. */
import { describe, expect, it } from 'vitest';
import { loadSampler } from '../../bench/support/report.js';

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
});
