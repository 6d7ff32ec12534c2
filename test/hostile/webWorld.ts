/**
 * The whole web app (web/app.ts) over the typed fake rounds, for the hostile-input runs: one round in
 * each stage a form acts in (consultation, expert review, disposition, published dispositions with
 * outcome notices, approval), three staff members signed in, and a bureau's links. The state can be
 * snapshotted and put back, so every generated input meets the same round.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fromHtml } from 'hast-util-from-html';
import type { Element, Root, RootContent } from 'hast';
import type { Hono } from 'hono';
import { loadConfig } from '../../infra/config.js';
import { signLink } from '../../infra/linkTokens.js';
import type { MemoryContentStore } from '../../infra/store.js';
import { Templates } from '../../infra/templates.js';
import { hashPassword, staticUserDirectory } from '../../infra/users.js';
import { freshRoundRecords, type RoundStatus } from '../../domain/round.js';
import { createApp } from '../../web/app.js';
import { approvalRound } from '../support/approvalRound.js';
import { approvalUsers } from '../support/approvalApp.js';
import { dispositionRound, expertReviewRound, publishedRound } from '../support/dispositionRound.js';
import { FakeRounds } from '../support/fakeRounds.js';
import { APPROVED_ROUND, RecordedHistories } from '../support/recordedHistories.js';
import { DAY, ROUND_ID, replyFixture } from '../support/replyFixture.js';
import { coordinator, meetingOn } from '../support/rounds.js';
import { TestBrowser } from '../support/testBrowser.js';

/** The account the sign-out route signs in as, each run afresh. */
export const SIGN_OUT_USER = { username: 'sun', password: 'sign-out-pw' };

export const ORIGIN = 'http://localhost';
/** The smallest bytes the app takes as a PNG scan. */
export const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
export const OUTBOX_MESSAGE = '2030-01-01T00-00-00-000Z-1.eml';

/** The rounds of the world, by the stage their forms act in. */
export const ROUNDS = {
  consultation: ROUND_ID,
  expertReview: 'round:hostile-expert:1',
  meetingAhead: 'round:hostile-meeting-ahead:1',
  meetingHeld: 'round:hostile-meeting-held:1',
  opinions: 'round:hostile-opinions:1',
  disposed: 'round:hostile-disposed:1',
  disposition: 'round:hostile-dispo:1',
  published: 'round:hostile-published:1',
  notices: 'round:hostile-notices:1',
  approval: 'round:hostile-approval:1',
  audited: APPROVED_ROUND,
} as const;

export type Who = 'anon' | 'coordinator' | 'approver' | 'auditor';

export interface World {
  app: Hono;
  fake: FakeRounds;
  store: MemoryContentStore;
  secret: Buffer;
  browsers: Record<Who, TestBrowser>;
  /** A bureau's link to a round (the current one unless `linkId` says otherwise). */
  link(roundId: string, bureauId: string, linkId?: string): string;
  /** The consultation round's bureaus (the reply page's links). */
  bureaus: string[];
  /** The scan of the reply on record. */
  scanSha256: string;
  snapshot(): Snapshot;
  restore(s: Snapshot): void;
}

export interface Snapshot {
  rounds: string;
  blobs: Set<string>;
}

/** A valid record of the experts' opinions, as the coordinator types it. */
export const OPINIONS = {
  reportTitle: '专家评审意见',
  reportIntro: '2022年1月20日召开专家评审会。',
  assessment: '规划总体可行。',
  opinions: '补充水资源约束分析。\n细化林草指标。',
  signedBy: '李华',
};

const withId = (round: RoundStatus, id: string): RoundStatus => ({ ...structuredClone(round), id });

export async function hostileWorld(): Promise<World> {
  const fx = await replyFixture();
  const { store, secret } = fx;
  // A round whose consultation is over and whose outcome notices wait for the bureaus' answers.
  const notices = withId(fx.status, ROUNDS.notices);
  const finance = notices.bureaus[0]!;
  notices.stage = 'disposition';
  notices.consultation.closed = { by: { name: '协调人', role: 'coordinator' }, at: fx.clock.now.toISOString() };
  notices.notices = [
    {
      bureauId: finance.bureau.id,
      messageId: '<n@test>',
      respondBy: new Date(fx.clock.now.getTime() + 5 * DAY).toISOString(),
      response: 'pending',
    },
  ];
  // Every comment decided, none published yet: the dispositions can be published.
  const disposed = withId(await approvalRound(store), ROUNDS.disposed);
  disposed.stage = 'disposition';
  for (const d of disposed.dispositions) d.published = false;
  disposed.dispositionsPublished = null;
  disposed.approval = freshRoundRecords().approval;
  const rounds: RoundStatus[] = [
    disposed,
    withId(expertReviewRound(), ROUNDS.opinions),
    fx.status,
    withId(expertReviewRound(), ROUNDS.expertReview),
    withId(expertReviewRound(), ROUNDS.meetingAhead),
    withId(expertReviewRound(), ROUNDS.meetingHeld),
    withId(dispositionRound(), ROUNDS.disposition),
    withId(publishedRound(), ROUNDS.published),
    notices,
    withId(await approvalRound(store), ROUNDS.approval),
  ];
  const fake = new FakeRounds(store, rounds, () => fx.clock.now);
  // A meeting ahead (to move or cancel) and one held (to record its opinions).
  const experts = [{ name: '李华', title: '教授', organisation: '山西大学', email: 'lihua@expert.example.org' }];
  for (const [roundId, date, held] of [
    [ROUNDS.meetingAhead, '2030-02-01', false],
    [ROUNDS.meetingHeld, '2022-01-20', true],
    [ROUNDS.opinions, '2022-01-20', true],
  ] as const) {
    const scheduled = await fake.act(roundId, 'scheduleMeeting', {
      requestId: `hostile-meeting-${roundId}`,
      actor: coordinator,
      meeting: meetingOn(date),
      experts,
      ...(held && { held }),
    });
    if (scheduled.kind !== 'done') throw new Error(`the meeting was not scheduled: ${JSON.stringify(scheduled)}`);
  }
  // One reply on record with its scan, so that its receipt and its scan can be asked for.
  const { sha256: scanSha256 } = await store.put(PNG);
  const first = await fake.act(ROUND_ID, 'submitReply', {
    requestId: 'hostile-first-reply',
    actor: { name: '王明', role: 'bureau' },
    bureauId: fx.status.bureaus[1]!.bureau.id,
    linkId: fx.status.bureaus[1]!.invitation!.linkId,
    reply: {
      responder: { name: '王明', position: '办公室主任' },
      perDocument: { protection: { kind: 'noComments' }, 'eco-plan': { kind: 'noComments' } },
      attachmentSha256: scanSha256,
    },
  });
  if (first.kind !== 'done') throw new Error(`the first reply was not taken: ${JSON.stringify(first)}`);

  const dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-hostile-'));
  // An HTML email, as the worker sends them: the outbox shows its HTML part.
  await writeFile(
    path.join(dir, OUTBOX_MESSAGE),
    'To: finance@example.org\r\nSubject: invitation\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>hello</p>\r\n',
  );
  const config = loadConfig(
    { PUBLIC_URL: `${ORIGIN}/`, PLAN_REVIEW_DATA_DIR: dir, ATTACHMENT_MAX_BYTES: String(256 * 1024) },
    dir,
  );
  const app = createApp({
    rounds: fake,
    config,
    templates: new Templates(),
    secret,
    store,
    // The sign-in route's generated inputs guess wrong passwords for the three staff accounts until
    // the throttle stops them; the sign-out route signs in as an account that route never tries.
    users: staticUserDirectory([
      ...(await approvalUsers()),
      {
        username: SIGN_OUT_USER.username,
        name: '孙审计',
        roles: ['auditor'],
        passwordHash: await hashPassword(SIGN_OUT_USER.password, { N: 1024, r: 8, p: 1 }),
      },
    ]),
    outboxDir: dir,
    histories: new RecordedHistories({ [APPROVED_ROUND]: 'approval' }),
    now: () => fx.clock.now,
  });
  const browsers: Record<Who, TestBrowser> = {
    anon: new TestBrowser(app, ORIGIN),
    coordinator: await new TestBrowser(app, ORIGIN).login('li', 'coordinator-pw'),
    approver: await new TestBrowser(app, ORIGIN).login('wang', 'approver-pw'),
    auditor: await new TestBrowser(app, ORIGIN).login('zhou', 'auditor-pw'),
  };
  // The experts' opinions recorded through the page, so that revision notes can be written.
  const opinionsForm = await formOn(
    browsers.coordinator,
    `/rounds/${ROUNDS.opinions}/manage`,
    `/rounds/${ROUNDS.opinions}/actions/record-opinions`,
  );
  const recorded = await browsers.coordinator.fetch(opinionsForm.action, {
    method: 'POST',
    body: new URLSearchParams({ ...opinionsForm.fields, ...OPINIONS }),
  });
  if (recorded.status !== 303) throw new Error(`the opinions were not recorded: ${recorded.status}`);
  const byId = (id: string) => rounds.find((r) => r.id === id)!;
  return {
    app,
    fake,
    store,
    secret,
    browsers,
    bureaus: fx.status.bureaus.map((b) => b.bureau.id),
    scanSha256,
    link: (roundId, bureauId, linkId) =>
      signLink(secret, {
        roundId,
        bureauId,
        linkId: linkId ?? byId(roundId).bureaus.find((b) => b.bureau.id === bureauId)!.invitation!.linkId,
      }),
    snapshot: () => ({ rounds: JSON.stringify(rounds), blobs: new Set(store.blobs.keys()) }),
    restore: (s) => {
      const saved = JSON.parse(s.rounds) as RoundStatus[];
      for (const [i, live] of rounds.entries()) {
        for (const k of Object.keys(live)) delete (live as Record<string, unknown>)[k];
        Object.assign(live, saved[i]);
      }
      for (const k of [...store.blobs.keys()]) if (!s.blobs.has(k)) store.blobs.delete(k);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Forms as a page renders them

/** A form's fields as the page wrote them: each field's value, and the values a select or radio offers. */
export interface PageForm {
  action: string;
  fields: Record<string, string>;
  /** Fields whose value is picked from a list (select options, radio buttons), with their choices. */
  choices: Record<string, string[]>;
  /** Fields that carry a file. */
  files: string[];
  /** The type of each input (text, email, datetime-local, number, hidden...), textarea or select. */
  types: Record<string, string>;
}

const elements = (node: Root | Element): Element[] =>
  node.children.flatMap((c: RootContent) => (c.type === 'element' ? [c, ...elements(c)] : []));

const textOf = (node: Element): string =>
  node.children.map((c) => (c.type === 'text' ? c.value : c.type === 'element' ? textOf(c) : '')).join('');

/** Every form of a page whose action matches. */
export function pageForms(html: string, action: (a: string) => boolean = () => true): PageForm[] {
  const forms: PageForm[] = [];
  for (const form of elements(fromHtml(html)).filter((e) => e.tagName === 'form')) {
    const act = String(form.properties.action ?? '');
    if (!action(act)) continue;
    const out: PageForm = { action: act, fields: {}, choices: {}, files: [], types: {} };
    for (const el of elements(form)) {
      const name = el.properties.name === undefined ? undefined : String(el.properties.name);
      if (!name) continue;
      if (el.tagName === 'textarea') {
        out.fields[name] = textOf(el);
        out.types[name] = 'textarea';
      } else if (el.tagName === 'select') {
        const options = elements(el).filter((o) => o.tagName === 'option');
        const values = options.map((o) => String(o.properties.value ?? textOf(o)));
        const selected = options.find((o) => o.properties.selected);
        out.choices[name] = values.filter((v) => v !== '');
        out.fields[name] = selected ? String(selected.properties.value ?? '') : (out.choices[name][0] ?? '');
        out.types[name] = 'select';
      } else if (el.tagName === 'input' || el.tagName === 'button') {
        const type = String(el.properties.type ?? (el.tagName === 'button' ? 'submit' : 'text'));
        const value = String(el.properties.value ?? '');
        if (type === 'file') out.files.push(name);
        else if (type === 'radio' || type === 'checkbox') {
          (out.choices[name] ??= []).push(value || 'on');
          if (el.properties.checked || out.fields[name] === undefined) out.fields[name] ??= value || 'on';
          if (el.properties.checked) out.fields[name] = value || 'on';
          out.types[name] = type;
        } else if (type === 'submit') {
          if (value) (out.choices[name] ??= []).push(value);
          out.fields[name] ??= value;
          out.types[name] = type;
        } else {
          out.fields[name] = value;
          out.types[name] = type;
        }
      }
    }
    forms.push(out);
  }
  return forms;
}

/** The one form of a page posted to `action` (a path). */
export async function formOn(browser: TestBrowser, page: string, action: string): Promise<PageForm> {
  const res = await browser.fetch(page);
  const html = await res.text();
  if (res.status !== 200) throw new Error(`${page} answered ${res.status}: ${html.slice(0, 300)}`);
  const found = pageForms(html, (a) => a === action);
  if (found.length === 0) throw new Error(`${page} has no form posted to ${action}`);
  const merged = found[0]!;
  return merged;
}
