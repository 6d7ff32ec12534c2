/**
 * The approver's page (web/approvalRoutes.ts) in-process over the typed fake rounds, which check
 * and keep the approver's decisions by the approval stage's rules: what blocks approval, the
 * candidate with its hashes and its PDF, approving it by its hash with a ticked confirmation,
 * a candidate that changed in between, rejecting it with a reason, who may act, and which PDFs
 * the PDF route serves.
 */
import type { Hono } from 'hono';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryContentStore } from '../../infra/store.js';
import { APPROVER, ApprovalBrowser, approvalApp } from '../support/approvalApp.js';
import { APPROVAL_ROUND_ID as ROUND_ID, approvalRound, newCandidate } from '../support/approvalRound.js';
import { HOSTILE } from '../support/dispositionRound.js';
import { FakeRounds } from '../support/fakeRounds.js';

let store: MemoryContentStore;
let rounds: FakeRounds;
let app: Hono;
let first: string;

beforeEach(async () => {
  store = new MemoryContentStore();
  rounds = new FakeRounds(store, await approvalRound(store), () => new Date('2030-01-20T02:00:00.000Z'));
  first = rounds.current.approval.candidate!.pdfSha256;
  app = await approvalApp(rounds, store);
});

const signIn = (username: string, password: string) => new ApprovalBrowser(app, ROUND_ID).login(username, password);
const approver = () => signIn('wang', 'approver-pw');
/** The round was asked nothing that took effect, and holds no decision. */
const nothingRecorded = () => {
  expect(rounds.updates).toHaveLength(0);
  expect(rounds.current.approval.decisions).toEqual([]);
};
const pdfPath = (sha: string) => `/rounds/${ROUND_ID}/candidate/${sha}.pdf`;

describe('the approval page', () => {
  it('shows the stage, the candidate with its hashes and its PDF, and the forms to approve or reject it', async () => {
    const html = await (await approver()).page();
    expect(html).toContain('审批 <span class="en" lang="en">Approval');
    const candidate = rounds.current.approval.candidate!;
    expect(html).toContain(`<code class="approval-sha">${candidate.pdfSha256}</code>`);
    expect(html).toContain(`<code>${candidate.recordSha256}</code>`);
    expect(html).toContain('<dd>1</dd>'); // pages
    expect(html).toContain('2030-01-20 09:00:00 北京时间 (UTC+8)');
    expect(html).toContain(`data="${pdfPath(first)}" type="application/pdf"`);
    expect(html).toContain('action="/rounds/round:dispo-plan:1/approval/approve"');
    expect(html).toContain('action="/rounds/round:dispo-plan:1/approval/reject"');
    expect(html).toMatch(/<input type="hidden" name="pdfSha256" value="[0-9a-f]{64}">/);
    expect(html).toContain('尚无审批决定');
  });

  it('lists what blocks approval in the catalog\u2019s words, Chinese and English, and offers no form', async () => {
    rounds.current.dispositionsPublished = null;
    rounds.current.bureaus[1]!.outcome = 'pending';
    const html = await (await approver()).page();
    expect(html).toContain('尚不能批准');
    expect(html).toContain(
      '尚未答复的单位：区科技局。<br><span class="en" lang="en">bureaus that have not answered: 区科技局</span>',
    );
    expect(html).toContain(
      '意见处理结果尚未发布<br><span class="en" lang="en">the dispositions are not published</span>',
    );
    expect(html).not.toContain('/approval/approve"');
  });

  it('is read by coordinators and auditors, who see no form; an unsigned visitor is sent to sign in', async () => {
    for (const [u, p] of [
      ['li', 'coordinator-pw'],
      ['zhou', 'auditor-pw'],
    ] as const) {
      const html = await (await signIn(u, p)).page();
      expect(html).toContain(first);
      expect(html).not.toContain('/approval/approve"');
      expect(html).toContain('仅审批人可以批准或退回');
    }
    const res = await app.request(`/rounds/${ROUND_ID}/approval`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/^\/login\?next=/);
  });
});

describe('approving', () => {
  it('approves the candidate the approver read, by its hash, as the signed-in approver; then offers the approved PDF', async () => {
    const b = await approver();
    const res = await b.post('approve', { confirm: 'yes' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/rounds/${ROUND_ID}/approval?decided=approve`);
    const [sent] = rounds.sent('approveCandidate');
    expect(sent!.request).toMatchObject({ pdfSha256: first, actor: APPROVER });
    expect(sent!.updateId).toMatch(/^approve:[0-9a-f-]{36}$/);
    expect(rounds.current.stage).toBe('approved');
    expect(rounds.current.approval.decisions).toEqual([
      { by: APPROVER, at: '2030-01-20T02:00:00.000Z', decision: 'approved', pdfSha256: first },
    ]);

    const html = await (await b.fetch(res.headers.get('location')!)).text();
    expect(html).toContain('已批准该 PDF。');
    expect(html).toContain('已批准 <span class="en" lang="en">Approved');
    expect(html).toContain('已批准的 PDF');
    expect(html).toContain(`<code class="approval-sha">${first}</code>`);
    expect(html).toContain(`href="${pdfPath(first)}?download&#x3D;1" download="dispo-plan-1-approved.pdf"`);
    expect(html).not.toContain('/approval/approve"');
    const pdf = await b.fetch(`${pdfPath(first)}?download=1`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-disposition')).toMatch(/^attachment; filename="dispo-plan-1-[0-9a-f]{12}\.pdf"$/);
    expect(Buffer.from(await pdf.arrayBuffer()).equals(await store.get(first))).toBe(true);
  });

  it('refuses without the ticked confirmation, and records nothing', async () => {
    const res = await (await approver()).post('approve', {});
    expect(res.status).toBe(422);
    expect(await res.text()).toContain(
      '请勾选确认：您已阅读上面的 PDF 并批准它。<span class="en" lang="en">Tick the box',
    );
    expect(rounds.calls).toHaveLength(0);
    nothingRecorded();
  });

  it('refuses a hash that is not the current candidate: the candidate changed in between, nothing is recorded', async () => {
    const b = await approver();
    const read = await b.page();
    const second = await newCandidate(rounds.current, store, 'candidate 2');
    const res = await b.post('approve', { confirm: 'yes' }, read);
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('该 PDF 不是当前待批准的版本（记录已变更，请阅读新的 PDF）');
    expect(html).toContain('this PDF is not the current candidate (the records changed: read the new PDF)');
    // The page now shows the new candidate, and its forms carry the new hash.
    expect(html).toContain(`<input type="hidden" name="pdfSha256" value="${second}">`);
    expect(html).not.toContain(`value="${first}"`);
    nothingRecorded();
    expect(rounds.current.stage).toBe('approval');

    // A made-up hash is refused the same way.
    const made = await b.post('approve', { confirm: 'yes', pdfSha256: 'f'.repeat(64) });
    expect(made.status).toBe(422);
    expect(await made.text()).toContain('该 PDF 不是当前待批准的版本');
    expect(rounds.updates).toHaveLength(0);
  });

  it('refuses a candidate dated before today (a new one is rendered at midnight), and records nothing', async () => {
    rounds.current.approval.candidate!.issueDate = '2030-01-19';
    const b = await approver();
    const read = await b.page();
    expect(read).toContain('<dt>签发日期 <span class="en" lang="en">Issue date</span></dt><dd>2030-01-19</dd>');
    const res = await b.post('approve', { confirm: 'yes' }, read);
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('该 PDF 的签发日期为 2030-01-19，早于今天');
    nothingRecorded();
  });

  it('refuses a non-approver with 403 and records nothing', async () => {
    const approverPage = await (await approver()).page();
    for (const [u, p] of [
      ['li', 'coordinator-pw'],
      ['zhou', 'auditor-pw'],
    ] as const) {
      const b = await signIn(u, p);
      for (const form of ['approve', 'reject'] as const) {
        const res = await b.post(form, { confirm: 'yes', reason: '不同意' }, approverPage);
        expect(res.status).toBe(403);
        expect(await res.text()).toContain('没有此页面所需的角色');
      }
    }
    expect(rounds.calls).toHaveLength(0);
    nothingRecorded();
  });

  it('refuses a post without the form token', async () => {
    const b = await approver();
    const res = await b.fetch(`/rounds/${ROUND_ID}/approval/approve`, {
      method: 'POST',
      body: new URLSearchParams({ confirm: 'yes', pdfSha256: first, requestId: `approve:${crypto.randomUUID()}` }),
    });
    expect(res.status).toBe(403);
    expect(rounds.calls).toHaveLength(0);
  });
});

describe('rejecting', () => {
  it('refuses a rejection without a reason, and records nothing', async () => {
    const res = await (await approver()).post('reject', { reason: '   ' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(
      /<\/textarea>\s*<span class="field-error" role="alert">请填写退回理由。<span class="en" lang="en">Give the reason/,
    );
    expect(rounds.calls).toHaveLength(0);
  });

  it('returns the candidate for revision with the reason; the page says so and keeps the decision', async () => {
    const b = await approver();
    const res = await b.post('reject', { reason: `请补充修改说明${HOSTILE}` });
    expect(res.status).toBe(303);
    expect(rounds.sent('rejectCandidate')[0]!.request).toMatchObject({
      pdfSha256: first,
      reason: `请补充修改说明${HOSTILE}`,
      actor: APPROVER,
    });
    expect(rounds.current.stage).toBe('revision');
    expect(rounds.current.approval.candidate).toBeNull();
    const html = await (await b.fetch(res.headers.get('location')!)).text();
    expect(html).toContain('已退回修改。');
    expect(html).toContain('修改完善 <span class="en" lang="en">Revision');
    expect(html).toContain('候选 PDF 已退回修改');
    expect(html).toContain('请补充修改说明&lt;script&gt;');
    expect(html).not.toContain(HOSTILE);
    expect(html).toContain(`<code>${first}</code>`);
    // A rejected candidate is no longer served.
    expect((await b.fetch(pdfPath(first))).status).toBe(404);
  });
});

describe('the PDF route', () => {
  it('serves the current candidate inline as application/pdf to a signed-in user', async () => {
    const b = await signIn('zhou', 'auditor-pw');
    const res = await b.fetch(pdfPath(first));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toMatch(/^inline; filename="dispo-plan-1-[0-9a-f]{12}\.pdf"$/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(bytes.equals(await store.get(first))).toBe(true);
  });

  it('answers 404 for an unknown hash, a file of the store that is not this round\u2019s PDF, and a malformed name', async () => {
    const b = await approver();
    const scan = (await store.put(Buffer.from('%PDF-1.4 another file'))).sha256;
    for (const path of [
      pdfPath('0'.repeat(64)),
      pdfPath(scan),
      `/rounds/${ROUND_ID}/candidate/${first}`,
      `/rounds/${ROUND_ID}/candidate/${first.toUpperCase()}.pdf`,
      `/rounds/round:nobody:1/candidate/${first}.pdf`,
    ])
      expect((await b.fetch(path)).status, path).toBe(404);
  });

  it('requires signing in', async () => {
    const res = await app.request(pdfPath(first));
    expect(res.status).toBe(302);
  });
});
