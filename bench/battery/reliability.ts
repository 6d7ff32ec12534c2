/**
 * RELIABILITY.md, written from the result files of a run (test-output/battery/*.json, the shape of
 * result.ts): a table of what was run, whether it held, what was measured and the command that
 * reproduces it, headed by the totals that matter (faults survived, load held, replies lost,
 * duplicate emails) and the machine it ran on.
 */
import os from 'node:os';
import { speedProbe } from '../support/report.js';
import type { BatteryResult } from './result.js';

export interface RunFacts {
  startedAt: Date;
  endedAt: Date;
  /** The 1-minute load average when the run started and ended (other work on the machine). */
  loadAtStart?: number;
  loadAtEnd?: number;
  command: string;
}

const num = (r: BatteryResult, k: string) => (typeof r.figures[k] === 'number' ? (r.figures[k] as number) : 0);
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function machine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node.js ${process.versions.node}, ${os.platform()} ${os.release()}, speed probe ${speedProbe()} ms`;
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
  const has = (r: BatteryResult, ...ks: string[]) => ks.every((k) => r.figures[k] !== undefined);
  const rows = results.map((r) =>
    [
      cell(r.name),
      r.ok ? 'held' : '**broke**',
      has(r, 'repliesRecorded', 'repliesReceipted', 'repliesLost')
        ? `${num(r, 'repliesRecorded')} of ${num(r, 'repliesReceipted')}, lost ${num(r, 'repliesLost')}`
        : '–',
      has(r, 'emailsDelivered', 'emailsSent', 'duplicateEmails')
        ? `${num(r, 'emailsDelivered')} of ${num(r, 'emailsSent')}${num(r, 'emailsRefusedForGood') ? ` (${num(r, 'emailsRefusedForGood')} refused for good)` : ''}, copies ${num(r, 'duplicateEmails')} (${num(r, 'duplicatesUnexplained')} unexplained)`
        : '–',
      has(r, 'failedPosts', 'clearErrorPages')
        ? `${num(r, 'failedPosts')} (clear pages ${num(r, 'clearErrorPages')}, no answer ${num(r, 'postsUnanswered')}, unclear ${num(r, 'unclearErrorPages')})`
        : '–',
      has(r, 'seconds') ? String(num(r, 'seconds')) : '–',
      `\`${cell(r.command)}\``,
    ].join(' | '),
  );
  const details = results.map(
    (r) =>
      `- **${cell(r.name)}**: ${Object.entries(r.figures)
        .map(([k, v]) => `${k} ${String(v)}`)
        .join(', ')}`,
  );
  const broken = results.flatMap((r) => r.broken.map((b) => `- ${r.name}: ${b}`));
  return [
    '# Reliability',
    '',
    `Written by \`${run.command}\` from its own run (result files in \`test-output/battery/\`); do not edit by hand.`,
    '',
    `Run ${run.startedAt.toISOString()} to ${run.endedAt.toISOString()} (${minutes} minutes) on ${machine()}.`,
    run.loadAtStart !== undefined && run.loadAtEnd !== undefined
      ? `Load average (1 min) ${run.loadAtStart.toFixed(2)} at the start and ${run.loadAtEnd.toFixed(2)} at the end: the machine is shared with other work.`
      : 'Load average: not measured.',
    '',
    `- faults survived: ${faults.filter((r) => r.ok).length} of ${faults.length}`,
    `- load held: ${loads.length === 0 ? 'not run' : loads.every((r) => r.ok) ? 'yes' : 'no'}`,
    `- replies lost: ${lost}; replies recorded twice: ${twice}`,
    `- duplicate emails (same Message-ID): ${dup}, of which not explained by a fault between the mail server's acceptance and the send's completion: ${dupBad}`,
    `- processes that died unasked: ${crashes}`,
    '',
    '| check | result | replies recorded of receipted | emails delivered of sent, copies | failed submits | seconds | reproduce |',
    '| --- | --- | --- | --- | --- | ---: | --- |',
    ...rows.map((r) => `| ${r} |`),
    '',
    'A copy is a second delivery of one email (same Message-ID); it is explained when its send took more than one',
    "attempt and a fault fell between the mail server's acceptance of the first copy and the next. A failed submit",
    'is a bureau pressing Submit without getting its receipt: the page it got instead (clear: in Chinese and English,',
    'with what it typed) or no answer at all (the web server was gone); every such bureau submitted again.',
    '',
    '## Every figure',
    '',
    ...details,
    '',
    ...(broken.length || unreadable.length
      ? ['## What broke', '', ...broken, ...unreadable.map((u) => `- unreadable result file ${u}`), '']
      : []),
  ].join('\n');
}
