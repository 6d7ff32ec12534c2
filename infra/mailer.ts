/** The SMTP transport: a real server from SMTP_URL, or the embedded sink on loopback. */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from './config.js';

/**
 * A pooled transport: a reply alone sends two emails and a round's start one per bureau, and a new
 * SMTP connection (with its TLS handshake on a real server) for each was most of a send's cost. A
 * connection the server dropped is replaced on the next send; a send that fails is the activity's to retry.
 */
export function createMailTransport(config: Config): Transporter {
  const pool = { pool: true, maxConnections: 4, maxMessages: 200 } as const;
  if (config.SMTP_URL) return nodemailer.createTransport({ url: config.SMTP_URL, ...pool });
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port: config.SMTP_SINK_PORT,
    secure: false,
    ignoreTLS: true,
    ...pool,
  });
}

/** The host part of Message-IDs: the public web server's host name. */
export function messageIdDomain(config: Config): string {
  return new URL(config.PUBLIC_URL).hostname || 'localhost';
}
