/**
 * Email test doubles: nodemailer's jsonTransport behind a recorder that can also fail on purpose,
 * permanently (a 550 for some addresses) or transiently (a dropped connection, N times).
 */
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { Transporter } from 'nodemailer';

export interface SentMail {
  messageId: string;
  to: string[];
  subject: string;
  html: string;
  /** The plain-text part beside the HTML. */
  text: string;
  kind: string;
  round: string;
  /** Each attachment's name, and its content when it is text (a calendar invitation). */
  attachments: Array<{ filename: string; content?: string }>;
}

export class RecordingTransport {
  readonly sent: SentMail[] = [];
  /** Addresses the "server" refuses with 550 (a permanent failure). */
  rejectAddresses = new Set<string>();
  /** How many upcoming sends fail like a dropped connection (transient). */
  transientFailures = 0;
  /**
   * How many upcoming sends the server accepts and then fail anyway, as when a worker dies after
   * the server took the message and before the activity completed: the retry sends a copy.
   */
  failAfterAccepting = 0;
  /** Addresses whose server is down for as long as the test wants: every send to them fails transiently. */
  unreachableAddresses = new Set<string>();
  /** Recipients refused for now (450, greylisting) while the others in the same message are accepted. */
  greylisted = new Set<string>();
  /**
   * How many upcoming sends never answer, as when the worker sending them was killed: the attempt
   * hangs until `releaseHung()` (a test's end), which fails it.
   */
  hangNext = 0;
  private readonly hung: Array<(err: Error) => void> = [];
  private readonly json = nodemailer.createTransport({ jsonTransport: true });

  asTransporter(): Transporter {
    return { sendMail: (m: SendMailOptions) => this.sendMail(m) } as unknown as Transporter;
  }

  /** Fails every hung send (so that a worker can shut down). */
  releaseHung(): void {
    for (const fail of this.hung.splice(0)) fail(new Error('released by the test'));
  }

  async sendMail(message: SendMailOptions) {
    if (this.hangNext > 0) {
      this.hangNext--;
      return new Promise<never>((_, reject) => this.hung.push(reject));
    }
    if (this.transientFailures > 0) {
      this.transientFailures--;
      throw Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION' });
    }
    const to = ([] as string[]).concat((message.to as string | string[]) ?? []);
    if (to.some((a) => this.unreachableAddresses.has(a))) {
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNECTION' });
    }
    if (to.some((a) => this.rejectAddresses.has(a))) {
      throw Object.assign(
        new Error(`Can't send mail - all recipients were rejected: 550 5.1.1 <${to[0]}>: Recipient address rejected`),
        {
          code: 'EENVELOPE',
          responseCode: 550,
        },
      );
    }
    const refusedNow = to.filter((a) => this.greylisted.has(a));
    const accepted = to.filter((a) => !this.greylisted.has(a));
    const info = await this.json.sendMail({ ...message, to: accepted });
    const headers = (message.headers ?? {}) as Record<string, string>;
    this.sent.push({
      messageId: String(message.messageId),
      to: accepted,
      subject: String(message.subject),
      html: String(message.html),
      text: String(message.text),
      kind: headers['X-Plan-Review-Kind'] ?? '',
      round: headers['X-Plan-Review-Round'] ?? '',
      attachments: ((message.attachments ?? []) as Array<{ filename?: string; content?: unknown }>).map((a) => ({
        filename: String(a.filename),
        ...(typeof a.content === 'string' && { content: a.content }),
      })),
    });
    if (this.failAfterAccepting > 0) {
      this.failAfterAccepting--;
      throw Object.assign(new Error('worker lost after the server accepted the message'), { code: 'ETIMEDOUT' });
    }
    return {
      ...info,
      accepted,
      rejected: refusedNow,
      rejectedErrors: refusedNow.map((recipient) => ({
        recipient,
        message: `450 4.2.0 <${recipient}>: greylisted, try again later`,
        responseCode: 450,
      })),
    };
  }

  /** Messages of one kind, of one round when given (rounds of other tests share the recorder and the clock). */
  ofKind(kind: string, round?: string): SentMail[] {
    return this.sent.filter((m) => m.kind === kind && (round === undefined || m.round === round));
  }
}
