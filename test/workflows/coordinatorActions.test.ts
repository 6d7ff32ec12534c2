/**
 * Every coordinator action from the web, against a real round on the time-skipping server: the
 * coordinator's pages (web/coordinatorRoutes.ts) over the real RoundGateway, a signed-in
 * coordinator posting each form as the manage page gives it, and the round's status read back.
 * A round whose only stage is consultation completes when consultation closes, so `close` comes
 * last on the first round, and `cancel` is taken on a second one.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoundStatus } from '../../domain/round.js';
import { PATIENT_TIMEOUTS, RoundGateway } from '../../infra/roundGateway.js';
import { sha256Hex } from '../../infra/store.js';
import { instantToLocal } from '../../web/coordinatorForms.js';
import { MemoryContentStore } from '../../infra/store.js';
import { roundCalls } from '../../bench/support/roundCalls.js';
import { smallRoundInput } from '../support/rounds.js';
import { TestBrowser } from '../support/testBrowser.js';
import { timeSkippingWorker } from '../support/testWorker.js';
import { coordinatorApp } from '../support/coordinatorApp.js';

const DAY = 24 * 3600 * 1000;
const TASK_QUEUE = 'test-coordinator-actions';
const ORIGIN = 'http://localhost';
const TZ = 'Asia/Shanghai';
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('scan of a stamped comment card'),
]);
const li = { name: '李协调', role: 'coordinator', username: 'li', email: 'li@example.org' };

let env: TestWorkflowEnvironment;
let stop: () => Promise<void>;
const store = new MemoryContentStore();
let app: Hono;

beforeAll(async () => {
  ({ env, stop } = await timeSkippingWorker({ taskQueue: TASK_QUEUE, store }));
  app = await coordinatorApp(new RoundGateway(env.client, store, TASK_QUEUE, PATIENT_TIMEOUTS), store);
});

afterAll(async () => {
  await stop?.();
});

const rounds = () => roundCalls(env.client, store, TASK_QUEUE);
const bureau = (s: RoundStatus, id: string) => s.bureaus.find((b) => b.bureau.id === id)!;

const waitFor = (id: string, pred: (s: RoundStatus) => boolean) => rounds().until(id, pred);

async function startRound(): Promise<string> {
  const id = await rounds().start(await smallRoundInput(store));
  await waitFor(id, (s) => s.bureaus.every((b) => b.invitation !== null));
  return id;
}

function formHtml(html: string, roundId: string, action: string): string {
  const start = html.indexOf(`action="/rounds/${roundId}/actions/${action}"`);
  expect(start, `the ${action} form`).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</form>', start));
}

/** A signed-in coordinator posting the manage page's forms, with their hidden fields (request id, form token). */
class Coordinator extends TestBrowser {
  constructor(private readonly roundId: string) {
    super(app, ORIGIN);
  }

  get manage(): string {
    return `/rounds/${this.roundId}/manage`;
  }

  async hidden(action: string): Promise<Record<string, string>> {
    const res = await this.fetch(this.manage);
    expect(res.status).toBe(200);
    const fields: Record<string, string> = {};
    for (const m of formHtml(await res.text(), this.roundId, action).matchAll(
      /<input type="hidden" name="([^"]+)" value="([^"]*)">/g,
    )) {
      fields[m[1]!] = m[2]!.replace(/&#x3D;/g, '=');
    }
    return fields;
  }

  /** Posts the action's form as the page gives it, with these fields (and a scan, as multipart). */
  async post(action: string, fields: Record<string, string>, scan?: Buffer): Promise<Response> {
    const values = { ...(await this.hidden(action)), ...fields };
    let body: URLSearchParams | FormData = new URLSearchParams(values);
    if (scan) {
      body = new FormData();
      for (const [k, v] of Object.entries(values)) body.set(k, v);
      body.set('scan', new File([new Uint8Array(scan)], 'card.png', { type: 'image/png' }));
    }
    return this.fetch(`/rounds/${this.roundId}/actions/${action}`, { method: 'POST', body });
  }

  /** Posts and expects the action to be taken: back to the manage page. */
  async act(action: string, fields: Record<string, string>, scan?: Buffer): Promise<void> {
    const res = await this.post(action, fields, scan);
    const text = res.status === 303 ? '' : await res.text();
    expect(res.status, `${action}: ${text.slice(0, 2000)}`).toBe(303);
    expect(res.headers.get('location')).toBe(this.manage);
  }
}

const signIn = (roundId: string) => new Coordinator(roundId).login('li', 'coordinator-pw');

describe("the coordinator's actions from the web, on a real round", () => {
  it('extend, waive, contact, resend, add-bureau, paper and close each take effect; a refused extension is shown by its field', async () => {
    const id = await startRound();
    const b = await signIn(id);
    const before = await rounds().status(id);
    const deadline = Date.parse(bureau(before, 'finance').deadline);

    // Refused by the round's own validator: an earlier deadline, still in the future.
    const earlier = instantToLocal(new Date(deadline - DAY).toISOString(), TZ);
    const refused = await b.post('extend', { bureauId: 'finance', deadline: earlier, reason: '提前' });
    expect(refused.status).toBe(422);
    const form = formHtml(await refused.text(), id, 'extend');
    expect(form).toMatch(
      /name="deadline"[^>]*>\s*<span class="field-error" role="alert">新的截止时间必须晚于原截止时间 <span class="en" lang="en">the new deadline must be later than the current one/,
    );
    expect(form).toContain(`value="${earlier}"`);
    expect(bureau(await rounds().status(id), 'finance').extensions).toEqual([]);

    // extend
    const later = instantToLocal(new Date(deadline + 7 * DAY).toISOString(), TZ);
    await b.act('extend', { bureauId: 'finance', deadline: later, reason: '财政局请假' });
    let s = await rounds().status(id);
    expect(instantToLocal(bureau(s, 'finance').deadline, TZ)).toBe(later);
    expect(bureau(s, 'finance').extensions).toMatchObject([
      { by: li, reason: '财政局请假', deadline: bureau(s, 'finance').deadline },
    ]);
    expect(bureau(s, 'finance').invitation!.deadline).toBe(bureau(s, 'finance').deadline);

    // waive
    await b.act('waive', { bureauId: 'science', reason: '机构撤并' });
    s = await rounds().status(id);
    expect(bureau(s, 'science').waived).toMatchObject({ by: li, reason: '机构撤并' });
    expect(bureau(s, 'science').outcome).toBe('waived');

    // contact: the old link is revoked, a new invitation goes to the new address
    const oldLink = bureau(s, 'forestry').invitation!.linkId;
    await b.act('contact', {
      bureauId: 'forestry',
      emails: '张三 <zhang@forestry.example.org>',
      contactPerson: '张三',
      reason: '原联系人调岗',
    });
    s = await waitFor(id, (x) => bureau(x, 'forestry').invitation !== null);
    expect(bureau(s, 'forestry').bureau.contacts).toEqual([{ email: 'zhang@forestry.example.org', name: '张三' }]);
    expect(bureau(s, 'forestry').bureau.contactPerson).toBe('张三');
    expect(bureau(s, 'forestry').revokedLinkIds).toContain(oldLink);
    expect(bureau(s, 'forestry').previousInvitations).toHaveLength(1);
    expect(bureau(s, 'forestry').invitation!.linkId).not.toBe(oldLink);

    // resend: one more message of the same invitation
    const sentBefore = bureau(s, 'finance').invitation!.messages.length;
    await b.act('resend', { bureauId: 'finance' });
    s = await waitFor(id, (x) => bureau(x, 'finance').invitation!.messages.length === sentBefore + 1);
    expect(bureau(s, 'finance').invitation!.linkId).toBe(bureau(before, 'finance').invitation!.linkId);

    // add-bureau, with a deadline of its own
    const waterDeadline = instantToLocal(new Date(deadline + 3 * DAY).toISOString(), TZ);
    await b.act('add-bureau', {
      id: 'water',
      nameZh: '区水务局',
      shortNameZh: '',
      nameEn: 'Water Bureau',
      emails: 'water@bureaus.example.org',
      contactPerson: '水务局办公室',
      timeZone: '',
      deadline: waterDeadline,
    });
    s = await waitFor(id, (x) => x.bureaus.some((w) => w.bureau.id === 'water' && w.invitation !== null));
    expect(bureau(s, 'water').bureau).toMatchObject({
      nameZh: '区水务局',
      nameEn: 'Water Bureau',
      contacts: [{ email: 'water@bureaus.example.org' }],
    });
    expect(instantToLocal(bureau(s, 'water').deadline, TZ)).toBe(waterDeadline);
    expect(bureau(s, 'water').outcome).toBe('pending');

    // paper, with the scan: one for each bureau still expected to answer
    for (const bureauId of ['finance', 'forestry', 'water']) {
      await b.act(
        'paper',
        {
          bureauId,
          responderName: '赵六',
          responderPosition: '局长',
          receivedAt: '',
          'doc.plan.kind': 'comments',
          'doc.plan.0.section': '1.1.1',
          'doc.plan.0.text': `${bureauId} 的意见`,
        },
        PNG,
      );
    }
    s = await rounds().status(id);
    for (const bureauId of ['finance', 'forestry', 'water']) {
      const [reply, ...more] = bureau(s, bureauId).replies;
      expect(more).toEqual([]);
      expect(reply).toMatchObject({ channel: 'paper', recordedBy: li, scanSha256: sha256Hex(PNG) });
      expect(bureau(s, bureauId).outcome).toBe('replied');
      const full = await rounds().gateway.loadReply(reply!);
      expect(full.perDocument.plan).toMatchObject([{ anchor: { section: '1.1.1' }, text: `${bureauId} 的意见` }]);
    }
    expect(await store.has(sha256Hex(PNG))).toBe(true);

    // close: everyone has answered, so consultation closes (and this round, whose only stage it is, completes)
    await b.act('close', { reason: '均已答复' });
    s = await waitFor(id, (x) => x.stage === 'completed');
    expect(s.consultation.closed).toMatchObject({ by: li, reason: '均已答复' });
  });

  it('cancel takes effect on a round in consultation', async () => {
    const id = await startRound();
    const b = await signIn(id);
    await b.act('cancel', { reason: '规划撤回', confirm: 'yes' });
    const s = await rounds().status(id);
    expect(s.stage).toBe('cancelled');
    expect(s.cancelled).toMatchObject({ by: li, reason: '规划撤回' });
  });
});
