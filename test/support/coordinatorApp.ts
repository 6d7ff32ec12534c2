/**
 * The coordinator's pages over a round service, with one coordinator (li / coordinator-pw) who may
 * sign in, and a browser on one round's page that posts its forms.
 */
import { Hono } from 'hono';
import { expect } from 'vitest';
import type { RoundService } from '../../infra/roundGateway.js';
import type { ContentStore } from '../../infra/store.js';
import { Templates } from '../../infra/templates.js';
import { hashPassword, staticUserDirectory } from '../../infra/users.js';
import { createCoordinatorRoutes } from '../../web/coordinatorRoutes.js';
import type { FakeRounds } from './fakeRounds.js';
import { TestBrowser } from './testBrowser.js';

export async function coordinatorApp(
  rounds: RoundService,
  store: ContentStore,
  attachmentMaxBytes = 64 * 1024,
  now?: () => Date,
): Promise<Hono> {
  const app = new Hono();
  app.onError((err, c) => {
    console.error(err);
    return c.text('internal error', 500);
  });
  const li = {
    username: 'li',
    name: '李协调',
    email: 'li@example.org',
    roles: ['coordinator' as const],
    passwordHash: await hashPassword('coordinator-pw', { N: 1024, r: 8, p: 1 }),
  };
  app.route(
    '/',
    createCoordinatorRoutes({
      rounds,
      store,
      templates: new Templates(),
      secret: Buffer.alloc(32, 7),
      users: staticUserDirectory([li]),
      attachmentMaxBytes,
      ...(now && { now }),
    }),
  );
  return app;
}

/** An action's form on a page: from its opening tag's action to its end. */
export function formHtml(html: string, roundId: string, action: string): string {
  const start = html.indexOf(`action="/rounds/${roundId}/actions/${action}"`);
  expect(start, `the ${action} form`).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</form>', start));
}

/**
 * A coordinator's browser on one round's page (sign in first): it posts a form with the hidden
 * fields the page gave it (form token, request id), and files as a multipart form.
 */
export class CoordinatorPage extends TestBrowser {
  constructor(
    app: Hono,
    readonly roundId: string,
  ) {
    super(app, 'http://localhost');
  }

  get manage(): string {
    return `/rounds/${this.roundId}/manage`;
  }

  async page(path = this.manage): Promise<string> {
    const res = await this.fetch(path);
    expect(res.status).toBe(200);
    return res.text();
  }

  async post(action: string, fields: Record<string, string>, files: Record<string, File> = {}): Promise<Response> {
    const hidden: Record<string, string> = {};
    for (const m of formHtml(await this.page(), this.roundId, action).matchAll(
      /<input type="hidden" name="([^"]+)" value="([^"]*)">/g,
    ))
      hidden[m[1]!] = m[2]!.replace(/&#x3D;/g, '=');
    let body: URLSearchParams | FormData = new URLSearchParams({ ...hidden, ...fields });
    if (Object.keys(files).length > 0) {
      const form = new FormData();
      for (const [k, v] of Object.entries({ ...hidden, ...fields })) form.append(k, v);
      for (const [k, f] of Object.entries(files)) form.append(k, f);
      body = form;
    }
    return this.fetch(`/rounds/${this.roundId}/actions/${action}`, { method: 'POST', body });
  }

  /** Posts a form that must be taken (303 back to the page). */
  async act(action: string, fields: Record<string, string>, files?: Record<string, File>): Promise<void> {
    const res = await this.post(action, fields, files);
    const text = res.status === 303 ? '' : await res.text();
    expect(res.status, `${action}: ${text.slice(0, 2000)}`).toBe(303);
    expect(res.headers.get('location')).toBe(this.manage);
  }

  /** Posts a form that must be refused (422); the form as shown again. */
  async refused(action: string, fields: Record<string, string>, files?: Record<string, File>): Promise<string> {
    const res = await this.post(action, fields, files);
    expect(res.status).toBe(422);
    return formHtml(await res.text(), this.roundId, action);
  }
}

/** Li as the pages record the signed-in coordinator. */
export const LI_ACTOR = { name: '李协调', role: 'coordinator', username: 'li', email: 'li@example.org' };

/** The last action the fake rounds took: checked to come from a form (its request id) as Li; its name and the rest. */
export function lastFormAction(rounds: FakeRounds) {
  const { name, rest, actor, requestId } = rounds.lastSent();
  expect(actor).toEqual(LI_ACTOR);
  expect(requestId).toMatch(/^[a-z-]+:[0-9a-f-]{36}$/);
  return { name, rest };
}
