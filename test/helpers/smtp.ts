import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** Headers and body as sent; quoted-printable bodies decoded. */
  raw: string;
  subject: string;
  secure: boolean;
  user: string | undefined;
}

/**
 * A real SMTP server (smtp-server) on loopback: STARTTLS with its built-in self-signed certificate,
 * AUTH PLAIN/LOGIN with one account. It can be stopped and started on the same port (an outage).
 */
export class TestSmtpServer {
  readonly mails: ReceivedMail[] = [];
  private server: SMTPServer | null = null;
  constructor(
    readonly port: number,
    readonly user = 'vigil',
    readonly pass = 'smtp-secret',
  ) {}

  /** vigil's configuration of an email channel delivering here (self-signed STARTTLS, with auth). */
  channel(overrides: Record<string, unknown> = {}) {
    return {
      name: 'mail',
      type: 'email',
      smtp: { host: '127.0.0.1', port: this.port, allowSelfSigned: true, user: this.user, pass: this.pass },
      from: 'vigil@example.org',
      to: ['oncall@example.org'],
      ...overrides,
    };
  }

  async start(): Promise<void> {
    this.server = new SMTPServer({
      authMethods: ['PLAIN', 'LOGIN'],
      logger: false,
      onAuth: (auth, _session, callback) => {
        if (auth.username === this.user && auth.password === this.pass) callback(null, { user: auth.username });
        else callback(new Error('Invalid username or password'));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = decodeQuotedPrintable(Buffer.concat(chunks).toString('utf8'));
          this.mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            subject: /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(raw)?.[1]?.replace(/\r?\n[ \t]/g, ' ') ?? '',
            secure: session.secure,
            user: session.user as string | undefined,
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Soft line breaks joined and =XX escapes decoded (as UTF-8), as a mail reader shows the text. */
function decodeQuotedPrintable(text: string): string {
  const joined = text.replace(/=\r?\n/g, '');
  return Buffer.from(
    joined.replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  ).toString('utf8');
}
