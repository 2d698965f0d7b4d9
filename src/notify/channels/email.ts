import type { Transporter } from 'nodemailer';
import type { ChannelConfig } from '../channel-config.js';
import type { Notification } from '../message.js';
import type { Notifier } from '../notifier.js';

type EmailConfig = Extract<ChannelConfig, { type: 'email' }>;

/** Email over SMTP (nodemailer): STARTTLS when offered (or required), TLS on connect when `secure`, auth when given. */
export class EmailNotifier implements Notifier {
  readonly type = 'email';
  readonly name: string;
  private transport: Transporter | null = null;

  constructor(private readonly config: EmailConfig) {
    this.name = config.name;
  }

  /** nodemailer is loaded on the first message, not at start: it is a sizeable share of vigil's memory. */
  private async transporter(): Promise<Transporter> {
    if (this.transport) return this.transport;
    const { default: nodemailer } = await import('nodemailer');
    const config = this.config;
    this.transport = nodemailer.createTransport({
      host: config.smtp.host,
      port: config.smtp.port,
      secure: config.smtp.secure,
      requireTLS: config.smtp.requireTLS,
      ...(config.smtp.allowSelfSigned ? { tls: { rejectUnauthorized: false } } : {}),
      ...(config.smtp.user ? { auth: { user: config.smtp.user, pass: config.smtp.pass ?? '' } } : {}),
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    return this.transport;
  }

  async send(n: Notification): Promise<void> {
    const links = n.links.map((l) => `${l.label}: ${l.url}`).join('\n');
    await (
      await this.transporter()
    ).sendMail({
      from: this.config.from,
      to: this.config.to,
      ...mailOf(n, this.config.from),
      text: `${n.incident ? `${n.title}\n\n` : ''}${n.text}\n\n${links ? `${links}\n\n` : ''}— vigil, ${n.at}`,
    });
  }

  async close(): Promise<void> {
    this.transport?.close();
  }
}

/**
 * Pure: subject and headers. Mail about an incident keeps one subject and threads: each message has
 * its own Message-ID from the incident and step, and refers to the incident's first message
 * (In-Reply-To, References), which mail clients group under it.
 */
export interface MailHeaders {
  subject: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  headers: Record<string, string>;
}

export function mailOf(n: Notification, from: string): MailHeaders {
  const headers = { 'X-Vigil-Event': n.event, 'X-Vigil-Severity': n.severity, 'X-Vigil-Key': n.key.slice(0, 200) };
  if (!n.incident) return { subject: `[vigil ${n.severity}] ${n.title}`, headers };
  const domain = /@([^>\s]+)/.exec(from)?.[1] ?? 'vigil.invalid';
  const id = (seq: number) => `<incident-${n.incident!.id}-${seq}@${domain}>`;
  const root = id(1);
  return {
    subject: `[vigil] ${n.incident.subject}`.slice(0, 200),
    messageId: id(n.incident.seq),
    ...(n.incident.seq > 1 ? { inReplyTo: root, references: [root] } : {}),
    headers: { ...headers, 'X-Vigil-Incident': `${n.incident.id}/${n.incident.seq}` },
  };
}
