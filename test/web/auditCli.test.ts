/**
 * `plan-review audit` (cli/auditCommands.ts) over recorded histories served as Temporal serves
 * them: the hearing and the timeline as text, the same filters as the page, the timeline as JSON,
 * the raw history, and arguments checked before anything is fetched.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_USAGE,
  auditCommand,
  AuditUsageError,
  describeAuditError,
  type AuditContext,
} from '../../cli/auditCommands.js';
import { RoundGatewayError } from '../../infra/roundGateway.js';
import { MemoryContentStore, sha256Hex } from '../../infra/store.js';
import type { Timeline } from '../../infra/timeline.js';
import type { Trail } from '../../infra/trail.js';
import { APPROVED_ROUND, RecordedHistories, SILENT_ROUND } from '../support/recordedHistories.js';

const histories = new RecordedHistories({ [APPROVED_ROUND]: 'approval', [SILENT_ROUND]: 'silent-bureau-deadline' });
let fetched = 0;
const ctx = (uiUrl?: string): AuditContext => ({
  withHistories: (fn) => {
    fetched++;
    return fn(histories);
  },
  store: new MemoryContentStore(),
  uiUrl,
  namespace: 'default',
});
/** The PDF's text, read back with poppler. */
const pdfText = (pdf: Buffer) =>
  execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', '-', '-'], { input: pdf, encoding: 'utf8' }).replace(/\s+/g, '');
const audit = async (...argv: string[]) => (await auditCommand(ctx(), argv)).output;

describe('plan-review audit', () => {
  it('answers "was every bureau heard" with the evidence, then lists the timeline with who, when, what and hashes', async () => {
    const text = await audit(SILENT_ROUND);
    expect(text).toContain('每个单位的意见都已听取：是。Was every bureau heard: yes.');
    expect(text).toContain(
      '  大同市新荣区林业局 Xinrong District Forestry Bureau (forestry): 逾期未回复，视为无意见 No reply: deemed no comments\n' +
        '    #94 2026-12-27 21:54:58 北京时间 (UTC+8) 截止时间 2026-12-27 21:54 北京时间 (UTC+8) 已到，未回复，视为无意见',
    );
    expect(text).toContain('时间线 Timeline: 20 / 20');
    expect(text).toMatch(
      /#33 2026-12-13 21:54:58 北京时间 \(UTC\+8\) 操作 Action · 通过链接提交回复 Reply submitted through the link · 王明（征求意见单位）王明 \(Bureau\)\n {4}大同市新荣区财政局：回复 第1号（第1版），通过链接，无意见\n {4}Xinrong District Finance Bureau: reply no\. 1 \(version 1\), through the link, no comments\n {4}submitted SHA-256: [0-9a-f]{64}\n {4}replyContent: 1e7a1c87c21616fe655445a01ce98826a3385d80d6511de3d38c43eb9ef97542/,
    );
    expect(text).toContain('    Message-ID: <round-test-87148703-1.forestry.reminder.3@plan-review.test>');
  });

  it('takes the page’s filters, and links entries to the Temporal Web UI when one is configured', async () => {
    const text = (
      await auditCommand(ctx('http://localhost:8233'), [APPROVED_ROUND, '--person', '审批人', '--since', '2026-11-30'])
    ).output;
    expect(text).toContain('时间线 Timeline: 1 / 19');
    expect(text).toContain('批准稿 Approved PDF: 7efbee8d577c8cfe72b687353498ac441d9b62c5cb5029024dda79c60ade0d72');
    expect(text).toContain(
      '    Temporal: http://localhost:8233/namespaces/default/workflows/round%3Atest-04b45af3%3A1/8faf6584-c6da-4b8f-8ceb-c76a933bea53/history/events/105',
    );
    expect(await audit(APPROVED_ROUND, '--bureau', 'forestry', '--kind', 'email')).toContain('时间线 Timeline: 1 / 19');
    expect(await audit(APPROVED_ROUND, '--until', '2026-11-29')).toContain('时间线 Timeline: 0 / 19');
  });

  it('prints the timeline as JSON with --json, and the raw Temporal history with --raw', async () => {
    const json = JSON.parse(await audit(APPROVED_ROUND, '--json', '--kind', 'action')) as Timeline;
    expect(json.entries.map((e) => e.kind)).toEqual([
      'submitReply',
      'submitReply',
      'waiveBureau',
      'closeConsultation',
      'disposeComment',
      'publishDispositions',
      'approveCandidate',
    ]);
    expect(json.hearing).toHaveLength(3);
    const raw = historyFromJSON(JSON.parse(await audit(APPROVED_ROUND, '--raw')));
    expect(raw.events).toHaveLength(histories.byRound.get(APPROVED_ROUND)!.events!.length);
  });

  it('writes the whole trail as hash-chained JSON with --trail, and the entries shown as CSV with --csv', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-audit-cli-'));
    try {
      const text = await audit(APPROVED_ROUND, '--kind', 'action', '--trail', `${dir}/t.json`, '--csv', `${dir}/t.csv`);
      const trail = JSON.parse(await readFile(`${dir}/t.json`, 'utf8')) as Trail;
      expect(trail.entries).toHaveLength(19);
      expect(text).toContain(`${dir}/t.json: 审计链 the trail, 19 entries, head ${trail.head}`);
      expect(text).toContain(`${dir}/t.csv: CSV, 7 entries`);
      const csv = await readFile(`${dir}/t.csv`, 'utf8');
      expect(csv.startsWith('\ufeffn,event,')).toBe(true);
      expect(csv.trim().split('\r\n')).toHaveLength(8);

      const cert = await audit(APPROVED_ROUND, '--certificate', `${dir}/c.pdf`);
      const pdf = await readFile(`${dir}/c.pdf`);
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      expect(cert).toMatch(
        new RegExp(`${dir}/c\\.pdf: 审计证明书 the audit certificate, \\d+ pages, SHA-256 ${sha256Hex(pdf)}`),
      );
      expect(pdfText(pdf)).toContain(trail.head);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('checks its arguments before it fetches anything, and says which filter it cannot apply', async () => {
    fetched = 0;
    for (const argv of [[], ['not-a-round'], [APPROVED_ROUND, '--json', '--raw'], [APPROVED_ROUND, '--colour']]) {
      await expect(auditCommand(ctx(), argv)).rejects.toBeInstanceOf(AuditUsageError);
    }
    expect(fetched).toBe(0);
    const err = await auditCommand(ctx(), [APPROVED_ROUND, '--bureau', 'nobody', '--kind', 'nothing']).catch((e) => e);
    expect(err).toBeInstanceOf(AuditUsageError);
    expect(describeAuditError(err)).toEqual({
      exitCode: 2,
      message: expect.stringContaining('--bureau: 本轮没有单位“nobody”（有：finance、science、forestry）'),
    });
    expect(describeAuditError(err)!.message).toContain('--kind: 没有这种记录：“nothing”');
    expect(describeAuditError(err)!.message).toContain(AUDIT_USAGE);
    await expect(auditCommand(ctx(), ['round:nobody:1'])).rejects.toBeInstanceOf(RoundGatewayError);
  });
});
