/**
 * The approver's page over a round service, with three users who may sign in: wang the approver
 * (approver-pw), li the coordinator (coordinator-pw) and zhou the auditor (auditor-pw). `Approver`
 * is a TestBrowser that reads the page and posts its forms with their hidden fields.
 */
import { Hono } from 'hono';
import type { RoundService } from '../../infra/roundGateway.js';
import type { ContentStore } from '../../infra/store.js';
import { Templates } from '../../infra/templates.js';
import { hashPassword, staticUserDirectory, type User } from '../../infra/users.js';
import { createApprovalRoutes } from '../../web/approvalRoutes.js';
import { createAuth } from '../../web/auth.js';
import { TestBrowser } from './testBrowser.js';

export const APPROVER = { name: '王审批', role: 'approver' as const, username: 'wang', email: 'wang@example.org' };

export async function approvalUsers(): Promise<User[]> {
  const cheap = { N: 1024, r: 8, p: 1 };
  return [
    {
      username: 'wang',
      name: APPROVER.name,
      email: APPROVER.email,
      roles: ['approver'],
      passwordHash: await hashPassword('approver-pw', cheap),
    },
    {
      username: 'li',
      name: '李协调',
      roles: ['coordinator'],
      passwordHash: await hashPassword('coordinator-pw', cheap),
    },
    { username: 'zhou', name: '周审计', roles: ['auditor'], passwordHash: await hashPassword('auditor-pw', cheap) },
  ];
}

export async function approvalApp(rounds: RoundService, store: ContentStore): Promise<Hono> {
  const templates = new Templates();
  const auth = createAuth({
    secret: Buffer.alloc(32, 5),
    users: staticUserDirectory(await approvalUsers()),
    templates,
  });
  const app = new Hono();
  app.onError((err, c) => {
    console.error(err);
    return c.text('internal error', 500);
  });
  app.route('/', auth.routes);
  app.route('/', createApprovalRoutes({ rounds, store, templates, auth }));
  return app;
}

/** The hidden fields of one of the page's forms (approve or reject), as the page wrote them. */
export function hiddenFields(html: string, form: 'approve' | 'reject'): Record<string, string> {
  const start = html.indexOf(`id="form-${form}"`);
  if (start < 0) throw new Error(`the page has no ${form} form`);
  const fields: Record<string, string> = {};
  for (const m of html
    .slice(start, html.indexOf('</form>', start))
    .matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields[m[1]!] = m[2]!.replace(/&#x3D;/g, '=');
  return fields;
}

export class ApprovalBrowser extends TestBrowser {
  constructor(
    app: Hono,
    readonly roundId: string,
  ) {
    super(app, 'http://localhost');
  }

  get path(): string {
    return `/rounds/${this.roundId}/approval`;
  }

  async page(): Promise<string> {
    const res = await this.fetch(this.path);
    if (res.status !== 200) throw new Error(`the approval page answered ${res.status}`);
    return res.text();
  }

  /** Posts a form of the page with its hidden fields (from `html`, else the page as it is now) and `fields`. */
  async post(form: 'approve' | 'reject', fields: Record<string, string>, html?: string): Promise<Response> {
    const hidden = hiddenFields(html ?? (await this.page()), form);
    return this.fetch(`${this.path}/${form}`, { method: 'POST', body: new URLSearchParams({ ...hidden, ...fields }) });
  }
}
