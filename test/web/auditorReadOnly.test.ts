/**
 * The auditor's role is read-only, in the whole app and in the CLI: every action route (each of the
 * coordinator's forms, the approver's two) answers an auditor 403 and the round is asked nothing,
 * even with the auditor's own valid form token; the pages an auditor reads offer no link to what
 * would refuse them (the coordinator's page, the outbox) and no action form; the CLI refuses an
 * auditor as PLAN_REVIEW_USER for every action.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Hono } from 'hono';
import { stringify } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cliActor, CliError } from '../../cli/users.js';
import type { RoundStatus } from '../../domain/round.js';
import { loadConfig, type Config } from '../../infra/config.js';
import { csrfTokenFor, signLink } from '../../infra/linkTokens.js';
import { MemoryContentStore } from '../../infra/store.js';
import { Templates } from '../../infra/templates.js';
import { staticUserDirectory, type User } from '../../infra/users.js';
import { COORDINATOR_ACTIONS } from '../../web/actions/index.js';
import { createApp } from '../../web/app.js';
import { approvalUsers } from '../support/approvalApp.js';
import { APPROVAL_ROUND_ID as ROUND_ID, approvalRound } from '../support/approvalRound.js';
import { FakeRounds } from '../support/fakeRounds.js';
import { RecordedHistories } from '../support/recordedHistories.js';
import { TestBrowser } from '../support/testBrowser.js';

let dir: string;
let users: User[];
let store: MemoryContentStore;
let rounds: FakeRounds;
let before: RoundStatus;
let app: Hono;
const SECRET = Buffer.alloc(32, 3);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-auditor-test-'));
  users = await approvalUsers();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  store = new MemoryContentStore();
  rounds = new FakeRounds(store, await approvalRound(store), () => new Date('2030-01-20T02:00:00.000Z'));
  before = structuredClone(rounds.current);
  app = createApp({
    rounds,
    histories: new RecordedHistories({ [ROUND_ID]: 'approval' }),
    config: loadConfig({ PLAN_REVIEW_DATA_DIR: dir }, dir),
    templates: new Templates(),
    secret: SECRET,
    store,
    users: staticUserDirectory(users),
    outboxDir: dir,
  });
});

const PASSWORDS: Record<string, string> = { zhou: 'auditor-pw', li: 'coordinator-pw', wang: 'approver-pw' };
const signIn = (user: string) => new TestBrowser(app).login(user, PASSWORDS[user]!);

/** The signed-in user's own form token, from the sign-out form every staff page carries. */
async function formToken(b: TestBrowser): Promise<string> {
  const html = await (await b.fetch(`/rounds/${ROUND_ID}/approval`)).text();
  return /name="csrf" value="([^"]+)"/.exec(html)![1]!.replace(/&#x3D;/g, '=');
}

describe('an auditor', () => {
  it('is refused (403, a bilingual page) by every action route the app has, and the round is asked nothing', async () => {
    const auditor = await signIn('zhou');
    const csrf = await formToken(auditor);
    const candidate = rounds.current.approval.candidate!.pdfSha256;
    const token = signLink(SECRET, { roundId: ROUND_ID, bureauId: 'finance', linkId: 'finance-link-1' });
    // Every route that changes something, from the app itself: a route added later is checked too.
    // Signing in and out are the session's own, not actions on a round.
    const SESSION_ROUTES = new Set(['POST /login', 'POST /logout']);
    const actions = [
      ...new Set(
        app.routes
          .filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method))
          .map((r) => `${r.method} ${r.path}`)
          .filter((r) => !SESSION_ROUTES.has(r)),
      ),
    ];
    expect(actions.length).toBeGreaterThanOrEqual(23);
    expect(actions).toEqual(
      expect.arrayContaining([
        'POST /r/:token',
        'POST /r/:token/outcome',
        'POST /rounds/:id/approval/approve',
        ...Object.keys(COORDINATOR_ACTIONS).map((a) => `POST /rounds/:id/actions/${a}`),
      ]),
    );
    for (const route of actions) {
      const [method, pattern] = route.split(' ') as [string, string];
      const url = pattern.replace(':id', ROUND_ID).replace(':token', token);
      expect(url, route).not.toContain('/:');
      const res = await auditor.fetch(url, {
        method,
        body: new URLSearchParams({
          csrf: url.startsWith('/r/') ? csrfTokenFor(SECRET, token) : csrf,
          requestId: `x:${'0'.repeat(8)}-0000-0000-0000-000000000000`,
          pdfSha256: candidate,
          confirm: 'yes',
          reason: 'auditors act on nothing',
          bureauId: 'finance',
          response: 'acknowledge',
        }),
      });
      expect(res.status, route).toBe(403);
      const html = await res.text();
      expect(html, route).toContain('没有此页面所需的角色');
      expect(html, route).toContain('does not have the role this page needs');
    }
    expect(rounds.calls).toEqual([]);
    expect(rounds.current).toEqual(before);
    for (const page of [`/rounds/${ROUND_ID}/manage`, '/outbox']) expect((await auditor.fetch(page)).status).toBe(403);
  });

  it('is refused only as a read-only user: a bureau’s link reads as before, and a coordinator may act through it', async () => {
    const token = signLink(SECRET, { roundId: ROUND_ID, bureauId: 'finance', linkId: 'finance-link-1' });
    const read = await (await signIn('zhou')).fetch(`/r/${token}`);
    expect(await read.text()).not.toContain('does not have the role this page needs');
    const res = await (
      await signIn('li')
    ).fetch(`/r/${token}`, {
      method: 'POST',
      body: new URLSearchParams({ csrf: csrfTokenFor(SECRET, token) }),
    });
    expect(await res.text()).not.toContain('does not have the role this page needs');
  });

  it('reads the round, its approval and its audit pages with no link to what would refuse it, and no action form', async () => {
    const auditor = await signIn('zhou');
    for (const page of ['/', `/rounds/${ROUND_ID}`, `/rounds/${ROUND_ID}/approval`, `/rounds/${ROUND_ID}/audit`]) {
      const res = await auditor.fetch(page);
      expect(res.status, page).toBe(200);
      const html = await res.text();
      expect(html, page).not.toContain('href="/outbox"');
      expect(html, page).not.toContain('/manage"');
      expect(html, page).not.toMatch(/<form method="post" action="\/rounds\//);
    }
    const forbidden = await (await auditor.fetch(`/rounds/${ROUND_ID}/manage`)).text();
    expect(forbidden).not.toContain('href="/outbox"');
  });

  it('is refused as PLAN_REVIEW_USER by the CLI for the coordinator’s and the approver’s actions', async () => {
    const usersFile = path.join(dir, 'users.yaml');
    await writeFile(usersFile, stringify(users));
    const config = { PLAN_REVIEW_USER: 'zhou', paths: { users: usersFile } as Config['paths'] };
    for (const role of ['coordinator', 'approver'] as const) {
      await expect(cliActor(config, role)).rejects.toThrow(CliError);
      await expect(cliActor(config, role)).rejects.toThrow(`this user does not have the role ${role} (has: auditor)`);
    }
  });
});

describe('the other roles', () => {
  it('a coordinator still sees the coordinator’s page and the outbox linked from the round', async () => {
    const html = await (await (await signIn('li')).fetch(`/rounds/${ROUND_ID}`)).text();
    expect(html).toContain(`href="/rounds/${ROUND_ID}/manage"`);
    expect(html).toContain('href="/outbox"');
    expect(html).toContain(`href="/rounds/${ROUND_ID}/audit"`);
  });

  it('an approver sees the approval page’s forms but neither the coordinator’s page nor the outbox', async () => {
    const approver = await signIn('wang');
    const round = await (await approver.fetch(`/rounds/${ROUND_ID}`)).text();
    expect(round).not.toContain('/manage"');
    expect(round).not.toContain('href="/outbox"');
    const approval = await (await approver.fetch(`/rounds/${ROUND_ID}/approval`)).text();
    expect(approval).toContain(`action="/rounds/${ROUND_ID}/approval/approve"`);
  });
});
