/**
 * Contacts as a person types them, one a line (the coordinator's contact form, the CLI's --email).
 * Imported by workflow code: no Node built-ins, no I/O.
 */
import { z } from 'zod';
import type { Contact } from './records.js';

/** The longest contact line read (a name and an address fit well within it). */
export const MAX_CONTACT_LINE = 500;

/** One contact per line: `name@example.org` or `Name <name@example.org>`. */
export function parseContactLines(value: string): { contacts: Contact[]; error?: string } {
  const lines = value
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (lines.length === 0)
    return { contacts: [], error: '请至少填写一个电子邮件地址。Enter at least one email address.' };
  if (lines.length > 20) return { contacts: [], error: '最多 20 个地址。At most 20 addresses.' };
  const contacts: Contact[] = [];
  for (const [i, line] of lines.entries()) {
    if (line.length > MAX_CONTACT_LINE) {
      return {
        contacts: [],
        error: `第 ${i + 1} 行过长（最多 ${MAX_CONTACT_LINE} 个字符）。Line ${i + 1} is too long (at most ${MAX_CONTACT_LINE} characters).`,
      };
    }
    // Linear: the name is everything before the first "<" (no backtracking over spaces).
    const m = /^([^<]*)<([^<>]+)>$/.exec(line);
    const email = (m ? m[2]! : line).trim();
    const name = m ? m[1]!.trim() : '';
    if (!z.email().safeParse(email).success) {
      return {
        contacts: [],
        error: `第 ${i + 1} 行不是有效的电子邮件地址。Line ${i + 1} is not a valid email address: ${line}`,
      };
    }
    contacts.push(name ? { email, name } : { email });
  }
  return { contacts };
}
