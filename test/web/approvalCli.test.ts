/**
 * The CLI's approval commands (cli/approvalCommands.ts) over the typed fake rounds, which check and
 * keep the approver's decisions by the approval stage's rules: the candidate written to a file,
 * approving and rejecting it by its hash as PLAN_REVIEW_USER in the approver role, the approved PDF.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  APPROVAL_USAGE,
  ApprovalUsageError,
  approvalCommands,
  describeApprovalError,
  type ApprovalContext,
} from '../../cli/approvalCommands.js';
import { cliActor, CliError } from '../../cli/users.js';
import type { Config } from '../../infra/config.js';
import { MemoryContentStore } from '../../infra/store.js';
import { approvalUsers } from '../support/approvalApp.js';
import { APPROVAL_ROUND_ID as ROUND_ID, approvalRound, newCandidate } from '../support/approvalRound.js';
import { FakeRounds } from '../support/fakeRounds.js';

const { candidate, approve, reject, pdf } = approvalCommands;

let dir: string;
let store: MemoryContentStore;
let rounds: FakeRounds;
let ctx: ApprovalContext;
let first: string;
let cliUser = 'wang';

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-approval-cli-'));
  const usersFile = path.join(dir, 'users.yaml');
  await writeFile(usersFile, stringify(await approvalUsers()));
  store = new MemoryContentStore();
  rounds = new FakeRounds(store, await approvalRound(store), () => new Date('2030-01-20T02:00:00.000Z'));
  first = rounds.current.approval.candidate!.pdfSha256;
  cliUser = 'wang';
  ctx = {
    withRounds: (fn) => fn(rounds),
    store,
    approver: () => cliActor({ PLAN_REVIEW_USER: cliUser, paths: { users: usersFile } as Config['paths'] }, 'approver'),
  };
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const out = (name: string) => path.join(dir, name);

describe('round candidate', () => {
  it('prints the candidate’s SHA-256, pages and record hash, and writes the very PDF to --out', async () => {
    const text = await candidate(ctx, [ROUND_ID, '--out', out('candidate.pdf')]);
    expect(text).toContain(`SHA-256:        ${first}`);
    expect(text).toContain('pages:          1');
    expect(text).toContain('rendered at:    2030-01-20 09:00:00 北京时间 (UTC+8)');
    expect(text).toContain(`record SHA-256: ${rounds.current.approval.candidate!.recordSha256}`);
    expect(text).toContain(`approve it with: plan-review round approve ${ROUND_ID} ${first}`);
    expect((await readFile(out('candidate.pdf'))).equals(await store.get(first))).toBe(true);
  });

  it('says what blocks approval, Chinese and English, when there is no candidate', async () => {
    rounds.current.approval.candidate = null;
    rounds.current.dispositionsPublished = null;
    rounds.current.bureaus[1]!.outcome = 'pending';
    const err = await candidate(ctx, [ROUND_ID, '--out', out('none.pdf')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toContain('尚未答复的单位：区科技局。bureaus that have not answered: 区科技局');
    expect(message).toContain('意见处理结果尚未发布 the dispositions are not published');
    await expect(readFile(out('none.pdf'))).rejects.toThrow(/ENOENT/);
  });
});

describe('round approve', () => {
  it('approves the candidate by its hash as PLAN_REVIEW_USER in the approver role; round pdf writes it', async () => {
    const text = await approve(ctx, [ROUND_ID, first.toUpperCase()]);
    expect(text).toContain(`SHA-256 ${first} is the approved PDF`);
    const [sent] = rounds.sent('approveCandidate');
    expect(sent!.request).toMatchObject({
      pdfSha256: first,
      actor: { name: '王审批', role: 'approver', username: 'wang' },
    });
    expect(sent!.updateId).toMatch(/^cli:/);
    expect(rounds.current.stage).toBe('approved');

    const written = await pdf(ctx, [ROUND_ID, '--out', out('approved.pdf')]);
    expect(written).toContain(`the approved PDF, SHA-256 ${first}`);
    expect((await readFile(out('approved.pdf'))).equals(await store.get(first))).toBe(true);
    expect(await candidate(ctx, [ROUND_ID])).toContain('（已批准 approved）');
  });

  it('refuses a hash that is not the current candidate, in the catalog’s words, and records nothing', async () => {
    await newCandidate(rounds.current, store, 'candidate 2');
    const err = await approve(ctx, [ROUND_ID, first]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as Error).message).toBe(
      'the round refused: 该 PDF 不是当前待批准的版本（记录已变更，请阅读新的 PDF）this PDF is not the current candidate (the records changed: read the new PDF)',
    );
    expect(rounds.updates).toHaveLength(0);
  });

  it('acts only for a user with the approver role, and asks nothing of the round otherwise', async () => {
    cliUser = 'li';
    await expect(approve(ctx, [ROUND_ID, first])).rejects.toThrow(
      /PLAN_REVIEW_USER=li: this user does not have the role approver/,
    );
    expect(rounds.calls).toHaveLength(0);
  });

  it('checks its arguments before asking for the user or the round, with the approval usage', async () => {
    for (const argv of [[ROUND_ID], [ROUND_ID, 'abc'], ['not-a-round', first], [ROUND_ID, first, '--force']]) {
      const err = await approve(ctx, argv).catch((e: unknown) => e);
      expect(err, argv.join(' ')).toBeInstanceOf(ApprovalUsageError);
      expect(describeApprovalError(err)).toEqual({ message: expect.stringContaining(APPROVAL_USAGE), exitCode: 2 });
    }
    await expect(reject(ctx, [ROUND_ID, first])).rejects.toThrow(/--reason/);
    await expect(pdf(ctx, [ROUND_ID])).rejects.toThrow(/--out/);
    expect(rounds.calls).toHaveLength(0);
  });
});

describe('round reject', () => {
  it('returns the candidate for revision with the reason', async () => {
    const text = await reject(ctx, [ROUND_ID, first, '--reason', '请补充修改说明', '--request-id', 'reject-first-1']);
    expect(text).toContain('修改完善 Revision');
    const [sent] = rounds.sent('rejectCandidate');
    expect(sent).toMatchObject({ updateId: 'reject-first-1', request: { pdfSha256: first, reason: '请补充修改说明' } });
    expect(rounds.current.approval.candidate).toBeNull();
    await expect(candidate(ctx, [ROUND_ID])).rejects.toThrow(/已退回修改.*Returned for revision/);
    await expect(pdf(ctx, [ROUND_ID, '--out', out('x.pdf')])).rejects.toThrow(/has no approved PDF yet/);
  });
});
