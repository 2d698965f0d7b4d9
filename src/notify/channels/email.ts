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
      subject: `[vigil ${n.severity}] ${n.title}`,
      text: `${n.text}\n\n${links ? `${links}\n\n` : ''}— vigil, ${n.at}`,
      headers: { 'X-Vigil-Event': n.event, 'X-Vigil-Key': n.key.slice(0, 200) },
    });
  }

  async close(): Promise<void> {
    this.transport?.close();
  }
}
