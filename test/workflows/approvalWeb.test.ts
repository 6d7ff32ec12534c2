/**
 * Approval from the approver's page, on a real round on the time-skipping server: the approval
 * routes (web/approvalRoutes.ts) over the real RoundGateway, a signed-in approver reading the
 * candidate the round rendered, refused for a hash that is not the candidate, then approving the
 * candidate through the page's form; the round completes as approved with that very file.
 */
import { describe, expect, it } from 'vitest';
import type { RoundResult } from '../../domain/round.js';
import { APPROVER, ApprovalBrowser, approvalApp } from '../support/approvalApp.js';
import { roundInApproval } from '../support/roundInApproval.js';
import { pagesOnRealRounds } from '../support/pagesOnRealRounds.js';

const TASK_QUEUE = 'test-approval-web';
const real = pagesOnRealRounds(TASK_QUEUE, approvalApp);
const { store } = real;
const rounds = () => real.rounds();

describe('approval from the web, on a real round', () => {
  it('approves the candidate the round rendered through the page’s form', async () => {
    const { id } = await roundInApproval(rounds(), store);
    const s = await rounds().until(id, (x) => x.approval.candidate !== null, 60_000);
    const candidate = s.approval.candidate!;

    const b = await new ApprovalBrowser(real.app, id).login('wang', 'approver-pw');
    const html = await b.page();
    expect(html).toContain('审批 <span class="en" lang="en">Approval');
    expect(html).toContain(`<code class="approval-sha">${candidate.pdfSha256}</code>`);
    expect(html).toContain(`<dd>${candidate.pages}</dd>`);
    const pdf = await b.fetch(`/rounds/${id}/candidate/${candidate.pdfSha256}.pdf`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await pdf.arrayBuffer()).equals(await store.get(candidate.pdfSha256))).toBe(true);

    // A hash that is not the candidate's is refused by the round: nothing is recorded.
    const wrong = await b.post('approve', { confirm: 'yes', pdfSha256: 'f'.repeat(64) }, html);
    expect(wrong.status).toBe(422);
    expect(await wrong.text()).toContain('该 PDF 不是当前待批准的版本');
    expect((await rounds().status(id)).approval.decisions).toEqual([]);

    const res = await b.post('approve', { confirm: 'yes' }, html);
    expect(res.status, res.status === 303 ? '' : (await res.text()).slice(0, 2000)).toBe(303);
    const result: RoundResult = await real.env.client.workflow.getHandle(id).result();
    expect(result.stage).toBe('approved');
    const done = await rounds().status(id);
    expect(done.approval.decisions).toEqual([
      expect.objectContaining({ by: APPROVER, decision: 'approved', pdfSha256: candidate.pdfSha256 }),
    ]);
    const after = await (await b.fetch(res.headers.get('location')!)).text();
    expect(after).toContain('已批准该 PDF。');
    expect(after).toContain(`/rounds/${id}/candidate/${candidate.pdfSha256}.pdf?download&#x3D;1`);
  });
});
