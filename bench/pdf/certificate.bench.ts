/**
 * The audit certificate's render, warm, as the worker's archiving renders it at each approval: the
 * trail of a recorded approved round (test/histories/approval.json) with its entries repeated to
 * the size of a benchmark round's trail, and every SHA-256 digest and Message-ID new in each render,
 * as each round's are (a render of the same trail again would find its words measured already).
 *
 *   npx tsx bench/pdf/certificate.bench.ts [--renders 30] [--entries 58]
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { z } from 'zod';
import { renderCertificate } from '../../infra/certificate.js';
import { buildTimeline } from '../../infra/timeline.js';
import { buildTrail, type Trail } from '../../infra/trail.js';
import { benchArgs } from '../support/args.js';
import { machine } from '../support/report.js';

const args = benchArgs(
  z.object({
    renders: z.coerce.number().int().positive().default(30),
    entries: z.coerce.number().int().positive().default(58),
  }),
);

const ROUND = 'round:test-04b45af3:1';
const history = historyFromJSON(
  JSON.parse(readFileSync(new URL('../../test/histories/approval.json', import.meta.url), 'utf8')),
);
const timeline = buildTimeline(ROUND, history);
const recorded = buildTrail(timeline, new Date('2030-01-01T00:00:00Z'));

const hex = () => randomBytes(32).toString('hex');

/** The recorded trail at `entries` entries, with new digests, Message-IDs and times of day. */
function newRound(): Trail {
  const entries = Array.from({ length: args.entries }, (_, i) => ({
    ...structuredClone(recorded.entries[i % recorded.entries.length]!),
    n: i + 1,
  }));
  const text = JSON.stringify({ ...recorded, entries, head: hex() })
    .replace(/\b[0-9a-f]{64}\b/g, hex)
    .replace(/<[^<>@"]+@/g, () => `<${hex().slice(0, 24)}@`)
    .replace(
      /T\d\d:\d\d:\d\d/g,
      () =>
        `T${String(Math.floor(Math.random() * 24)).padStart(2, '0')}:${String(Math.floor(Math.random() * 60)).padStart(2, '0')}:00`,
    );
  return JSON.parse(text) as Trail;
}

// Warm: fonts loaded, code compiled, as in a worker that has archived rounds before.
for (let i = 0; i < 3; i++) await renderCertificate({ timeline, trail: newRound() });
const cpu: number[] = [];
let pages = 0;
for (let i = 0; i < args.renders; i++) {
  const trail = newRound();
  const before = process.cpuUsage();
  pages = (await renderCertificate({ timeline, trail })).pages;
  const spent = process.cpuUsage(before);
  cpu.push((spent.user + spent.system) / 1000);
}
cpu.sort((a, b) => a - b);
console.log(
  JSON.stringify(
    {
      ...machine(),
      entries: args.entries,
      pages,
      renders: args.renders,
      cpuMsPerRender: {
        median: Math.round(cpu[Math.floor(args.renders / 2)]! * 10) / 10,
        min: Math.round(cpu[0]! * 10) / 10,
      },
    },
    null,
    2,
  ),
);
