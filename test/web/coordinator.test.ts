/**
 * The coordinator's pages in-process (app.request), over the typed fake rounds
 * (test/support/fakeRounds.ts): it parses each action with its schema, checks the role, records
 * the action (one per request ID) and records a paper reply by the round's rules.
 */
import { Hono } from 'hono';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ReplyDraft } from '../../domain/consultation.js';
import { makeRefusal } from '../../domain/refusals.js';
import { draftBytes, summarizeReply } from '../../domain/replies.js';
import { storeReplyDraft } from '../../infra/replyStore.js';
import { freshRoundRecords, RoundStatus } from '../../domain/round.js';
import { sha256Hex } from '../../infra/store.js';
import { Templates } from '../../infra/templates.js';
import { hashPassword, staticUserDirectory, type User } from '../../infra/users.js';
import { SESSION_COOKIE } from '../../web/auth.js';
import { instantToLocal, localToInstant } from '../../web/coordinatorForms.js';
import { MAX_CONTACT_LINE, parseContactLines } from '../../domain/contactLines.js';
import { resolveSection } from '../../domain/sections.js';
import { createCoordinatorRoutes } from '../../web/coordinatorRoutes.js';
import { FakeRounds } from '../support/fakeRounds.js';
import { MemoryContentStore } from '../../infra/store.js';
import { TestBrowser } from '../support/testBrowser.js';

const ORIGIN = 'http://localhost';
const ROUND_ID = 'round:test-plan:1';
const MANAGE = `/rounds/${ROUND_ID}/manage`;
const sha = (s: string) => sha256Hex(s);
const HOSTILE = '<script>alert(1)</script>';

const coordinatorActor = { name: '起草人', role: 'coordinator' as const, email: 'c@example.org' };

/** Finance's paper reply as typed; the round keeps its summary, the store its texts. */
const FINANCE_DRAFT: ReplyDraft = {
  responder: { name: `王五${HOSTILE}`, position: '办公室主任' },
  perDocument: {
    plan: {
      kind: 'comments',
      comments: [
        { section: '3.7', draftPage: 33, quote: '原文引用', text: '建议补充资金来源。', suggestedChange: '增加一段' },
      ],
    },
    annex: { kind: 'noComments' },
  },
};

function fixture(): RoundStatus {
  const plan = {
    key: 'plan',
    title: '测试规划（征求意见稿）',
    standIn: false,
    versions: [
      {
        n: 1,
        sha256: sha('plan'),
        createdAt: '2030-01-01T00:00:00.000Z',
        createdBy: coordinatorActor,
        sections: [
          { id: '第一章', number: '第一章', title: '区域概况', level: 1 },
          { id: '1.1', number: '1.1', title: '自然概况', level: 2 },
          { id: '3.7', number: '3.7', title: '规划目标和指标', level: 2 },
        ],
      },
    ],
  };
  const annex = {
    ...plan,
    key: 'annex',
    title: '附件（仅标题）',
    standIn: true,
    versions: [{ ...plan.versions[0]!, sha256: sha('annex'), sections: [] }],
  };
  const invitation = (bureauId: string) => ({
    bureauId,
    sentAt: '2030-01-01T01:00:00.000Z',
    messageId: `<${ROUND_ID}.${bureauId}.invitation.1@localhost>`,
    linkId: `${bureauId}-link-1`,
    deadline: '2030-01-15T10:00:00.000Z',
    messages: [{ at: '2030-01-01T01:00:00.000Z', messageId: `<${ROUND_ID}.${bureauId}.invitation.1@localhost>` }],
    remindersSent: [{ at: '2030-01-08T10:00:00.000Z', messageId: `<${ROUND_ID}.${bureauId}.reminder.1@localhost>` }],
    failures: [] as { at: string; kind: string; messageId: string; to: string[]; error: string }[],
  });
  const bureau = (id: string, nameZh: string, nameEn: string, extra: object = {}) => ({
    id,
    nameZh,
    nameEn,
    contacts: [{ email: `${id}@bureaus.example.org` }],
    contactPerson: `${nameZh}办公室`,
    ...extra,
  });
  const status = {
    id: ROUND_ID,
    planId: 'test-plan',
    n: 1,
    title: '测试规划第一轮',
    timeZone: 'Asia/Shanghai',
    stage: 'consultation',
    coordinator: coordinatorActor,
    startedAt: '2030-01-01T00:00:00.000Z',
    startedBy: coordinatorActor,
    graceMs: 0,
    reminderOffsetsMs: [86400000],
    consultationEndsAt: '2030-01-20T10:00:00.000Z',
    documents: [plan, annex],
    bureaus: [
      {
        bureau: bureau('finance', '区财政局', 'Finance Bureau'),
        outcome: 'replied',
        deadline: '2030-01-15T10:00:00.000Z',
        invitation: invitation('finance'),
        replies: [
          summarizeReply(
            {
              n: 1,
              bureauId: 'finance',
              version: 1,
              submittedAt: '2030-01-05T02:00:00.000Z',
              channel: 'paper',
              responder: FINANCE_DRAFT.responder,
              recordedBy: { name: '李协调', role: 'coordinator' },
              scanSha256: sha('scan'),
            },
            FINANCE_DRAFT,
            [
              { key: 'plan', version: 1 },
              { key: 'annex', version: 1 },
            ],
          ),
        ],
        extensions: [],
        waived: null,
        previousInvitations: [],
        revokedLinkIds: [],
      },
      {
        bureau: bureau('science', '区科技局', 'Science Bureau'),
        outcome: 'deemedNoComments',
        deadline: '2030-01-15T10:00:00.000Z',
        invitation: invitation('science'),
        replies: [],
        extensions: [],
        waived: null,
        previousInvitations: [],
        revokedLinkIds: [],
      },
      {
        bureau: bureau('forestry', '区林业局', 'Forestry Bureau', { timeZone: 'Asia/Urumqi' }),
        outcome: 'pending',
        deadline: '2030-01-20T10:00:00.000Z',
        invitation: {
          ...invitation('forestry'),
          failures: [
            {
              at: '2030-01-01T01:00:05.000Z',
              kind: 'invitation',
              messageId: '<m@localhost>',
              to: ['forestry@bureaus.example.org'],
              error: '550 mailbox unavailable',
            },
          ],
        },
        replies: [],
        extensions: [
          {
            by: { name: '李协调', role: 'coordinator' },
            at: '2030-01-10T00:00:00.000Z',
            reason: `请假${HOSTILE}`,
            deadline: '2030-01-20T10:00:00.000Z',
          },
        ],
        waived: null,
        previousInvitations: [],
        revokedLinkIds: ['forestry-link-0'],
      },
    ],
    consultation: { closed: null, endedAt: null },
    ...freshRoundRecords(),
  };
  return RoundStatus.parse(status);
}

let users: User[];
const secret = Buffer.alloc(32, 9);
const templates = new Templates();
const MAX_SCAN = 64 * 1024;

beforeAll(async () => {
  const cheap = { N: 1024, r: 8, p: 1 };
  users = [
    {
      username: 'li',
      name: '李协调',
      email: 'li@example.org',
      roles: ['coordinator'],
      passwordHash: await hashPassword('coordinator-pw', cheap),
    },
    { username: 'zhou', name: '周审计', roles: ['auditor'], passwordHash: await hashPassword('auditor-pw', cheap) },
  ];
});

let rounds: FakeRounds;
let store: MemoryContentStore;
let app: Hono;

beforeEach(async () => {
  store = new MemoryContentStore();
  rounds = new FakeRounds(store, fixture());
  await storeReplyDraft(store, FINANCE_DRAFT);
  app = new Hono();
  // As web/app.ts does: its own error handler answers 500 to anything it does not know.
  app.onError((_err, c) => c.text('internal error', 500));
  app.route(
    '/',
    createCoordinatorRoutes({
      rounds,
      store,
      templates,
      secret,
      users: staticUserDirectory(users),
      attachmentMaxBytes: MAX_SCAN,
    }),
  );
});

/** A signed-in coordinator's browser, with the manage page's forms at hand. */
class Browser extends TestBrowser {
  constructor() {
    super(app, ORIGIN);
  }
  /** The manage page and the hidden fields of one of its forms. */
  async form(action: string): Promise<{ html: string; hidden: Record<string, string> }> {
    const res = await this.fetch(MANAGE);
    expect(res.status).toBe(200);
    const html = await res.text();
    return { html, hidden: hiddenFields(html, action) };
  }
  post(action: string, body: URLSearchParams | FormData, headers: Record<string, string> = {}) {
    return this.fetch(`/rounds/${ROUND_ID}/actions/${action}`, { method: 'POST', body, headers });
  }
}

function formHtml(html: string, action: string): string {
  const start = html.indexOf(`action="/rounds/${ROUND_ID}/actions/${action}"`);
  expect(start).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</form>', start));
}

function hiddenFields(html: string, action: string): Record<string, string> {
  const form = formHtml(html, action);
  const fields: Record<string, string> = {};
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields[m[1]!] = m[2]!.replace(/&#x3D;/g, '=');
  return fields;
}

async function coordinator() {
  return new Browser().login('li', 'coordinator-pw');
}

const liActor = { name: '李协调', role: 'coordinator', username: 'li', email: 'li@example.org' };
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('fake png body'),
]);

describe('who may see and act', () => {
  it('sends a visitor to the login page, for the page and for an action', async () => {
    const b = new Browser();
    const page = await b.fetch(MANAGE);
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe(`/login?next=${encodeURIComponent(MANAGE)}`);
    const post = await b.post('waive', new URLSearchParams({ bureauId: 'science', reason: 'x' }));
    expect(post.status).toBe(303);
    expect(post.headers.get('location')).toMatch(/^\/login/);
    expect(rounds.calls).toHaveLength(0);
  });

  it('refuses an auditor (403) for the page and for every action', async () => {
    const b = await new Browser().login('zhou', 'auditor-pw');
    expect((await b.fetch(MANAGE)).status).toBe(403);
    const res = await b.post('cancel', new URLSearchParams({ reason: 'no', confirm: 'yes' }));
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('coordinator');
    expect(rounds.calls).toHaveLength(0);
  });

  it('refuses a POST without the form token or from another site', async () => {
    const b = await coordinator();
    const { hidden } = await b.form('waive');
    const noToken = await b.post(
      'waive',
      new URLSearchParams({ requestId: hidden.requestId!, bureauId: 'science', reason: 'ill' }),
    );
    expect(noToken.status).toBe(403);
    const crossSite = await b.post('waive', new URLSearchParams({ ...hidden, bureauId: 'science', reason: 'ill' }), {
      origin: 'https://evil.example',
    });
    expect(crossSite.status).toBe(403);
    expect(rounds.calls).toHaveLength(0);
  });

  it('answers a malformed multipart body with a clear 400 page, not a 500', async () => {
    const b = await coordinator();
    for (const action of ['waive', 'paper']) {
      const res = await b.post(action, 'not a multipart body' as unknown as URLSearchParams, {
        'content-type': 'multipart/form-data; boundary=xyz',
      });
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain('无法读取提交的表单');
      expect(html).toContain('could not be read');
    }
    expect(rounds.calls).toHaveLength(0);
  });

  it('answers 404 for a round that does not exist', async () => {
    const b = await coordinator();
    expect((await b.fetch('/rounds/round:nope:1/manage')).status).toBe(404);
    expect((await b.fetch('/rounds/not-a-round/manage')).status).toBe(400);
  });
});

describe('the status page', () => {
  it('shows every bureau with its outcome, deadline in its zone, extensions, replies, reminders and failures', async () => {
    const b = await coordinator();
    const { html } = await b.form('extend');
    const section = (id: string) =>
      html.slice(html.indexOf(`id="bureau-${id}"`), html.indexOf('</section>', html.indexOf(`id="bureau-${id}"`)));

    const science = section('science');
    expect(science).toContain('逾期未回复，视为无意见');
    expect(science).toContain('No reply: deemed no comments');
    expect(science).not.toContain('已回复，无意见');

    const finance = section('finance');
    expect(finance).toContain('已回复（有意见）');
    expect(finance).toContain('纸质 <span class="en" lang="en">Paper');
    expect(finance).toContain('李协调（协调人 <span class="en" lang="en">Coordinator</span>）');
    expect(finance).toContain(rounds.current.bureaus[0]!.replies[0]!.contentSha256);
    expect(finance).toContain(`/rounds/${ROUND_ID}/files/${sha('scan')}`);
    expect(finance).toContain('3.7 规划目标和指标');
    expect(finance).toContain('P33');
    expect(finance).toContain('建议补充资金来源。');
    expect(finance).toContain('无意见 <span class="en" lang="en">No comments</span>');
    expect(finance).toContain('2030-01-08 18:00:00 北京时间 (UTC+8)'); // reminder

    const forestry = section('forestry');
    expect(forestry).toContain('2030-01-20 16:00 (Asia/Urumqi)'); // deadline in the bureau's zone
    expect(forestry).toContain('550 mailbox unavailable');
    expect(forestry).toContain('forestry-link-0');
    expect(forestry).toMatch(
      /→ <time [^>]+>2030-01-20 16:00 \(Asia\/Urumqi\)<\/time> · 李协调（协调人 <span class="en" lang="en">Coordinator<\/span>）/,
    );

    expect(html).toContain('李协调</strong> <code>li</code>'); // who is signed in
    if (process.env.DUMP_PAGE) (await import('node:fs')).writeFileSync(process.env.DUMP_PAGE, html);
  });

  it('shows hostile text from the round escaped', async () => {
    const b = await coordinator();
    const { html } = await b.form('extend');
    expect(html).not.toContain(HOSTILE);
    expect(html).toContain('王五&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('请假&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('serves the scan of a reply in the round, and nothing else from the store', async () => {
    const b = await coordinator();
    // The fixture's scan hash is of the text 'scan'; put bytes with a PNG signature under a real hash instead.
    const { sha256 } = await store.put(PNG);
    rounds.current.bureaus[0]!.replies[0]!.scanSha256 = sha256;
    const res = await b.fetch(`/rounds/${ROUND_ID}/files/${sha256}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const other = await store.put(Buffer.from('%PDF-1.4 not referenced'));
    expect((await b.fetch(`/rounds/${ROUND_ID}/files/${other.sha256}`)).status).toBe(404);
  });
});

describe('actions', () => {
  const cases: { action: string; update: string; fields: Record<string, string>; expected: Record<string, unknown> }[] =
    [
      {
        action: 'extend',
        update: 'extendDeadline',
        fields: { bureauId: 'forestry', deadline: '2030-03-01T18:00', reason: '林业局请假' },
        expected: { bureauId: 'forestry', deadline: '2030-03-01T10:00:00.000Z', reason: '林业局请假' },
      },
      {
        action: 'waive',
        update: 'waiveBureau',
        fields: { bureauId: 'science', reason: '机构撤并' },
        expected: { bureauId: 'science', reason: '机构撤并' },
      },
      {
        action: 'contact',
        update: 'changeContact',
        fields: {
          bureauId: 'forestry',
          emails: 'new@forestry.example.org\n张三 <zhang@forestry.example.org>\n',
          contactPerson: '张三',
          reason: '原联系人调岗',
        },
        expected: {
          bureauId: 'forestry',
          contacts: [{ email: 'new@forestry.example.org' }, { email: 'zhang@forestry.example.org', name: '张三' }],
          contactPerson: '张三',
          reason: '原联系人调岗',
        },
      },
      {
        action: 'resend',
        update: 'resendInvitation',
        fields: { bureauId: 'forestry' },
        expected: { bureauId: 'forestry' },
      },
      {
        action: 'add-bureau',
        update: 'addBureau',
        fields: {
          id: 'water',
          nameZh: '区水务局',
          shortNameZh: '',
          nameEn: 'Water Bureau',
          emails: 'water@bureaus.example.org',
          contactPerson: '水务局办公室',
          timeZone: '',
          deadline: '2030-02-01T12:00',
        },
        expected: {
          bureau: {
            id: 'water',
            nameZh: '区水务局',
            nameEn: 'Water Bureau',
            contacts: [{ email: 'water@bureaus.example.org' }],
            contactPerson: '水务局办公室',
          },
          deadline: '2030-02-01T04:00:00.000Z',
        },
      },
      { action: 'close', update: 'closeConsultation', fields: { reason: '' }, expected: {} },
      {
        action: 'cancel',
        update: 'cancelRound',
        fields: { reason: '规划撤回', confirm: 'yes' },
        expected: { reason: '规划撤回' },
      },
    ];

  for (const { action, update, fields, expected } of cases) {
    it(`${action}: sends ${update} as the signed-in user, then shows a message`, async () => {
      const b = await coordinator();
      const { hidden } = await b.form(action);
      const res = await b.post(action, new URLSearchParams({ ...hidden, ...fields, actor: 'forged by the form' }));
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(MANAGE);
      expect(rounds.updates).toHaveLength(1);
      const sent = rounds.updates[0]!;
      expect(sent.name).toBe(update);
      expect(sent.updateId).toBe(hidden.requestId);
      const { actor, requestId, ...rest } = sent.request;
      expect(actor).toEqual(liActor);
      expect(requestId).toBe(hidden.requestId);
      expect(rest).toEqual(expected);

      const after = await (await b.fetch(MANAGE)).text();
      expect(after).toMatch(/class="coord-flash"/);
      // The message is shown once.
      expect(await (await b.fetch(MANAGE)).text()).not.toMatch(/class="coord-flash"/);
    });
  }

  it('sends a double submit once', async () => {
    const b = await coordinator();
    const { hidden } = await b.form('waive');
    const body = () => new URLSearchParams({ ...hidden, bureauId: 'science', reason: '重复提交' });
    expect((await b.post('waive', body())).status).toBe(303);
    expect((await b.post('waive', body())).status).toBe(303);
    expect(rounds.calls).toHaveLength(2);
    expect(rounds.updates).toHaveLength(1);
  });

  it('gives every form on the page its own request id', async () => {
    const b = await coordinator();
    const { html } = await b.form('waive');
    const ids = [...html.matchAll(/name="requestId" value="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toHaveLength(8);
    expect(new Set(ids).size).toBe(8);
    const again = hiddenFields(await (await b.fetch(MANAGE)).text(), 'waive');
    expect(again.requestId).not.toBe(hiddenFields(html, 'waive').requestId);
  });

  it('offers a list of time zones for an added bureau, Asia/Shanghai first, and keeps one refused elsewhere', async () => {
    const b = await coordinator();
    const { html, hidden } = await b.form('add-bureau');
    const select = formHtml(html, 'add-bureau').match(/<select id="add-tz" name="timeZone">([^]*?)<\/select>/)![1]!;
    const values = [...select.matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]);
    expect(values.slice(0, 2)).toEqual(['', 'Asia/Shanghai']);
    expect(values).toContain('Asia/Urumqi');
    expect(values).toContain('Europe/Berlin');
    expect(new Set(values).size).toBe(values.length);
    expect(formHtml(html, 'add-bureau')).toMatch(/<label for="add-tz">/);

    const fields = {
      ...hidden,
      id: 'water',
      nameZh: '区水务局',
      shortNameZh: '',
      nameEn: 'Water Bureau',
      emails: 'water@bureaus.example.org',
      contactPerson: '水务局办公室',
      deadline: '',
    };
    // Not a zone (a hand-made post): refused beside the field, in both languages.
    const bad = await b.post('add-bureau', new URLSearchParams({ ...fields, timeZone: 'Mars/Olympus' }));
    expect(bad.status).toBe(422);
    expect(formHtml(await bad.text(), 'add-bureau')).toMatch(
      /<\/select>\s*<span class="field-error" role="alert">请填写时区，如 Asia\/Shanghai（北京时间）/,
    );
    expect(rounds.calls).toHaveLength(0);

    const res = await b.post('add-bureau', new URLSearchParams({ ...fields, timeZone: 'Asia/Urumqi' }));
    expect(res.status).toBe(303);
    expect(rounds.calls.at(-1)).toMatchObject({ name: 'addBureau', request: { bureau: { timeZone: 'Asia/Urumqi' } } });
  });

  it('re-shows the form with the message next to the field and the typed values kept (422)', async () => {
    const b = await coordinator();
    const { hidden } = await b.form('extend');
    const res = await b.post(
      'extend',
      new URLSearchParams({ ...hidden, bureauId: 'forestry', deadline: '2030-02-30T25:00', reason: '' }),
    );
    expect(res.status).toBe(422);
    const form = formHtml(await res.text(), 'extend');
    expect(form).toContain('value="2030-02-30T25:00"');
    expect(form).toMatch(/name="deadline"[^>]*>\s*<span class="field-error" role="alert">不是有效的日期时间/);
    expect(form).toMatch(
      /<\/textarea>\s*<span class="field-error" role="alert">请填写理由。<span class="en" lang="en">Give a reason\./,
    );
    expect(form).toMatch(/<option value="forestry" selected>/);
    expect(rounds.calls).toHaveLength(0);

    const contact = await b.post(
      'contact',
      new URLSearchParams({
        ...(await b.form('contact')).hidden,
        bureauId: 'forestry',
        emails: 'ok@example.org\nnot-an-email',
        reason: '调岗',
      }),
    );
    expect(contact.status).toBe(422);
    const contactForm = formHtml(await contact.text(), 'contact');
    expect(contactForm).toContain('Line 2 is not a valid email address: not-an-email');
    expect(contactForm).toContain('ok@example.org\nnot-an-email</textarea>');
    expect(contactForm).toContain('调岗</textarea>');

    const cancel = await b.post('cancel', new URLSearchParams({ ...(await b.form('cancel')).hidden, reason: '撤回' }));
    expect(cancel.status).toBe(422);
    expect(formHtml(await cancel.text(), 'cancel')).toContain('Tick the box');
    expect(rounds.calls).toHaveLength(0);
  });

  it("shows the round's refusal next to the field it names", async () => {
    const b = await coordinator();
    rounds.refuseWith = makeRefusal('deadline', 'invalidField', { detail: 'the new deadline must be later than now' });
    const { hidden } = await b.form('extend');
    const res = await b.post(
      'extend',
      new URLSearchParams({ ...hidden, bureauId: 'forestry', deadline: '2020-01-01T00:00', reason: '延期' }),
    );
    expect(res.status).toBe(422);
    const form = formHtml(await res.text(), 'extend');
    expect(form).toMatch(
      /name="deadline"[^>]*>\s*<span class="field-error" role="alert"><span class="en" lang="en">the new deadline must be later than now/,
    );
    expect(form).toContain('value="2020-01-01T00:00"');
    expect(rounds.updates).toHaveLength(0);

    rounds.refuseWith = makeRefusal('request', 'invalidField', {
      detail: '2 bureaus have not answered yet: forestry, science',
    });
    const close = await b.post('close', new URLSearchParams({ ...(await b.form('close')).hidden, reason: '' }));
    expect(close.status).toBe(422);
    expect(formHtml(await close.text(), 'close')).toMatch(
      /<p class="error" role="alert"><span class="en" lang="en">2 bureaus have not answered yet: forestry, science<\/span><\/p>/,
    );
  });

  it('shows hostile text typed into a form escaped', async () => {
    const b = await coordinator();
    rounds.refuseWith = makeRefusal('reason', 'invalidField', { detail: `refused ${HOSTILE}` });
    const res = await b.post(
      'waive',
      new URLSearchParams({ ...(await b.form('waive')).hidden, bureauId: 'science', reason: HOSTILE }),
    );
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).not.toContain(HOSTILE);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;</textarea>');
    expect(html).toContain('refused &lt;script&gt;');

    rounds.refuseWith = undefined;
    const add = await b.post(
      'add-bureau',
      new URLSearchParams({
        ...(await b.form('add-bureau')).hidden,
        id: 'Bad Id',
        nameZh: HOSTILE,
        nameEn: HOSTILE,
        emails: 'x@example.org',
        contactPerson: HOSTILE,
      }),
    );
    expect(add.status).toBe(422);
    const addHtml = await add.text();
    expect(addHtml).not.toContain(HOSTILE);
    expect(formHtml(addHtml, 'add-bureau')).toMatch(/value="Bad Id"[^>]*>\s*<span class="field-error"/);
  });
});

describe('recording a paper reply', () => {
  async function paperForm(b: Browser, fields: Record<string, string>, scan?: { bytes: Buffer; name: string }) {
    const { hidden } = await b.form('paper');
    const body = new FormData();
    for (const [k, v] of Object.entries({ ...hidden, ...fields })) body.set(k, v);
    if (scan) body.set('scan', new File([new Uint8Array(scan.bytes)], scan.name, { type: 'application/octet-stream' }));
    return { body, hidden };
  }

  const answer = {
    bureauId: 'forestry',
    responderName: '赵六',
    responderPosition: '林业局局长',
    receivedAt: '2030-01-12T09:30',
    'doc.plan.kind': 'comments',
    'doc.plan.0.page': 'P36',
    'doc.plan.0.section': '3.7',
    'doc.plan.0.quote': '森林覆盖率',
    'doc.plan.0.text': '数据应更新为 2021 年。',
    'doc.plan.0.suggestedChange': '改为 23.5%',
    'doc.plan.2.text': '第二条意见',
    'doc.annex.kind': 'noComments',
  };

  it('stores the scan by hash and sends recordPaperReply with the comments', async () => {
    const b = await coordinator();
    const { body, hidden } = await paperForm(b, answer, { bytes: PNG, name: 'card.png' });
    const res = await b.post('paper', body);
    expect(res.status).toBe(303);
    expect(rounds.updates).toHaveLength(1);
    const sent = rounds.updates[0]!;
    expect(sent.name).toBe('recordPaperReply');
    expect(sent.updateId).toBe(hidden.requestId);
    expect(sent.request).toEqual({
      requestId: hidden.requestId,
      actor: liActor,
      bureauId: 'forestry',
      scanSha256: sha256Hex(PNG),
      receivedAt: '2030-01-12T01:30:00.000Z',
      reply: {
        responder: { name: '赵六', position: '林业局局长' },
        perDocument: {
          plan: {
            kind: 'comments',
            comments: [
              {
                draftPage: 36,
                section: '3.7',
                quote: '森林覆盖率',
                text: '数据应更新为 2021 年。',
                suggestedChange: '改为 23.5%',
              },
              { text: '第二条意见' },
            ],
          },
          annex: { kind: 'noComments' },
        },
      },
    });
    expect(await store.has(sha256Hex(PNG))).toBe(true);
    expect(await (await b.fetch(MANAGE)).text()).toContain('receipt no. 2');
  });

  it('takes "not addressed" for a document, as the reply page does, and refuses a card that answers none', async () => {
    const b = await coordinator();
    const { html } = await b.form('paper');
    expect(formHtml(html, 'paper')).toContain('<input type="radio" name="doc.annex.kind" value="notAddressed">');
    const none = await b.post(
      'paper',
      (
        await paperForm(
          b,
          {
            bureauId: 'forestry',
            responderName: '赵六',
            responderPosition: '林业局局长',
            'doc.plan.kind': 'notAddressed',
            'doc.annex.kind': 'notAddressed',
          },
          { bytes: PNG, name: 'card.png' },
        )
      ).body,
    );
    expect(none.status).toBe(422);
    expect(formHtml(await none.text(), 'paper')).toContain(
      '纸质回复至少应对一份文件作答。<span class="en" lang="en">A paper reply answers at least one document.',
    );
    const typed = await b.post(
      'paper',
      (await paperForm(b, { ...answer, 'doc.plan.kind': 'notAddressed' }, { bytes: PNG, name: 'card.png' })).body,
    );
    expect(typed.status).toBe(422);
    expect(formHtml(await typed.text(), 'paper')).toContain('选择了“不作答复”，但填写了意见');
    expect(rounds.updates).toHaveLength(0);

    const { body } = await paperForm(
      b,
      { ...answer, 'doc.annex.kind': 'notAddressed' },
      { bytes: PNG, name: 'card.png' },
    );
    expect((await b.post('paper', body)).status).toBe(303);
    const sent = rounds.updates[0]!.request as { reply: { perDocument: Record<string, unknown> } };
    expect(Object.keys(sent.reply.perDocument)).toEqual(['plan']);
  });

  it('refuses a scan that is not a PDF, PNG or JPEG, or too large', async () => {
    const b = await coordinator();
    const text = await b.post(
      'paper',
      (await paperForm(b, answer, { bytes: Buffer.from('<html>not a scan</html>'), name: 'card.pdf' })).body,
    );
    expect(text.status).toBe(422);
    expect(formHtml(await text.text(), 'paper')).toContain('The scan must be a PDF, PNG or JPEG file.');

    const big = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(MAX_SCAN)]);
    const large = await b.post('paper', (await paperForm(b, answer, { bytes: big, name: 'big.pdf' })).body);
    expect(large.status).toBe(422);
    expect(await large.text()).toContain('The scan is too large');

    const missing = await b.post('paper', (await paperForm(b, answer)).body);
    expect(missing.status).toBe(422);
    expect(await missing.text()).toContain('Attach the scan');
    expect(rounds.calls).toHaveLength(0);
    expect([...store.blobs.keys()]).toEqual([sha256Hex(draftBytes(FINANCE_DRAFT))]); // only the fixture's reply texts
  });

  it('keeps the uploaded scan and the typed comments when a field is wrong, and sends once it is right', async () => {
    const b = await coordinator();
    const { body } = await paperForm(
      b,
      { ...answer, 'doc.plan.0.section': '9.9', 'doc.annex.kind': '', responderName: HOSTILE },
      { bytes: PNG, name: 'card.png' },
    );
    const res = await b.post('paper', body);
    expect(res.status).toBe(422);
    const html = await res.text();
    const form = formHtml(html, 'paper');
    expect(form).toMatch(
      /name="doc\.plan\.0\.section" value="9\.9"[^>]*>\s*<span class="field-error" role="alert">找不到这个章节/,
    );
    expect(form).toContain('Choose &quot;no comments&quot;, &quot;comments&quot; or &quot;not addressed&quot;');
    expect(form).toContain('数据应更新为 2021 年。</textarea>');
    expect(form).toContain(`name="scanSha256" value="${sha256Hex(PNG)}"`);
    expect(html).not.toContain(HOSTILE);
    expect(rounds.calls).toHaveLength(0);

    // Submit the re-shown form without choosing the file again.
    const hidden = hiddenFields(html, 'paper');
    const again = new FormData();
    for (const [k, v] of Object.entries({ ...answer, ...hidden })) again.set(k, v);
    const ok = await b.post('paper', again);
    expect(ok.status).toBe(303);
    expect(rounds.sent('recordPaperReply')[0]!.request.scanSha256).toBe(sha256Hex(PNG));
  });

  it('keeps a scan by hash only when it was uploaded in this form: never another stored file, nor one from another session', async () => {
    // A stored file that is a scan, but not one uploaded in this form (say, another round's).
    const other = Buffer.concat([PNG, Buffer.from('another round')]);
    const { sha256 } = await store.put(other);
    const b = await coordinator();
    for (const proof of [undefined, 'x'.repeat(43)]) {
      const res = await b.post(
        'paper',
        (
          await paperForm(b, {
            ...answer,
            scanSha256: sha256,
            scanName: 'card.png',
            ...(proof && { scanProof: proof }),
          })
        ).body,
      );
      expect(res.status).toBe(422);
      expect(formHtml(await res.text(), 'paper')).toContain(
        '之前的扫描件不是在此表单中上传的，请重新选择文件。<span class="en" lang="en">The earlier scan was not uploaded in this form: choose the file again.',
      );
    }

    // A scan uploaded in one session, kept by another with the first one's proof.
    const shown = await b.post(
      'paper',
      (await paperForm(b, { ...answer, op: 'addRow:plan' }, { bytes: PNG, name: 'card.png' })).body,
    );
    const kept = hiddenFields(await shown.text(), 'paper');
    expect(kept.scanSha256).toBe(sha256Hex(PNG));
    const c = await coordinator();
    const stolen = await c.post(
      'paper',
      (
        await paperForm(c, {
          ...answer,
          scanSha256: kept.scanSha256!,
          scanProof: kept.scanProof!,
          scanName: 'card.png',
        })
      ).body,
    );
    expect(stolen.status).toBe(422);
    expect(rounds.calls).toHaveLength(0);
  });

  it('adds a comment row without sending anything', async () => {
    const b = await coordinator();
    const { body } = await paperForm(b, { ...answer, op: 'addRow:plan' });
    const res = await b.post('paper', body);
    expect(res.status).toBe(200);
    const form = formHtml(await res.text(), 'paper');
    expect(form).toContain('name="doc.plan.3.text"');
    expect(form).not.toContain('name="doc.plan.4.text"');
    expect(form).toContain('value="赵六"');
    expect(rounds.calls).toHaveLength(0);
  });

  it("maps the round's refusal of a comment to its row", async () => {
    const b = await coordinator();
    rounds.refuseWith = makeRefusal('reply.perDocument.plan.comments.1.text', 'invalidField', {
      detail: 'too similar to comment 1',
    });
    const res = await b.post('paper', (await paperForm(b, answer, { bytes: PNG, name: 'card.png' })).body);
    expect(res.status).toBe(422);
    // Comment 1 (0-based) of the request is form row 2: row 1 was left empty.
    expect(formHtml(await res.text(), 'paper')).toMatch(
      /第二条意见<\/textarea><span class="field-error" role="alert"><span class="en" lang="en">too similar to comment 1/,
    );
  });
});

describe('form helpers', () => {
  it("reads local times in the round's zone", () => {
    expect(localToInstant('2030-03-01T18:00', 'Asia/Shanghai')).toBe('2030-03-01T10:00:00.000Z');
    expect(localToInstant('2030-02-30T18:00', 'Asia/Shanghai')).toBeUndefined();
    expect(localToInstant('tomorrow', 'Asia/Shanghai')).toBeUndefined();
    expect(instantToLocal('2030-03-01T10:00:00.000Z', 'Asia/Shanghai')).toBe('2030-03-01T18:00');
  });

  it('finds a section by number, label, title or id', () => {
    const sections = fixture().documents[0]!.versions[0]!.sections;
    expect(resolveSection(sections, '3.7')).toBe('3.7');
    expect(resolveSection(sections, '3.7 规划目标和指标')).toBe('3.7');
    expect(resolveSection(sections, '第一章')).toBe('第一章');
    expect(resolveSection(sections, '自然概况')).toBe('1.1');
    expect(resolveSection(sections, '9.9')).toBeUndefined();
  });

  it('reads contact lines and refuses a line over 500 characters', () => {
    expect(parseContactLines('张三 <zhang@forestry.example.org>\nwang@forestry.example.org').contacts).toEqual([
      { email: 'zhang@forestry.example.org', name: '张三' },
      { email: 'wang@forestry.example.org' },
    ]);
    const long = parseContactLines(`a${' '.repeat(80_000)}b`);
    expect(long.error).toContain(`最多 ${MAX_CONTACT_LINE} 个字符`);
    expect(long.error).toContain('Line 1 is too long');
    expect(parseContactLines(`ok@example.org\n${'x'.repeat(MAX_CONTACT_LINE + 1)}@example.org`).error).toContain(
      'Line 2 is too long',
    );
    expect(parseContactLines(`a${' '.repeat(MAX_CONTACT_LINE - 2)}b`).error).toContain('not a valid email address');
  });

  it('shows a contact line over 500 characters as a field error', async () => {
    const b = await coordinator();
    const res = await b.post(
      'contact',
      new URLSearchParams({
        ...(await b.form('contact')).hidden,
        bureauId: 'forestry',
        emails: `x${' '.repeat(80_000)}y`,
        reason: '调岗',
      }),
    );
    expect(res.status).toBe(422);
    expect(formHtml(await res.text(), 'contact')).toMatch(
      /<span class="field-error" role="alert">第 1 行过长（最多 500 个字符）。<span class="en" lang="en">Line 1 is too long/,
    );
    expect(rounds.calls).toHaveLength(0);
  });

  it('keeps the session cookie name stable', () => {
    expect(SESSION_COOKIE).toBe('pr_session');
  });
});
