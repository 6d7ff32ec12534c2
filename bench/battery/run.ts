/**
 * `npm run battery`: runs the fault and load battery on the embedded stack, writes each result to
 * test-output/battery/<name>.json, then RELIABILITY.md from every result file there (the
 * hostile-input run's too), and exits 1 when any invariant broke.
 *
 *   npm run battery                                  the full battery (about 25 minutes on 2 cores)
 *   npm run battery -- --only smtp-outage --smtp-outage-s 20
 *   npm run battery -- --load-rounds 20 --load-clients 10 --no-reliability
 *   npm run battery -- --rewrite [--load-start L --load-end L]   RELIABILITY.md again from the result files, no run
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { z } from 'zod';
import { FULL_PLAN, runBattery, SCENARIO_KEYS, type ScenarioKey } from './battery.js';
import { reliabilityMarkdown } from './reliability.js';
import { BATTERY_RESULTS_DIR, readResults, writeResult } from './result.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    'fault-rounds': { type: 'string' },
    'smtp-outage-s': { type: 'string' },
    'load-rounds': { type: 'string' },
    'load-clients': { type: 'string' },
    out: { type: 'string', default: BATTERY_RESULTS_DIR },
    'no-reliability': { type: 'boolean', default: false },
    rewrite: { type: 'boolean', default: false },
    'load-start': { type: 'string' },
    'load-end': { type: 'string' },
  },
});

const count = z.coerce.number().int().positive();
const Args = z.object({
  only: z
    .string()
    .transform((s) => s.split(','))
    .pipe(z.array(z.enum(SCENARIO_KEYS as [ScenarioKey, ...ScenarioKey[]])))
    .optional(),
  'fault-rounds': count.default(FULL_PLAN.faultRounds),
  'smtp-outage-s': count.default(FULL_PLAN.smtpOutageMs / 1000),
  'load-rounds': count.default(FULL_PLAN.loadRounds),
  'load-clients': count.default(FULL_PLAN.loadClients),
  'load-start': z.coerce.number().nonnegative().optional(),
  'load-end': z.coerce.number().nonnegative().optional(),
});
const parsed = Args.safeParse(values);
if (!parsed.success) {
  console.error(`battery: ${z.prettifyError(parsed.error)}\nscenarios: ${SCENARIO_KEYS.join(', ')}`);
  process.exit(2);
}
const a = parsed.data;

let startedAt = new Date();
let loadAtStart: number | undefined = os.loadavg()[0]!;
if (!values.rewrite) {
  const results = await runBattery({
    only: a.only,
    faultRounds: a['fault-rounds'],
    smtpOutageMs: a['smtp-outage-s'] * 1000,
    downMs: FULL_PLAN.downMs,
    loadRounds: a['load-rounds'],
    loadClients: a['load-clients'],
    command: 'npm run battery',
    log: (line) => console.log(`[battery] ${line}`),
  });
  for (const r of results) console.log(`[battery] wrote ${await writeResult(values.out!, r)}`);
}
let endedAt = new Date();
let loadAtEnd: number | undefined = os.loadavg()[0]!;

const all = await readResults(values.out!);
if (values.rewrite) {
  // The run's period from its results (each ends at `at`, after `seconds`); its load only as it was recorded.
  const ends = all.results.filter((r) => r.at).map((r) => Date.parse(r.at!));
  const starts = all.results
    .filter((r) => r.at && typeof r.figures.seconds === 'number')
    .map((r) => Date.parse(r.at!) - (r.figures.seconds as number) * 1000);
  startedAt = new Date(Math.min(...starts));
  endedAt = new Date(Math.max(...ends));
  loadAtStart = a['load-start'];
  loadAtEnd = a['load-end'];
}
if (!values['no-reliability']) {
  const markdown = reliabilityMarkdown(
    all.results,
    { startedAt, endedAt, loadAtStart, loadAtEnd, command: 'npm run battery' },
    all.unreadable,
  );
  // Formatted as the project's other Markdown is, so the written file passes `prettier --check`.
  const options = (await resolveConfig('RELIABILITY.md')) ?? {};
  await writeFile('RELIABILITY.md', await format(markdown, { ...options, parser: 'markdown' }));
  console.log('[battery] wrote RELIABILITY.md');
}
const failed = all.results.filter((r) => !r.ok);
for (const r of failed) console.error(`[battery] broke: ${r.name} (${r.broken.length} invariant(s))`);
for (const u of all.unreadable) console.error(`[battery] unreadable result file ${u}`);
process.exit(failed.length > 0 || all.unreadable.length > 0 ? 1 : 0);
