/**
 * RELIABILITY.md, written from the result files of a run (test-output/battery/*.json, the shape of
 * result.ts): a table of what was run, whether it held, what was measured and the command that
 * reproduces it, headed by the totals that matter (faults survived, load held, replies lost,
 * duplicate emails) and the machine it ran on.
 */
import os from 'node:os';
import type { BatteryResult } from './result.js';

export interface RunFacts {
  startedAt: Date;
  endedAt: Date;
  /** The 1-minute load average when the run started and ended (other work on the machine). */
  loadAtStart: number;
  loadAtEnd: number;
  command: string;
}

const num = (r: BatteryResult, k: string) => (typeof r.figures[k] === 'number' ? (r.figures[k] as number) : 0);
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function machine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node.js ${process.versions.node}, ${os.platform()} ${os.release()}`;
}

export function reliabilityMarkdown(results: BatteryResult[], run: RunFacts, unreadable: string[] = []): string {
  const faults = results.filter(
    (r) => r.name !== undefined && !r.name.startsWith('load') && !r.name.startsWith('hostile'),
  );
  const loads = results.filter((r) => r.name.startsWith('load'));
  const lost = results.reduce((n, r) => n + num(r, 'repliesLost'), 0);
  const twice = results.reduce((n, r) => n + num(r, 'repliesRecordedTwice'), 0);
  const dup = results.reduce((n, r) => n + num(r, 'duplicateEmails'), 0);
  const dupBad = results.reduce((n, r) => n + num(r, 'duplicatesUnexplained'), 0);
  const crashes = Math.max(0, ...results.map((r) => num(r, 'crashes')));
  const minutes = Math.round((run.endedAt.getTime() - run.startedAt.getTime()) / 6_000) / 10;
  const rows = results.map(
    (r) =>
      `| ${cell(r.name)} | ${r.ok ? 'held' : '**broke**'} | ${cell(
        Object.entries(r.figures)
          .map(([k, v]) => `${k} ${String(v)}`)
          .join(', '),
      )} | \`${cell(r.command)}\` |`,
  );
  const broken = results.flatMap((r) => r.broken.map((b) => `- ${r.name}: ${b}`));
  return [
    '# Reliability',
    '',
    `Written by \`${run.command}\` from its own run (result files in \`test-output/battery/\`); do not edit by hand.`,
    '',
    `Run ${run.startedAt.toISOString()} to ${run.endedAt.toISOString()} (${minutes} minutes) on ${machine()}.`,
    `Load average (1 min) ${run.loadAtStart.toFixed(2)} at the start and ${run.loadAtEnd.toFixed(2)} at the end: the machine is shared with other work.`,
    '',
    `- faults survived: ${faults.filter((r) => r.ok).length} of ${faults.length}`,
    `- load held: ${loads.length === 0 ? 'not run' : loads.every((r) => r.ok) ? 'yes' : 'no'}`,
    `- replies lost: ${lost}; replies recorded twice: ${twice}`,
    `- duplicate emails (same Message-ID): ${dup}, of which not explained by a fault between the mail server's acceptance and the send's completion: ${dupBad}`,
    `- processes that died unasked: ${crashes}`,
    '',
    '| check | result | figures | reproduce |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    ...(broken.length || unreadable.length
      ? ['## What broke', '', ...broken, ...unreadable.map((u) => `- unreadable result file ${u}`), '']
      : []),
  ].join('\n');
}
