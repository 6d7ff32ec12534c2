/**
 * What the staff pages offer a signed-in user, by role: the auditor's role is read-only, so a page
 * never shows a link to what would answer 403 (the coordinator's page, the outbox). The layout shows
 * the outbox unless a page says `hideOutbox`.
 */
import type { User } from '../infra/users.js';

export function viewerNav(user: Pick<User, 'roles'>) {
  const coordinator = user.roles.includes('coordinator');
  return { canManage: coordinator, hideOutbox: !coordinator };
}
