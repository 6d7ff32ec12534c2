/** The SMTP transport: a real server from SMTP_URL, or the embedded sink on loopback. */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from './config.js';

export function createMailTransport(config: Config): Transporter {
  if (config.SMTP_URL) return nodemailer.createTransport(config.SMTP_URL);
  return nodemailer.createTransport({ host: '127.0.0.1', port: config.SMTP_SINK_PORT, secure: false, ignoreTLS: true });
}

/** The host part of Message-IDs: the public web server's host name. */
export function messageIdDomain(config: Config): string {
  return new URL(config.PUBLIC_URL).hostname || 'localhost';
}
